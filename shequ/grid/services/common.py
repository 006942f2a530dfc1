"""Helpers every write of the 大联动 module shares: the refusals of the declared rules, names, locations, categories,
photos and required text."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shequ.core import workflow
from shequ.core.choices import NodeKind
from shequ.core.errors import DomainError
from shequ.core.inputs import check_length
from shequ.core.models import Node

from .. import photos as photo_lib
from .. import spatial
from ..models import Category

# Refusals of the declared rules (the API and the tests name them here).
ActionForbidden = workflow.ActionForbidden
CaseNotFound = workflow.ActionNotFound


def subdistrict_of(node: Node) -> Node | None:
    if node.kind == NodeKind.SUBDISTRICT:
        return node
    # The parents already loaded with the node (select_related) answer without a query.
    current = node
    while Node.parent.is_cached(current) and current.parent is not None:
        current = current.parent
        if current.kind == NodeKind.SUBDISTRICT:
            return current
    codes = node.path.strip("/").split("/")
    return Node.objects.filter(code__in=codes, kind=NodeKind.SUBDISTRICT).first()


def sole_subdistrict(user) -> Node | None:
    """The one 街道 a user's scope holds or lies in, when there is exactly one (a district-wide or multi-街道 scope
    has none: the user must say where). Unlike `core.scoping.acting_subdistrict` (the first 街道 *below* the
    scope, for centre staff), a committee worker's scope here gives the 街道 above it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    found = {}
    for node in user.nodes.filter(is_active=True):
        sub = subdistrict_of(node)
        if sub is not None:
            found[sub.pk] = sub
    return next(iter(found.values())) if len(found) == 1 else None


def actor_name(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or str(user)


def clean_photos(uploads, *, keep_location: bool = False) -> list:
    """Validate every upload before anything is written, so a bad file leaves nothing half-saved."""
    uploads = [u for u in (uploads or []) if u]
    photo_lib.check_photo_count(uploads)
    return [photo_lib.clean_photo(u, keep_location=keep_location) for u in uploads]


def active_category(value) -> Category:
    if isinstance(value, Category):
        category = value
    else:
        # `get` on the unique code: no ORDER BY to compile, as `.first()` would add
        try:
            category = Category.objects.select_related("main", "department").get(code=str(value or ""))
        except Category.DoesNotExist:
            category = None
    if category is None or not category.is_active:
        raise DomainError(_("案件类别不存在或已停用：%(c)s") % {"c": getattr(value, "code", value) or "—"},
                          {"category": [_("请选择有效的部件/事件小类。")]})
    return category


def locate(lat, lng, *, actor=None) -> spatial.GridHit:
    if not spatial.valid_point(lat, lng):
        raise DomainError(_("位置坐标无效，请重新定位。"), {"location": [_("经纬度无效（WGS84）。")]})
    hit = spatial.locate(float(lat), float(lng))
    if hit is None:
        raise DomainError(_("该位置（%(lat).5f, %(lng).5f）不在任何网格内，请确认位置是否在本辖区。")
                          % {"lat": float(lat), "lng": float(lng)},
                          {"location": [_("位置不在任何网格内。")]})
    return hit


def require_text(value: str, field: str, message: str, min_len: int = 2) -> str:
    value = (value or "").strip()
    if len(value) < min_len:
        raise DomainError(message, {field: [message]})
    return check_length(value, 500, field, _("内容"))
