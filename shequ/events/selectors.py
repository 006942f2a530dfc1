"""Reads of events, registrations and delegations, scoped. Staff see the events of their jurisdiction (a 街道-wide
event is seen by its committees too: residents of every committee take part); a resident sees the open events and
only his own registrations; anything else is 404. `participation_count` is what the targets read."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from shequ.core.choices import NodeKind, Role
from shequ.core.scoping import filter_by_scope, in_scope, scope_node_ids, scope_paths

from .choices import HOLDS_PLACE, EventStatus, RegistrationStatus
from .models import Delegation, Event, EventPhoto, Festival, PartnerUnit, Registration, Series


def _is_resident(user) -> bool:
    return getattr(user, "role", None) == Role.RESIDENT


def _scope_q(user, field: str = "node") -> Q:
    """Events in the user's subtree, or on a node above it (the 街道's own events reach its committees)."""
    paths = scope_paths(user)
    q = Q(pk__in=[])
    for path in paths:
        ancestors = []
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            ancestors.append("/" + "/".join(parts[:i]) + "/")
        q |= Q(**{f"{field}__path__startswith": path})
        if ancestors:
            q |= Q(**{f"{field}__path__in": ancestors})
    return q


def event_list(*, user) -> QuerySet[Event]:
    qs = Event.objects.select_related("node", "series", "festival")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if _is_resident(user):
        return qs.filter(status=EventStatus.OPEN)
    if not user.can("events.view"):
        return qs.none()
    return qs.filter(_scope_q(user))


def event_get(*, user, pk) -> Event:
    try:
        return event_list(user=user).get(pk=int(pk))
    except (Event.DoesNotExist, ValueError, TypeError):
        raise Http404


def event_manageable(*, user, event: Event) -> bool:
    """Managing an event (registering walk-ins, checking in, photos): `events.manage` and the event's node inside
    the user's own jurisdiction (a committee worker runs his committee's events, not the 街道's)."""
    return bool(getattr(user, "is_authenticated", False) and user.can("events.manage") and in_scope(user, event.node))


def event_visible(*, user, event: Event) -> bool:
    return event_list(user=user).filter(pk=event.pk).exists()


def counts(event: Event) -> dict:
    row = event.registrations.aggregate(
        taken=Count("id", filter=Q(status__in=HOLDS_PLACE)),
        waiting=Count("id", filter=Q(status=RegistrationStatus.WAITLISTED)),
        attended=Count("id", filter=Q(status=RegistrationStatus.ATTENDED)))
    row["free"] = max(0, event.capacity - row["taken"])
    return row


def registration_list(*, user, event: Event) -> QuerySet[Registration]:
    qs = event.registrations.select_related("user")
    if _is_resident(user):
        return qs.filter(user=user)
    if not event_manageable(user=user, event=event) and not user.can("events.view"):
        return qs.none()
    return qs


def registration_get(*, user, pk) -> Registration:
    try:
        reg = Registration.objects.select_related("event__node", "user").get(pk=int(pk))
    except (Registration.DoesNotExist, ValueError, TypeError):
        raise Http404
    if reg.user_id == getattr(user, "pk", None) or (not _is_resident(user) and event_visible(user=user,
                                                                                             event=reg.event)):
        return reg
    raise Http404


def registration_visible(*, user, registration: Registration) -> bool:
    if registration.user_id == getattr(user, "pk", None):
        return True
    return not _is_resident(user) and event_visible(user=user, event=registration.event)


def own_registration(*, user, event: Event) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return event.registrations.filter(user=user).exclude(status=RegistrationStatus.CANCELLED).first()


def waitlist(event: Event) -> QuerySet[Registration]:
    return event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "id")


def photos(event: Event) -> QuerySet[EventPhoto]:
    return event.photos.all()


