"""Writes of the grids: GeoJSON import (cases follow their grid), responsible persons and buildings."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core import services as core_services
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.errors import DomainError
from shequ.core.inputs import check_length
from shequ.core.models import Node
from shequ.core.scoping import in_scope

from .. import spatial
from ..models import Building, GridResponsible
from .cases import cases_reassign_grids
from .common import locate, require_text


@transaction.atomic
def grids_import_geojson(*, actor, data, committee: Node | None = None) -> dict:
    """Create or update grids from a GeoJSON FeatureCollection. Each feature needs `code` and `name`; its
    committee is the feature's `committee` code or the one chosen. Any bad feature refuses the whole file."""
    if isinstance(data, (bytes, str)):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise DomainError(_("文件不是有效的 GeoJSON：%(e)s") % {"e": str(exc)[:80]}, {"file": [_("JSON 格式错误。")]})
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise DomainError(_("文件须是 GeoJSON FeatureCollection。"), {"file": [_("缺少 features。")]})
    created = updated = 0
    errors = []
    for index, feature in enumerate(data["features"], start=1):
        props = (feature or {}).get("properties") or {}
        code = str(props.get("code") or "").strip()
        name = str(props.get("name") or "").strip()
        parent = committee
        if props.get("committee"):
            parent = Node.objects.filter(code=str(props["committee"]), kind=NodeKind.COMMITTEE).first()
        try:
            if not code or not name:
                raise DomainError(_("缺少 code 或 name 属性。"), {})
            if parent is None:
                raise DomainError(_("找不到所属居委会。"), {})
            if actor is not None and not in_scope(actor, parent):
                raise DomainError(_("所属居委会不在您的管辖范围内。"), {})
            existing = Node.objects.filter(code=code).first()
            with transaction.atomic():
                if existing:
                    if existing.kind != NodeKind.GRID:
                        raise DomainError(_("代码 %(c)s 已被非网格节点使用。") % {"c": code}, {})
                    core_services.node_update(actor=actor, node=existing, name=name, geometry=feature.get("geometry"))
                    updated += 1
                else:
                    core_services.node_create(actor=actor, kind=NodeKind.GRID, code=code, name=name, parent=parent,
                                              geometry=feature.get("geometry"))
                    created += 1
        except DomainError as exc:
            detail = "；".join(m for ms in exc.errors.values() for m in ms)
            errors.append(_("第%(i)d个要素（%(c)s）：%(m)s") % {"i": index, "c": code or "—",
                                                            "m": exc.message + (f"（{detail}）" if detail else "")})
    if errors:
        raise DomainError(_("导入失败，未保存任何网格：%(e)s") % {"e": errors[0]}, {"file": errors[:20]})
    spatial.touch()
    moved = cases_reassign_grids(actor=actor)
    audit_record(actor=actor, action=AuditAction.IMPORT, object_type="core.node",
                 detail={"created": created, "updated": updated, "cases_moved": moved})
    return {"created": created, "updated": updated, "moved": moved}


@transaction.atomic
def grid_add_responsible(*, actor, grid: Node, name: str, duty: str, phone: str = ""):
    name = require_text(name, "name", _("请填写姓名。"), min_len=1)
    if duty not in dict(GridResponsible.ROLES):
        raise DomainError(_("职责无效。"), {"duty": [_("职责无效。")]})
    name = check_length(name, 32, "name", _("姓名"))
    phone = check_length((phone or "").strip(), 20, "phone", _("联系电话"))
    row = GridResponsible.objects.create(grid=grid, name=name, duty=duty, phone=phone,
                                         sort_order=grid.responsibles.count())
    audit_record(actor=actor, action=AuditAction.CREATE, obj=row, detail={"grid": grid.code})
    return row


@transaction.atomic
def grid_add_building(*, actor, grid: Node, name: str, address: str = "", kind: str = "住宅", floors: int = 0,
                      households: int = 0, lat=None, lng=None):
    name = check_length(require_text(name, "name", _("请填写楼宇名称。"), min_len=1), 64, "name", _("楼宇名称"))
    address = check_length((address or "").strip(), 128, "address", _("地址"))
    if lat not in (None, "") and lng not in (None, ""):
        hit = locate(lat, lng)
        if hit.id != grid.pk:
            raise DomainError(_("楼宇坐标不在该网格内（位于%(g)s）。") % {"g": hit.name}, {"location": [_("坐标不在网格内。")]})
    else:
        lat = lng = None
    row = Building.objects.create(grid=grid, name=name, address=address, kind=kind,
                                  floors=floors or 0, households=households or 0,
                                  lat=float(lat) if lat is not None else None, lng=float(lng) if lng is not None else None)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=row, detail={"grid": grid.code})
    return row
