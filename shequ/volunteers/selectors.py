"""Reads of the volunteer service, scoped.

- Teams and activities are public within the 街道: staff see those of the 街道 they act for (a committee worker
  or a volunteer scoped to a committee sees the 街道-wide teams and every committee's); a resident sees the
  published ones. An activity of another 街道 is 404.
- Volunteer profiles: the volunteer himself, the 志愿中心's admins and staff of the committee he belongs to.
- Organising (the code, the records) is for the team's admins and the centre's admins (`may_organise`).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from shequ.core.choices import NodeKind, Role
from shequ.core.models import Node
from shequ.core.scoping import filter_by_scope, in_scope, scope_paths

from .choices import ActivityStatus, NoticeStatus, RecordStatus, SignupStatus
from .models import (Activity, Centre, Certificate, Record, Rules, Signup, StarNotice, Station, Team, TeamMonth,
                     Volunteer)


def rules() -> Rules:
    return Rules.objects.order_by("id").first() or Rules()


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def subdistrict_paths(user) -> list[str]:
    """The 街道 (or wider) paths whose volunteer service the user takes part in: the 街道 above each node of
    his scope. A resident (no scope) has none: he sees everything published."""
    out = []
    for path in scope_paths(user):
        parts = path.strip("/").split("/")
        # /district/subdistrict/committee/grid: keep at most the first two levels
        out.append("/" + "/".join(parts[:2]) + "/")
    return sorted(set(out))


def _by_subdistrict(qs: QuerySet, user, field: str) -> QuerySet:
    if not _authenticated(user):
        return qs.none()
    if user.role == Role.RESIDENT:
        return qs
    paths = subdistrict_paths(user)
    if not paths:
        return qs.none()
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return qs.filter(condition)


def centre_for(*, node: Node) -> Centre | None:
    parts = node.path.strip("/").split("/")
    if len(parts) < 2:
        return None
    return Centre.objects.filter(node__path="/" + "/".join(parts[:2]) + "/").first()


def centre_admin(*, user, centre: Centre) -> bool:
    return _authenticated(user) and centre.admins.filter(pk=user.pk).exists()


def team_list(*, user) -> QuerySet[Team]:
    qs = Team.objects.filter(is_active=True).select_related("committee", "centre__node")
    return _by_subdistrict(qs, user, "centre__node")


def team_get(*, user, pk) -> Team:
    try:
        return team_list(user=user).get(pk=int(pk))
    except (Team.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_organise(*, user, team: Team) -> bool:
    """Team admins publish and run their team's activities; the centre's admins every team's; a 街道 leader
    in scope too."""
    if not _authenticated(user) or not user.can("volunteers.organise"):
        return False
    if team.admins.filter(pk=user.pk).exists() or centre_admin(user=user, centre=team.centre):
        return True
    return user.role == Role.LEADER and in_scope(user, team.centre.node)


def organised_teams(*, user) -> QuerySet[Team]:
    qs = team_list(user=user)
    if not _authenticated(user) or not user.can("volunteers.organise"):
        return qs.none()
    if user.role == Role.LEADER:
        return qs
    return qs.filter(Q(admins=user) | Q(centre__admins=user)).distinct()


def may_manage(*, user, centre: Centre) -> bool:
    """Honour hours, stars and the certificate register: the centre's admins and the 街道 leader."""
    if not _authenticated(user) or not user.can("volunteers.manage"):
        return False
    return centre_admin(user=user, centre=centre) or (user.role == Role.LEADER and in_scope(user, centre.node))


def bookable_rooms(*, user):
    """The rooms an organiser may book for an activity (the facilities module's rooms in his scope, open to
    booking), or None when he may not book rooms."""
    from shequ.facilities import selectors as facilities

    if not _authenticated(user) or not user.can("facilities.book"):
        return None
    return facilities.room_list(user=user).filter(bookable=True, facility__is_active=True)


def activity_list(*, user) -> QuerySet[Activity]:
    qs = Activity.objects.select_related("team", "node")
    qs = _by_subdistrict(qs, user, "node")
    if _authenticated(user) and user.role == Role.RESIDENT:
        qs = qs.filter(status=ActivityStatus.PUBLISHED)
    return qs


def activity_get(*, user, pk) -> Activity:
    try:
        return activity_list(user=user).get(pk=int(pk))
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def upcoming(*, user, now: dt.datetime | None = None) -> QuerySet[Activity]:
    now = now or timezone.now()
    return activity_list(user=user).filter(status=ActivityStatus.PUBLISHED, end__gt=now).order_by("start", "id")


def volunteer_of(user) -> Volunteer | None:
    if not _authenticated(user):
        return None
    return Volunteer.objects.filter(user=user).first()


