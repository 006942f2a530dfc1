"""Writes of the linkage team (联勤): the 四班三运转 roster, leave and swaps, patrol logs with grid check-ins."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import ConflictError, DomainError
from shequ.core.inputs import check_length

from ..choices import ShiftCode
from ..models import DutyTeam, PatrolCheckin, PatrolLog, RosterDay, RosterOverride, ShiftPattern, TeamMember
from ..selectors import current_shift_code, member_shift, shift_for, shift_pattern
from .common import ActionForbidden, locate, require_text


def active_pattern() -> ShiftPattern:
    """The pattern the roster is generated from; refused when none is configured."""
    pattern = shift_pattern()
    if pattern is None:
        raise DomainError(_("尚未配置四班三运转轮转序列。"), {"pattern": [_("请在系统配置中添加轮转序列。")]})
    return pattern


def _validate_pattern(pattern: ShiftPattern) -> None:
    slots = pattern.slots.strip().upper()
    if not slots or any(c not in "EMNO" for c in slots):
        raise DomainError(_("轮转序列只能由 E(早) M(中) N(夜) O(休) 组成。"), {"slots": [_("序列无效。")]})


@transaction.atomic
def roster_generate(*, actor, year: int, month: int) -> int:
    """Write the roster of one month from the active pattern (replacing what was there)."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise DomainError(_("月份无效。"), {"month": [_("月份无效。")]})
    pattern = active_pattern()
    _validate_pattern(pattern)
    teams = list(DutyTeam.objects.all())
    if not teams:
        raise DomainError(_("尚未建立联勤班组。"), {"team": [_("请先建立班组。")]})
    first = dt.date(year, month, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    RosterDay.objects.filter(date__range=(first, last)).delete()
    rows = []
    day = first
    while day <= last:
        for team in teams:
            rows.append(RosterDay(date=day, team=team, shift=shift_for(pattern, team, day)))
        day += dt.timedelta(days=1)
    RosterDay.objects.bulk_create(rows)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="grid.rosterday",
                 object_repr=f"{year}-{month:02d}", detail={"rows": len(rows), "pattern": pattern.slots})
    return len(rows)


@transaction.atomic
def roster_override_set(*, actor, member: TeamMember, date: dt.date, shift: str, reason: str) -> RosterOverride:
    if shift not in ShiftCode.values:
        raise DomainError(_("班次无效。"), {"shift": [_("班次无效。")]})
    reason = check_length(require_text(reason, "reason", _("请填写调班或请假原因。")), 100, "reason", _("原因"))
    row, _created = RosterOverride.objects.update_or_create(date=date, member=member,
                                                             defaults={"shift": shift, "reason": reason})
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=row,
                 detail={"member": member.name, "date": date.isoformat(), "shift": shift})
    return row


def _member_of(actor) -> TeamMember:
    member = TeamMember.objects.filter(user=actor, is_active=True).first() if actor else None
    if member is None:
        raise DomainError(_("您不是联勤队员，不能登记巡查。"), {"member": [_("账号未关联联勤队员。")]})
    return member


def _shift_label(member: TeamMember, shift: str) -> str:
    """"甲班 · 早班 06:30–14:30": the team and the shift as the roster names them at this moment."""
    from ..selectors.roster import shift_types

    shift_type = shift_types().get(shift)
    if shift_type is not None:
        name = f"{shift_type.name} {shift_type.start:%H:%M}–{shift_type.end:%H:%M}"
    else:
        name = str(ShiftCode(shift).label)
    team = member.team.name if member.team_id else ""
    return " · ".join(x for x in (team, name) if x)[:60]


@transaction.atomic
def patrol_start(*, actor, shift: str = "", note: str = "") -> PatrolLog:
    member = _member_of(actor)
    note = check_length((note or "").strip(), 500, "note", _("巡查记录"))
    if PatrolLog.objects.filter(member=member, ended_at__isnull=True).exists():
        raise ConflictError(_("您有一次巡查尚未结束。"), {"patrol": [_("请先结束当前巡查。")]})
    shift = shift or member_shift(member) or current_shift_code() or ShiftCode.EARLY
    if shift not in ShiftCode.values or shift == ShiftCode.OFF:
        raise DomainError(_("班次无效。"), {"shift": [_("班次无效。")]})
    log = PatrolLog.objects.create(member=member, node=member.node, shift=shift, started_at=timezone.now(),
                                   note=note, shift_label=_shift_label(member, shift))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=log, detail={"shift": log.shift_label})
    return log


@transaction.atomic
def patrol_checkin(*, actor, log: PatrolLog, lat, lng, note: str = "") -> PatrolCheckin:
    if log.member.user_id != getattr(actor, "pk", None):
        raise ActionForbidden(_("只能在自己的巡查中打卡。"), {"patrol": [_("不是您的巡查。")]})
    if log.ended_at:
        raise ConflictError(_("该次巡查已结束。"), {"patrol": [_("巡查已结束。")]})
    note = check_length((note or "").strip(), 200, "note", _("打卡说明"))
    hit = locate(lat, lng)
    checkin = PatrolCheckin.objects.create(log=log, grid_id=hit.id, lat=float(lat), lng=float(lng), note=note)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=log, detail={"checkin": hit.code})
    return checkin


@transaction.atomic
def patrol_end(*, actor, log: PatrolLog, note: str = "") -> PatrolLog:
    if log.member.user_id != getattr(actor, "pk", None):
        raise ActionForbidden(_("只能结束自己的巡查。"), {"patrol": [_("不是您的巡查。")]})
    if log.ended_at:
        raise ConflictError(_("该次巡查已结束。"), {"patrol": [_("巡查已结束。")]})
    note = (note or "").strip()
    if note:
        log.note = check_length((log.note + "\n" + note).strip(), 500, "note", _("巡查记录（含开始时的记录）"))
    log.ended_at = timezone.now()
    log.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=log, detail={"end": True})
    return log
