"""Writes of the service catalogue (事项目录): items with their materials, and ticket categories."""

from __future__ import annotations

import decimal

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import ConflictError, DomainError
from shequ.core.inputs import check_length
from shequ.core.models import Department

from ..choices import ItemMode
from ..models import ItemMaterial, QueueCategory, ServiceItem
from .transfers import item_flag_conflicts

ITEM_FIELDS = ("code", "name", "department", "category", "queue_category", "mode", "limit_days", "legal_limit_days",
               "tongban", "separated", "agent_allowed", "agent_note", "fee", "fee_note", "online", "conditions",
               "legal_basis", "sort_order", "is_active")


def validate_item_data(data: dict, *, instance: ServiceItem | None = None) -> dict:
    """Check an item's fields; return them cleaned or raise DomainError with field messages."""
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    code = str(clean.get("code") or "").strip()
    if not code:
        errors.setdefault("code", []).append(_("请填写事项编码。"))
    elif len(code) > 32 or not all(c.isalnum() or c in "_.-" for c in code) or not code.isascii():
        errors.setdefault("code", []).append(_("编码只能包含字母、数字和 _ . -，不超过32个字符。"))
    elif ServiceItem.objects.filter(code=code).exclude(pk=getattr(instance, "pk", None)).exists():
        errors.setdefault("code", []).append(_("事项编码 %(c)s 已存在。") % {"c": code})
    clean["code"] = code
    name = str(clean.get("name") or "").strip()
    if not name or len(name) > 100:
        errors.setdefault("name", []).append(_("请填写事项名称（不超过100个字）。"))
    clean["name"] = name
    if not isinstance(clean.get("department"), Department):
        errors.setdefault("department", []).append(_("请选择主管部门。"))
    elif not clean["department"].is_active:
        errors.setdefault("department", []).append(_("该部门已停用。"))
    if not isinstance(clean.get("queue_category"), QueueCategory):
        errors.setdefault("queue_category", []).append(_("请选择取号类别。"))
    category = str(clean.get("category") or "").strip()
    if not category or len(category) > 16:
        errors.setdefault("category", []).append(_("请填写业务类别（不超过16个字）。"))
    clean["category"] = category
    mode = clean.get("mode")
    if mode not in ItemMode.values:
        errors.setdefault("mode", []).append(_("办理方式只能是即办件或承诺件。"))
    try:
        limit = int(clean.get("limit_days") or 0)
    except (TypeError, ValueError):
        limit = -1
    if limit < 0 or limit > 365:
        errors.setdefault("limit_days", []).append(_("承诺时限为0至365个工作日。"))
    elif mode == ItemMode.INSTANT and limit != 0:
        errors.setdefault("limit_days", []).append(_("即办件当场办结，承诺时限应为0。"))
    elif mode == ItemMode.PROMISE and limit == 0:
        errors.setdefault("limit_days", []).append(_("承诺件须填写承诺时限（工作日）。"))
    clean["limit_days"] = max(limit, 0)
    legal = clean.get("legal_limit_days")
    if legal in ("", None):
        clean["legal_limit_days"] = None
    else:
        try:
            legal = int(legal)
        except (TypeError, ValueError):
            legal = -1
        if legal < 0 or legal > 365:
            errors.setdefault("legal_limit_days", []).append(_("法定时限为0至365个工作日。"))
        elif legal < clean["limit_days"]:
            errors.setdefault("legal_limit_days", []).append(_("承诺时限不能长于法定时限。"))
        clean["legal_limit_days"] = legal
    try:
        fee = decimal.Decimal(str(clean.get("fee") or 0))
        if fee < 0 or fee >= decimal.Decimal("1000000"):
            raise decimal.InvalidOperation
        clean["fee"] = fee.quantize(decimal.Decimal("0.01"))
    except (decimal.InvalidOperation, ValueError):
        errors.setdefault("fee", []).append(_("收费金额格式不正确。"))
    for field, limit_len in (("agent_note", 120), ("fee_note", 120), ("legal_basis", 200)):
        clean[field] = str(clean.get(field) or "").strip()
        if len(clean[field]) > limit_len:
            errors.setdefault(field, []).append(_("不超过%(n)d个字。") % {"n": limit_len})
    clean["conditions"] = str(clean.get("conditions") or "").strip()
    for flag in ("tongban", "separated", "agent_allowed", "online", "is_active"):
        clean[flag] = bool(clean.get(flag, flag in ("agent_allowed", "is_active")))
    for field, message in item_flag_conflicts(clean).items():
        errors.setdefault(field, []).append(message)
    clean["sort_order"] = int(clean.get("sort_order") or 0)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)
    return clean