def volunteer_list(*, user) -> QuerySet[Volunteer]:
    qs = Volunteer.objects.select_related("committee")
    if not _authenticated(user) or not user.can("volunteers.view"):
        return qs.none()
    if user.role in (Role.RESIDENT, Role.VOLUNTEER) and not Centre.objects.filter(admins=user).exists():
        return qs.filter(user=user)
    if Centre.objects.filter(admins=user).exists() or user.role == Role.LEADER:
        return _by_subdistrict(qs, user, "committee")
    paths = scope_paths(user)
    if not paths:
        return qs.none()
    condition = Q()
    for path in paths:
        condition |= Q(committee__path__startswith=path)
    return qs.filter(condition)


def volunteer_get(*, user, pk) -> Volunteer:
    try:
        return volunteer_list(user=user).get(pk=int(pk))
    except (Volunteer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def signup_of(*, activity: Activity, volunteer: Volunteer | None) -> Signup | None:
    if volunteer is None:
        return None
    return Signup.objects.filter(activity=activity, volunteer=volunteer,
                                 status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]).first()


def wait_position(*, signup: Signup) -> int:
    """1-based place on the wait-list (0 when confirmed)."""
    if signup.status != SignupStatus.WAITLISTED:
        return 0
    return Signup.objects.filter(activity_id=signup.activity_id, status=SignupStatus.WAITLISTED,
                                 wait_position__lte=signup.wait_position).count()


def my_signups(*, volunteer: Volunteer) -> QuerySet[Signup]:
    """His sign-ups to activities not yet over (the past ones are in his service records)."""
    return volunteer.signups.filter(status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITLISTED],
                                    activity__end__gt=timezone.now()) \
        .select_related("activity__team").order_by("activity__start")


def open_record(*, activity: Activity, volunteer: Volunteer) -> Record | None:
    return Record.objects.filter(activity=activity, volunteer=volunteer, status=RecordStatus.OPEN).first()


def records_of(*, volunteer: Volunteer) -> QuerySet[Record]:
    return volunteer.records.select_related("activity__team").order_by("-check_in", "-id")


def activity_records(*, activity: Activity) -> QuerySet[Record]:
    return activity.records.select_related("volunteer", "corrects").order_by("volunteer__name_pinyin", "id")


def records_to_review(*, user) -> QuerySet[Record]:
    return Record.objects.filter(status=RecordStatus.PENDING, activity__team__in=organised_teams(user=user)) \
        .select_related("activity", "volunteer")


def hours_and_star(*, volunteer_id: int) -> dict:
    """What a volunteer's page shows first: the running totals, one indexed row (the benchmark's < 10 ms read)."""
    row = Volunteer.objects.filter(pk=volunteer_id).values("credited_minutes", "honour_minutes", "star").first()
    if row is None:
        raise Http404
    return {"credited_hours": round(row["credited_minutes"] / 60, 1),
            "honour_hours": round(row["honour_minutes"] / 60, 1), "star": row["star"]}


def credited_minutes_from_records(*, volunteer_id: int) -> int:
    total = Record.objects.filter(volunteer_id=volunteer_id, status=RecordStatus.APPROVED) \
        .aggregate(s=Sum("credited_minutes"))["s"]
    return total or 0


def star_for(minutes: int, thresholds: list[int]) -> int:
    hours = minutes / 60
    return sum(1 for t in thresholds if hours >= t)


def month_of(moment: dt.datetime) -> dt.date:
    """The first day of the local month of a moment: the key of `TeamMonth`."""
    return timezone.localtime(moment).date().replace(day=1)


def monthly_hours_by_team(*, user, year: int) -> list[dict]:
    """Credited hours per team and month of a year (the 街道's monthly report), from the per-team monthly totals
    the approvals keep (`TeamMonth`): at most 12 × teams rows, whatever the number of records."""
    teams = team_list(user=user)
    names = dict(teams.values_list("id", "name"))
    rows = (TeamMonth.objects.filter(team_id__in=list(names), month__gte=dt.date(year, 1, 1),
                                     month__lte=dt.date(year, 12, 1), records__gt=0)
            .values_list("team_id", "month", "credited_minutes").order_by("month", "team_id"))
    return [{"team": names[team_id], "team_id": team_id, "month": month.month, "hours": round(minutes / 60, 1)}
            for team_id, month, minutes in rows]