def photo_get(*, user, pk) -> EventPhoto:
    try:
        photo = EventPhoto.objects.select_related("event").get(pk=int(pk))
    except (EventPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404
    if not event_visible(user=user, event=photo.event):
        raise Http404
    return photo


def partner_units() -> QuerySet[PartnerUnit]:
    return PartnerUnit.objects.filter(is_active=True)


def partner_unit_list(*, user) -> QuerySet[PartnerUnit]:
    """Every partner unit, the inactive ones too, for the staff who see events (one list per installation)."""
    if _is_resident(user) or not getattr(user, "is_authenticated", False) or not user.can("events.view"):
        return PartnerUnit.objects.none()
    return PartnerUnit.objects.annotate(n_events=Count("events"))


def partner_unit_get(*, user, pk) -> PartnerUnit:
    try:
        return partner_unit_list(user=user).get(pk=int(pk))
    except (PartnerUnit.DoesNotExist, ValueError, TypeError):
        raise Http404


def partners_manageable(*, user) -> bool:
    """Partner units are kept by 街道-level staff (see `services.partner_unit_update`)."""
    return bool(getattr(user, "is_authenticated", False) and user.can("events.manage")
                and scope_node_ids(user, NodeKind.SUBDISTRICT))


def series_list(*, user) -> QuerySet[Series]:
    if not getattr(user, "is_authenticated", False):
        return Series.objects.none()
    return Series.objects.filter(_scope_q(user)).select_related("node")


def festival_list(*, user) -> QuerySet[Festival]:
    if not getattr(user, "is_authenticated", False):
        return Festival.objects.none()
    return Festival.objects.filter(_scope_q(user)).select_related("node")


def series_get(*, user, pk) -> Series:
    try:
        return series_list(user=user).get(pk=int(pk))
    except (Series.DoesNotExist, ValueError, TypeError):
        raise Http404


def festival_get(*, user, pk) -> Festival:
    try:
        return festival_list(user=user).get(pk=int(pk))
    except (Festival.DoesNotExist, ValueError, TypeError):
        raise Http404


def node_manageable(*, user, node) -> bool:
    """A series, festival or delegation is edited by `events.manage` staff whose jurisdiction holds its node (a
    committee worker sees the 街道's series but does not edit it)."""
    return bool(getattr(user, "is_authenticated", False) and user.can("events.manage") and in_scope(user, node))


def delegation_list(*, user) -> QuerySet[Delegation]:
    if _is_resident(user) or not getattr(user, "is_authenticated", False) or not user.can("events.view"):
        return Delegation.objects.none()
    return filter_by_scope(Delegation.objects.select_related("node"), user, "node").prefetch_related("facilities")


def delegation_get(*, user, pk) -> Delegation:
    try:
        return delegation_list(user=user).get(pk=int(pk))
    except (Delegation.DoesNotExist, ValueError, TypeError):
        raise Http404


def _bounds(start: dt.date, end: dt.date):
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def participation_count(*, user=None, start: dt.date | None = None, end: dt.date | None = None,
                        node_ids=None) -> int:
    """活动参与人次: attendances checked in at events held in [start, end] (dates, inclusive), plus the members of
    visiting delegations received in it. Scoped to the user's jurisdiction when a user is given (`node_ids`
    narrows further, e.g. one committee). This is the figure of the "20,000 participations" target."""
    regs = Registration.objects.filter(status=RegistrationStatus.ATTENDED)
    dels = Delegation.objects.all()
    if start and end:
        lo, hi = _bounds(start, end)
        regs = regs.filter(event__start__gte=lo, event__start__lt=hi)
        dels = dels.filter(date__gte=start, date__lte=end)
    if user is not None:
        regs = filter_by_scope(regs, user, "event__node")
        dels = filter_by_scope(dels, user, "node")
    if node_ids is not None:
        regs = regs.filter(event__node_id__in=node_ids)
        dels = dels.filter(node_id__in=node_ids)
    return regs.count() + (dels.aggregate(n=Sum("member_count"))["n"] or 0)


def participation_by_committee(*, user, start: dt.date, end: dt.date) -> tuple[int, dict[int, int]]:
    """`participation_count` of the user's scope over [start, end]: the total (the 街道's own events and
    delegations included) and each committee's share (its own events' attendances and the delegations it
    received). Two grouped queries and one sum, whatever the number of committees."""
    lo, hi = _bounds(start, end)
    regs = filter_by_scope(Registration.objects.filter(status=RegistrationStatus.ATTENDED, event__start__gte=lo,
                                                       event__start__lt=hi), user, "event__node")
    dels = filter_by_scope(Delegation.objects.filter(date__gte=start, date__lte=end), user, "node")
    committees = scope_node_ids(user, NodeKind.COMMITTEE)
    by_node: dict[int, int] = {}
    for row in regs.values("event__node_id").annotate(n=Count("id")).order_by():
        by_node[row["event__node_id"]] = by_node.get(row["event__node_id"], 0) + row["n"]
    for row in dels.values("node_id").annotate(n=Sum("member_count")).order_by():
        by_node[row["node_id"]] = by_node.get(row["node_id"], 0) + (row["n"] or 0)
    return sum(by_node.values()), {pk: n for pk, n in by_node.items() if pk in committees}


def participation_by_month(*, user, months: list[dt.date], date_to: dt.date, node_ids=None) -> dict[dt.date, int]:
    """`participation_count` of each month of `months` (first days, ascending; the last one runs to `date_to`)."""
    out = {}
    for i, month in enumerate(months):
        last = months[i + 1] - dt.timedelta(days=1) if i + 1 < len(months) else date_to
        out[month] = participation_count(user=user, start=month, end=last, node_ids=node_ids)
    return out


def delegations_by_committee(*, user, start: dt.date, end: dt.date) -> tuple[int, dict[int, int]]:
    """Visiting delegations received over [start, end] in the user's scope: the total and each committee's."""
    dels = filter_by_scope(Delegation.objects.filter(date__gte=start, date__lte=end), user, "node")
    committees = scope_node_ids(user, NodeKind.COMMITTEE)
    rows = {r["node_id"]: r["n"] for r in dels.values("node_id").annotate(n=Count("id")).order_by()}
    return sum(rows.values()), {pk: n for pk, n in rows.items() if pk in committees}


def figures(*, user, start: dt.date, end: dt.date, node_ids=None) -> dict:
    """Headline figures of the period for the cockpit: events held, registrations, attendances, delegations."""
    lo, hi = _bounds(start, end)
    events = Event.objects.filter(start__gte=lo, start__lt=hi).exclude(status=EventStatus.CANCELLED)
    dels = Delegation.objects.filter(date__gte=start, date__lte=end)
    if user is not None:
        events = filter_by_scope(events, user, "node")
        dels = filter_by_scope(dels, user, "node")
    if node_ids is not None:
        events = events.filter(node_id__in=node_ids)
    regs = Registration.objects.filter(event__in=events)
    row = regs.aggregate(registered=Count("id", filter=~Q(status=RegistrationStatus.CANCELLED)),
                         attended=Count("id", filter=Q(status=RegistrationStatus.ATTENDED)))
    if node_ids is not None:
        dels = dels.filter(node_id__in=node_ids)
    return {"events": events.count(), "registered": row["registered"], "attended": row["attended"],
            "delegations": dels.count(), "participations": participation_count(user=user, start=start, end=end,
                                                                               node_ids=node_ids)}


def committees_of(user):
    return scope_node_ids(user, NodeKind.COMMITTEE)
