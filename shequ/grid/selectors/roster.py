"""Reads of the linkage team: the active 四班三运转 pattern, who is on duty, a month's roster, patrol logs."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from shequ.core.choices import Role
from shequ.core.scoping import filter_by_scope

from ..choices import ShiftCode
from ..models import DutyTeam, PatrolLog, RosterDay, RosterOverride, ShiftPattern, ShiftType, TeamMember


def shift_types() -> dict[str, ShiftType]:
    return {s.code: s for s in ShiftType.objects.all()}


def shift_pattern() -> ShiftPattern | None:
    """The active 四班三运转 pattern (the newest), or None."""
    return ShiftPattern.objects.filter(is_active=True).order_by("-id").first()


def shift_for(pattern: ShiftPattern, team: DutyTeam, day: dt.date) -> str:
    slots = pattern.slots
    return slots[((day - pattern.anchor).days + team.offset) % len(slots)]


def team_shift(team: DutyTeam, day: dt.date, pattern=None, generated: dict | None = None) -> str:
    if generated is not None and (day, team.pk) in generated:
        return generated[(day, team.pk)]
    pattern = pattern or shift_pattern()
    if pattern is None:
        return ""
    return shift_for(pattern, team, day)


def current_shift_code(at: dt.datetime | None = None) -> str:
    code, _day = current_shift(at)
    return code


def current_shift(at: dt.datetime | None = None) -> tuple[str, dt.date | None]:
    """The shift running at `at` and the day it belongs to (a night shift after midnight belongs to the day
    before)."""
    local = timezone.localtime(at or timezone.now())
    t = local.time()
    for code, shift in shift_types().items():
        if shift.crosses_midnight:
            if t >= shift.start:
                return code, local.date()
            if t < shift.end:
                return code, local.date() - dt.timedelta(days=1)
        elif shift.start <= t < shift.end:
            return code, local.date()
    return "", None


# A member who comes in early for his shift (and logs the patrol before it starts) works that shift, not the one
# still running: 甲班 starting at 06:14 for its 06:30 early shift is on the early shift, not on nights.
EARLY_START = dt.timedelta(minutes=60)


def member_shift(member: TeamMember, at: dt.datetime | None = None) -> str:
    """The shift a member works at `at`, from his team's roster (generated or by the pattern) and his own leave
    or swap that day: the rostered shift whose hours (opened an hour early) contain `at`; "" when none does."""
    local = timezone.localtime(at or timezone.now())
    types = shift_types()
    pattern = shift_pattern()
    for day in (local.date(), local.date() - dt.timedelta(days=1)):
        override = RosterOverride.objects.filter(date=day, member=member).values_list("shift", flat=True).first()
        if override is not None:
            code = override
        elif member.team_id:
            generated = {(r.date, r.team_id): r.shift for r in RosterDay.objects.filter(date=day, team_id=member.team_id)}
            code = team_shift(member.team, day, pattern, generated)
        else:
            code = ""
        shift = types.get(code)
        if shift is None:
            continue
        start = timezone.make_aware(dt.datetime.combine(day, shift.start), local.tzinfo)
        end = timezone.make_aware(dt.datetime.combine(day, shift.end), local.tzinfo)
        if end <= start:
            end += dt.timedelta(days=1)
        if start - EARLY_START <= local < end:
            return code
    return ""


def on_duty(*, at: dt.datetime | None = None) -> dict:
    """Who is on duty now: the team working the current shift, minus members on leave, plus swaps in."""
    code, day = current_shift(at)
    result = {"shift": shift_types().get(code), "code": code, "day": day, "team": None, "members": []}
    if not code:
        return result
    pattern = shift_pattern()
    generated = {(r.date, r.team_id): r.shift for r in RosterDay.objects.filter(date=day)}
    team = next((t for t in DutyTeam.objects.all() if team_shift(t, day, pattern, generated) == code), None)
    overrides = {o.member_id: o for o in RosterOverride.objects.filter(date=day).select_related("member")}
    members = []
    if team:
        for m in team.members.filter(is_active=True):
            override = overrides.get(m.pk)
            if override is None or override.shift == code:
                members.append(m)
    for override in overrides.values():
        if override.shift == code and override.member not in members and override.member.is_active:
            members.append(override.member)
    result.update(team=team, members=members)
    return result


def roster_month(*, year: int, month: int) -> dict:
    first = dt.date(year, month, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    teams = list(DutyTeam.objects.prefetch_related("members"))
    generated = {(r.date, r.team_id): r.shift for r in RosterDay.objects.filter(date__range=(first, last))}
    pattern = shift_pattern()
    grid = {team.pk: [team_shift(team, d, pattern, generated) for d in days] for team in teams}
    overrides = list(RosterOverride.objects.filter(date__range=(first, last)).select_related("member", "member__team"))
    return {"days": days, "teams": teams, "grid": grid, "generated": bool(generated), "overrides": overrides,
            "first": first, "last": last}


def team_members() -> QuerySet:
    return TeamMember.objects.select_related("team", "user").order_by("team__code", "sort_order", "id")


def shift_label(code: str) -> str:
    return str(ShiftCode(code).label) if code in ShiftCode.values else ""


def team_member_of(*, user) -> TeamMember | None:
    return TeamMember.objects.filter(user=user).select_related("team").first() if user else None


def patrol_logs(*, user) -> QuerySet:
    """Patrol logs of the user's jurisdiction; a patrol member sees only their own."""
    qs = filter_by_scope(PatrolLog.objects.all(), user, "node").select_related(
        "member", "member__team").prefetch_related("checkins__grid")
    if user.role == Role.PATROL:
        qs = qs.filter(member__user=user)
    return qs.order_by("-started_at", "-id")


def patrol_current(*, user) -> PatrolLog | None:
    return PatrolLog.objects.filter(member__user=user, ended_at__isnull=True).select_related("member").first()
