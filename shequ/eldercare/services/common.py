from __future__ import annotations

from django.utils.translation import gettext as _

from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.scoping import in_scope
from shequ.facilities.selectors import operated_facility_ids

from ..selectors.common import is_operator


def check_reach(actor, *, capability: str, facility, resident) -> None:
    """The actor holds the capability and reaches the record: an operator through his facility, other staff
    through the resident's committee. Out of reach is answered as not found."""
    if not getattr(actor, "is_authenticated", False) or not actor.can(capability):
        raise Forbidden(_("您的岗位不能执行该操作。"), {"actor": [_("无权执行该操作。")]})
    if is_operator(actor):
        if facility is None or facility.pk not in operated_facility_ids(actor):
            raise NotFound(_("找不到该设施，或不在您的服务范围内。"), {"facility": [_("不在您的服务范围内。")]})
    elif not in_scope(actor, resident.committee):
        raise NotFound(_("找不到该居民，或不在您的辖区内。"), {"resident": [_("居民不存在或不在您的辖区内。")]})


def length(errors: dict, field: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors[field] = [_("最多 %(n)s 字。") % {"n": limit}]
    return value


def raise_if(errors: dict, message: str) -> None:
    if errors:
        raise DomainError(message, errors)