def validate_materials(materials: list[dict]) -> list[dict]:
    seen, clean = set(), []
    for index, m in enumerate(materials, start=1):
        name = str(m.get("name") or "").strip()
        if not name:
            continue
        if len(name) > 100:
            raise DomainError(_("第%(n)d项材料名称过长。") % {"n": index}, {"materials": [_("材料名称不超过100个字。")]})
        if name in seen:
            raise DomainError(_("材料“%(m)s”重复。") % {"m": name}, {"materials": [_("材料名称重复。")]})
        seen.add(name)
        try:
            copies = int(m.get("copies") or 1)
        except (TypeError, ValueError):
            copies = 0
        if not 1 <= copies <= 20:
            raise DomainError(_("材料“%(m)s”的份数应为1至20。") % {"m": name}, {"materials": [_("份数无效。")]})
        note = str(m.get("note") or "").strip()
        if len(note) > 200:
            raise DomainError(_("材料“%(m)s”的说明不能超过200个字符（现为%(n)d个）。") % {"m": name, "n": len(note)},
                              {"materials": [_("材料说明不超过200个字符。")]})
        condition = str(m.get("condition") or "").strip()
        if len(condition) > 60:
            raise DomainError(_("材料“%(m)s”的适用情形不能超过60个字符（现为%(n)d个）。") % {"m": name, "n": len(condition)},
                              {"materials": [_("适用情形不超过60个字符。")]})
        clean.append({"name": name, "is_key": bool(m.get("is_key", True)),
                      "original_required": bool(m.get("original_required", False)), "copies": copies,
                      "note": note, "condition": condition, "sort_order": len(clean)})
    return clean


def _apply_materials(item: ServiceItem, materials: list[dict]) -> list[str]:
    """Update materials in place by name, so cases keep pointing at the rows they were checked against."""
    existing = {m.name: m for m in item.materials.all()}
    changes = []
    for m in materials:
        row = existing.pop(m["name"], None)
        if row is None:
            ItemMaterial.objects.create(item=item, **m)
            changes.append(f"+{m['name']}")
            continue
        if any(getattr(row, k) != v for k, v in m.items()):
            for k, v in m.items():
                setattr(row, k, v)
            row.save()
            changes.append(f"~{m['name']}")
    for name, row in existing.items():
        row.delete()
        changes.append(f"-{name}")
    return changes


@transaction.atomic
def item_save(*, actor, data: dict, materials: list[dict] | None = None, item: ServiceItem | None = None,
              audit: bool = True) -> tuple[ServiceItem, str]:
    """Create or update an item (and, when given, its materials). Returns the item and "created", "updated"
    or "unchanged"."""
    clean = validate_item_data(data, instance=item)
    clean_materials = validate_materials(materials) if materials is not None else None
    created = item is None
    if created:
        item = ServiceItem()
    changed = {f: [str(getattr(item, f, "")), str(clean[f])] for f in ITEM_FIELDS
               if not created and getattr(item, f) != clean[f]}
    for field in ITEM_FIELDS:
        setattr(item, field, clean[field])
    if created or changed:
        item.save()
    material_changes = _apply_materials(item, clean_materials) if clean_materials is not None else []
    if material_changes:
        changed["materials"] = material_changes
    outcome = "created" if created else ("updated" if changed else "unchanged")
    if audit and outcome != "unchanged":
        audit_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=item,
                     detail={"changes": changed} if changed else {"code": item.code})
    return item, outcome


@transaction.atomic
def category_save(*, actor, letter: str, name: str, description: str = "", default_service_minutes: int = 10,
                  sort_order: int = 0, is_active: bool = True, category: QueueCategory | None = None) -> QueueCategory:
    letter = (letter or "").strip().upper()
    if len(letter) != 1 or not ("A" <= letter <= "Z"):
        raise DomainError(_("取号类别为一个大写字母（A–Z）。"), {"letter": [_("格式不正确。")]})
    if QueueCategory.objects.filter(letter=letter).exclude(pk=getattr(category, "pk", None)).exists():
        raise ConflictError(_("字母 %(l)s 已被使用。") % {"l": letter}, {"letter": [_("已存在。")]})
    name = (name or "").strip()
    if not name or len(name) > 32:
        raise DomainError(_("请填写类别名称（不超过32个字）。"), {"name": [_("必填。")]})
    if not 1 <= int(default_service_minutes) <= 240:
        raise DomainError(_("默认办理时长为1至240分钟。"), {"default_service_minutes": [_("超出范围。")]})
    description = check_length((description or "").strip(), 120, "description", _("说明"))
    created = category is None
    category = category or QueueCategory()
    category.letter, category.name, category.description = letter, name, description
    category.default_service_minutes, category.sort_order, category.is_active = \
        int(default_service_minutes), int(sort_order), bool(is_active)
    category.save()
    audit_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=category,
                 detail={"letter": letter, "name": name})
    return category
