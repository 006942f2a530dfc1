"""Reads of the queue: what is waiting, estimated waits from today's real service times, window states."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q
from django.http import Http404
from django.utils import timezone

from shequ.core.choices import NodeKind
from shequ.core.scoping import scope_node_ids

from ..choices import APPOINTMENT_NUMBER_REGEX, TICKET_ACTIVE, TicketStatus, is_appointment_number
from ..models import QueueCategory, Ticket, Window, WindowSkill


def windows_for(*, user) -> list[Window]:
    return list(Window.objects.filter(node_id__in=scope_node_ids(user, NodeKind.SUBDISTRICT))
                .select_related("current_clerk", "node").prefetch_related("skills__category")
                .order_by("node", "number"))


def window_get(*, user, number) -> Window:
    try:
        return (Window.objects.filter(node_id__in=scope_node_ids(user, NodeKind.SUBDISTRICT))
                .select_related("current_clerk", "node").get(number=int(number)))
    except (Window.DoesNotExist, Window.MultipleObjectsReturned, TypeError, ValueError):
        raise Http404 from None


def window_get_by_pk(*, user, pk) -> Window:
    try:
        return (Window.objects.filter(node_id__in=scope_node_ids(user, NodeKind.SUBDISTRICT))
                .select_related("current_clerk", "node").get(pk=int(pk)))
    except (Window.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def ticket_get(*, user, pk) -> Ticket:
    try:
        return (Ticket.objects.filter(node_id__in=scope_node_ids(user, NodeKind.SUBDISTRICT))
                .select_related("category", "window").get(pk=int(pk)))
    except (Ticket.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def active_ticket(window: Window) -> Ticket | None:
    return (Ticket.objects.filter(window=window, status__in=TICKET_ACTIVE).select_related("category")
            .order_by("-last_called_at").first())


def _minutes(delta) -> float:
    return delta.total_seconds() / 60


@dataclass
class CategoryState:
    category: QueueCategory
    waiting: int
    priority_waiting: int
    booked_waiting: int  # of them, tickets of the "Y 预约" lane
    avg_service_minutes: float
    measured: bool  # True when the average comes from today's finished tickets
    open_windows: int
    estimate_minutes: int
    longest_wait_minutes: int


def queue_state(*, node, category_id: int | None = None) -> list[CategoryState]:
    """Per category (or for one): people waiting, open windows that serve it and the wait a newcomer can
    expect. The averages are computed by the database over today's finished tickets."""
    now = timezone.now()
    today = timezone.localdate(now)
    tickets = Ticket.objects.filter(node=node, day=today)
    categories = QueueCategory.objects.filter(is_active=True)
    if category_id is not None:
        tickets = tickets.filter(category_id=category_id)
        categories = categories.filter(pk=category_id)
    waiting = {row["category"]: row for row in tickets.filter(status=TicketStatus.WAITING).values("category").annotate(
        n=Count("id"), p=Count("id", filter=Q(priority=True)),
        y=Count("id", filter=Q(number__regex=APPOINTMENT_NUMBER_REGEX)), oldest=Min("issued_at"))}
    service = {row["category"]: row["avg"] for row in tickets.filter(
        status=TicketStatus.DONE, started_at__isnull=False, finished_at__isnull=False).values("category").annotate(
        avg=Avg(ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())))}
    open_windows = dict(WindowSkill.objects.filter(window__node=node, window__is_active=True,
                                                   window__is_paused=False, window__current_clerk__isnull=False)
                        .values_list("category").annotate(n=Count("window", distinct=True)))
    states = []
    for category in categories:
        row = waiting.get(category.pk, {})
        measured = service.get(category.pk)
        avg = _minutes(measured) if measured is not None else float(category.default_service_minutes)
        n = row.get("n", 0)
        windows = open_windows.get(category.pk, 0)
        estimate = math.ceil(n * avg / max(windows, 1))
        oldest = row.get("oldest")
        states.append(CategoryState(category=category, waiting=n, priority_waiting=row.get("p", 0),
                                    booked_waiting=row.get("y", 0),
                                    avg_service_minutes=round(avg, 1), measured=measured is not None,
                                    open_windows=windows, estimate_minutes=estimate,
                                    longest_wait_minutes=int(_minutes(now - oldest)) if oldest else 0))
    return states


def people_ahead(ticket: Ticket) -> int:
    """Waiting tickets of the same category that will be called before this one: priority tickets, then the
    "Y 预约" lane (checked-in appointments), then walk-ins, each in the order they were taken."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    same = Ticket.objects.filter(node=ticket.node_id, day=ticket.day, category=ticket.category_id,
                                 status=TicketStatus.WAITING).exclude(pk=ticket.pk)
    earlier = Q(issued_at__lte=ticket.issued_at)
    booked = Q(number__regex=APPOINTMENT_NUMBER_REGEX)
    if ticket.priority:
        return same.filter(Q(priority=True) & earlier).count()
    if is_appointment_number(ticket.number):
        return same.filter(Q(priority=True) | (booked & earlier)).count()
    return same.filter(Q(priority=True) | booked | earlier).count()


def ticket_estimate(ticket: Ticket, states: list[CategoryState] | None = None) -> int:
    states = states if states is not None else queue_state(node=ticket.node_id, category_id=ticket.category_id)
    state = next((s for s in states if s.category.pk == ticket.category_id), None)
    if state is None:
        return 0
    return math.ceil(people_ahead(ticket) * state.avg_service_minutes / max(state.open_windows, 1))


@dataclass
class WindowState:
    window: Window
    ticket: Ticket | None
    state: str  # closed / paused / idle / calling / serving
    served_today: int


def window_states(*, node) -> list[WindowState]:
    today = timezone.localdate()
    windows = list(Window.objects.filter(node=node, is_active=True).select_related("current_clerk")
                   .prefetch_related("skills__category").order_by("number"))
    active = {t.window_id: t for t in Ticket.objects.filter(window__in=windows, status__in=TICKET_ACTIVE)
              .select_related("category")}
    served = dict(Ticket.objects.filter(window__in=windows, day=today, status=TicketStatus.DONE)
                  .values_list("window").annotate(n=Count("id")))
    result = []
    for w in windows:
        ticket = active.get(w.pk)
        if w.current_clerk_id is None:
            state = "closed"
        elif ticket is not None:
            state = "calling" if ticket.status == TicketStatus.CALLED else "serving"
        elif w.is_paused:
            state = "paused"
        else:
            state = "idle"
        result.append(WindowState(window=w, ticket=ticket, state=state, served_today=served.get(w.pk, 0)))
    return result


def recent_calls(*, node, limit: int = 6) -> list[Ticket]:
    today = timezone.localdate()
    return list(Ticket.objects.filter(node=node, day=today, status__in=TICKET_ACTIVE)
                .select_related("window", "category").order_by("-last_called_at")[:limit])


def recent_tickets(*, window: Window, limit: int = 8) -> list[Ticket]:
    today = timezone.localdate()
    return list(Ticket.objects.filter(window=window, day=today).exclude(status__in=TICKET_ACTIVE)
                .select_related("category").order_by("-finished_at", "-last_called_at")[:limit])


def no_show_today(*, node, limit: int = 20) -> list[Ticket]:
    today = timezone.localdate()
    return list(Ticket.objects.filter(node=node, day=today, status=TicketStatus.NO_SHOW)
                .select_related("category").order_by("-last_called_at")[:limit])
