"""Helpers shared by the acceptance services: the actor's centre, daily numbers, actor names."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils.translation import gettext as _

from shequ.core.errors import DomainError
from shequ.core.models import Node
from shequ.core.choices import Role
from shequ.core.scoping import acting_subdistrict, in_scope

from ..models import DailyCounter

CLERK_ROLES = (Role.WINDOW_CLERK, Role.HALL_SUPERVISOR)


def centre_for(user) -> Node:
    """The 街道 whose centre the user works in (`core.scoping.acting_subdistrict`), or a refusal saying why not."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise DomainError(_("未登录。"))
    node = acting_subdistrict(user)
    if node is None:
        raise DomainError(_("您的账号没有关联受理中心所在的街道，请联系安全管理员设置管辖范围。"),
                          {"node": [_("未关联街道。")]})
    return node


def next_number(*, node: Node, key: str, day: dt.date) -> int:
    """Allocate the next number of (centre, key, day). Call it inside the transaction that inserts the numbered
    row. One upsert statement creates or increments the counter row and returns the new value; the row stays
    locked (PostgreSQL row lock; SQLite's IMMEDIATE transaction holds the write lock) until that insert commits,
    so concurrent callers get consecutive, unique numbers and a rolled-back insert gives its number back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that uses the number")
    q = connection.ops.quote_name
    table, node_id, key_, day_, last = (q(n) for n in (DailyCounter._meta.db_table, "node_id", "key", "day", "last"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({node_id}, {key_}, {day_}, {last}) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT ({node_id}, {key_}, {day_}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}",
            [node.pk, key, day])
        return cursor.fetchone()[0]


def actor_name(actor, device=None) -> str:
    if device is not None:
        return f"{device.get_kind_display()}·{device.name}"
    if actor is None:
        return _("系统")
    return getattr(actor, "display_name", "") or getattr(actor, "username", "")


def clean_text(value, *, field: str, label: str, required: bool = True, max_length: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("请填写%(l)s。") % {"l": label}, {field: [_("必填。")]})
    if len(value) > max_length:
        raise DomainError(_("%(l)s不能超过%(n)d个字。") % {"l": label, "n": max_length},
                          {field: [_("内容过长。")]})
    return value


def check_clerk(node, clerk) -> None:
    if clerk.role not in CLERK_ROLES or not clerk.is_active:
        raise DomainError(_("%(u)s不是窗口受理人员。") % {"u": clerk}, {"clerk": [_("只能安排窗口受理人员。")]})
    if not in_scope(clerk, node):
        raise DomainError(_("%(u)s不属于本中心。") % {"u": clerk}, {"clerk": [_("不在本中心。")]})
