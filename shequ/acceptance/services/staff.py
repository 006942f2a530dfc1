"""Windows, their categories (skills), the half-day rota and staff skills (统一窗口调度)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import ConflictError, DomainError

from ..choices import HalfDay, SkillLevel
from ..models import QueueCategory, RotaSlot, StaffSkill, Window, WindowSkill
from .common import CLERK_ROLES, check_clerk  # noqa: F401  (CLERK_ROLES: read by the views)
from .training import may_sit_at



@transaction.atomic
def window_save(*, actor, node, number: int, name: str, categories: list[QueueCategory], is_active: bool = True,
                window: Window | None = None) -> Window:
    """Create or update a window; `categories` in order of preference (the first is called first)."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 99:
        raise DomainError(_("窗口号为1至99。"), {"number": [_("超出范围。")]})
    if Window.objects.filter(node=node, number=number).exclude(pk=getattr(window, "pk", None)).exists():
        raise ConflictError(_("%(n)d号窗口已存在。") % {"n": number}, {"number": [_("已存在。")]})
    name = (name or "").strip()
    if not name or len(name) > 32:
        raise DomainError(_("请填写窗口名称（不超过32个字）。"), {"name": [_("必填。")]})
    if not categories:
        raise DomainError(_("请至少选择一个受理类别。"), {"categories": [_("必填。")]})
    created = window is None
    window = window or Window(node=node)
    window.number, window.name, window.is_active = number, name, bool(is_active)
    window.save()
    window.skills.all().delete()
    WindowSkill.objects.bulk_create([WindowSkill(window=window, category=c, rank=i + 1)
                                     for i, c in enumerate(dict.fromkeys(categories))])
    audit_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=window,
                 detail={"categories": [c.letter for c in categories], "active": window.is_active})
    return window


@transaction.atomic
def rota_set(*, actor, window: Window, date: dt.date, half: str, clerk=None) -> RotaSlot | None:
    """Put a clerk on a window for a half-day (or clear the slot with clerk=None)."""
    if half not in HalfDay.values:
        raise DomainError(_("时段只能是上午或下午。"), {"half": [_("无效的时段。")]})
    if not isinstance(date, dt.date):
        raise DomainError(_("日期无效。"), {"date": [_("日期无效。")]})
    slot = RotaSlot.objects.select_for_update().filter(window=window, date=date, half=half).first()
    before = slot.clerk.username if slot else None
    if clerk is None:
        if slot:
            slot.delete()
            audit_record(actor=actor, action=AuditAction.DELETE, object_type="acceptance.rotaslot",
                         object_id=slot.pk, detail={"window": window.number, "date": date.isoformat(), "half": half})
        return None
    check_clerk(window.node, clerk)
    if not may_sit_at(clerk, window, date):
        raise DomainError(_("%(u)s在%(d)s没有%(w)s受理类别的有效事项资格，请先安排培训认证。")
                          % {"u": clerk, "d": date.isoformat(), "w": window},
                          {"clerk": [_("未取得本窗口事项的受理资格。")]})
    clash = RotaSlot.objects.filter(clerk=clerk, date=date, half=half).exclude(window=window).select_related("window")
    if clash.exists():
        raise ConflictError(_("%(u)s该时段已安排在%(w)s。") % {"u": clerk, "w": clash.first().window},
                            {"clerk": [_("同一时段只能坐一个窗口。")]})
    if slot is None:
        slot = RotaSlot(window=window, date=date, half=half, clerk=clerk)
    else:
        slot.clerk = clerk
    slot.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=window,
                 detail={"op": "rota", "date": date.isoformat(), "half": half, "before": before,
                         "after": clerk.username})
    return slot


@transaction.atomic
def rota_copy_week(*, actor, node, source_monday: dt.date, target_monday: dt.date) -> int:
    """Copy a week's rota to another week (existing slots of the target week are kept)."""
    if source_monday.weekday() != 0 or target_monday.weekday() != 0 or source_monday == target_monday:
        raise DomainError(_("请选择两个不同的周一。"), {"target": [_("日期无效。")]})
    created = 0
    offset = target_monday - source_monday
    for slot in RotaSlot.objects.filter(window__node=node, date__gte=source_monday,
                                        date__lt=source_monday + dt.timedelta(days=7)).select_related("clerk"):
        target = slot.date + offset
        if not may_sit_at(slot.clerk, slot.window, target):
            continue
        if RotaSlot.objects.filter(window=slot.window, date=target, half=slot.half).exists() or \
                RotaSlot.objects.filter(clerk=slot.clerk, date=target, half=slot.half).exists():
            continue
        RotaSlot.objects.create(window=slot.window, date=target, half=slot.half, clerk=slot.clerk)
        created += 1
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="acceptance.rotaslot",
                 detail={"op": "copy_week", "from": source_monday.isoformat(), "to": target_monday.isoformat(),
                         "created": created})
    return created


@transaction.atomic
def skills_set(*, actor, node, user, levels: dict) -> list[StaffSkill]:
    """Replace a clerk's skills: {category: level or ""}."""
    check_clerk(node, user)
    # A skill that training gave keeps its expiry when the level is edited by hand.
    expiry = dict(StaffSkill.objects.filter(user=user).values_list("category_id", "expires_on"))
    rows = []
    for category, level in levels.items():
        if not level:
            continue
        if level not in SkillLevel.values:
            raise DomainError(_("掌握程度无效。"), {"levels": [_("无效。")]})
        rows.append(StaffSkill(user=user, category=category, level=level, expires_on=expiry.get(category.pk)))
    StaffSkill.objects.filter(user=user).delete()
    StaffSkill.objects.bulk_create(rows)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user,
                 detail={"op": "acceptance_skills", "skills": {r.category.letter: r.level for r in rows}})
    return rows