def team_months_from_records(*, team_ids=None) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """The monthly totals recomputed from the approved records, {(team, month): (minutes, records)}: what
    `manage.py volunteer_totals` compares `TeamMonth` with. One grouped query per month of the records' span (a
    range on the (status, check_in) index, no date function per record)."""
    approved = Record.objects.filter(status=RecordStatus.APPROVED)
    if team_ids is not None:
        approved = approved.filter(activity__team_id__in=list(team_ids))
    span = approved.aggregate(first=Min("check_in"), last=Max("check_in"))
    out: dict = {}
    if span["first"] is None:
        return out
    month, last = month_of(span["first"]), month_of(span["last"])
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        start = timezone.make_aware(dt.datetime.combine(month, dt.time()))
        end = timezone.make_aware(dt.datetime.combine(following, dt.time()))
        for team_id, minutes, count in (approved.filter(check_in__gte=start, check_in__lt=end)
                                        .values("activity__team_id").order_by()
                                        .annotate(m=Sum("credited_minutes"), n=Count("id"))
                                        .values_list("activity__team_id", "m", "n")):
            out[(team_id, month)] = (minutes or 0, count)
        month = following
    return out


def team_members(*, team: Team) -> QuerySet[Volunteer]:
    return team.members.select_related("committee").order_by("name_pinyin", "id")


def team_year_hours(*, team: Team, year: int) -> list[float]:
    """The team's credited hours month by month in a year (12 figures), from `TeamMonth`."""
    months = [0.0] * 12
    for month, minutes in TeamMonth.objects.filter(team=team, month__gte=dt.date(year, 1, 1),
                                                   month__lte=dt.date(year, 12, 1)) \
            .values_list("month", "credited_minutes"):
        months[month.month - 1] = round(minutes / 60, 1)
    return months


def station_get(*, user, pk) -> Station:
    try:
        return stations(user=user).select_related("centre").get(pk=int(pk))
    except (Station.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def station_teams(*, station: Station) -> tuple[QuerySet[Team], QuerySet[Team]]:
    """(the committee's own teams — its brand team —, the 街道-wide teams serving it)."""
    own = Team.objects.filter(is_active=True, committee=station.committee).order_by("name_pinyin", "id")
    wide = Team.objects.filter(is_active=True, centre=station.centre, committee__isnull=True) \
        .order_by("kind", "name_pinyin", "id")
    return own, wide


def station_activities(*, user, station: Station, now: dt.datetime | None = None) -> QuerySet[Activity]:
    """The activities held for the station's committee (its teams' activities), upcoming first."""
    now = now or timezone.now()
    return activity_list(user=user).filter(node=station.committee, end__gt=now).order_by("start", "id")


def notices_public() -> QuerySet[StarNotice]:
    today = timezone.localdate()
    return StarNotice.objects.filter(status=NoticeStatus.NOTICE, notice_until__gte=today) \
        .select_related("volunteer").order_by("-notice_from", "id")


def notices_due(*, centre: Centre | None = None) -> QuerySet[StarNotice]:
    today = timezone.localdate()
    return StarNotice.objects.filter(status=NoticeStatus.NOTICE, notice_until__lt=today).select_related("volunteer")


def certificate_by_number(*, number: str) -> Certificate | None:
    number = (number or "").strip().upper()[:24]
    if not number:
        return None
    return Certificate.objects.filter(number=number).select_related("volunteer", "centre").first()


def certificate_get(*, user, pk) -> Certificate:
    volunteer = volunteer_of(user)
    qs = Certificate.objects.select_related("volunteer", "centre")
    try:
        cert = qs.get(pk=int(pk))
    except (Certificate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if volunteer is not None and cert.volunteer_id == volunteer.pk:
        return cert
    if may_manage(user=user, centre=cert.centre):
        return cert
    raise Http404


def stations(*, user) -> QuerySet[Station]:
    return _by_subdistrict(Station.objects.select_related("committee"), user, "committee")


def committees_for(*, user) -> QuerySet[Node]:
    return _by_subdistrict(Node.objects.filter(kind=NodeKind.COMMITTEE, is_active=True), user, "parent") \
        if user.role != Role.RESIDENT else Node.objects.none()


# The 市容环境 teams: the standing team of that name and any team whose name carries it (a committee's 市容环境
# brand team, a skill team for waste sorting named so). Their members are the "environmental volunteers" of the
# 低碳延吉 target.
ENVIRONMENT_TEAM = "市容环境"


def environment_volunteers(*, user, end: dt.date) -> dict[int, int]:
    """环保（市容环境）志愿者: the distinct volunteers registered by the end of `end` who are members of an active
    市容环境 team, by their committee, within the user's scope. One grouped query."""
    limit = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    qs = Volunteer.objects.filter(created_at__lt=limit, teams__is_active=True,
                                  teams__name__contains=ENVIRONMENT_TEAM)
    qs = filter_by_scope(qs, user, "committee")
    rows = qs.values("committee_id").annotate(n=Count("id", distinct=True)).order_by()
    return {r["committee_id"]: r["n"] for r in rows}
