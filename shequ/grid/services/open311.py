"""Open311 client keys: issued once (shown in clear a single time), stored as a keyed hash."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import crypto
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.errors import DomainError
from shequ.core.inputs import check_length
from shequ.core.models import Node

from ..models import Open311Client
from .common import require_text


@transaction.atomic
def open311_client_issue(*, actor, name: str, jurisdiction: Node | None = None, contact: str = "") -> tuple[
        Open311Client, str]:
    """Create a client (or give an existing one a new key); returns the clear key, shown once."""
    name = check_length(require_text(name, "name", _("请填写客户端名称。"), min_len=1), 64, "name", _("客户端名称"))
    contact = check_length((contact or "").strip(), 100, "contact", _("联系方式"))
    if jurisdiction is None:
        jurisdiction = Node.objects.filter(kind=NodeKind.SUBDISTRICT, is_active=True).order_by("code").first()
    if jurisdiction is None:
        raise DomainError(_("尚未建立街道。"), {"jurisdiction": [_("请先建立街道。")]})
    key = secrets.token_urlsafe(32)
    client = Open311Client.objects.filter(name=name).first()
    if client is None:
        client = Open311Client(name=name, jurisdiction=jurisdiction, contact=contact)
    client.key_hash = crypto.keyed_hash(key)
    client.key_prefix = key[:6]
    client.is_active = True
    client.save()
    audit_record(actor=actor, action=AuditAction.CONFIG, obj=client, detail={"op": "issue_key"})
    return client, key


def open311_client_for_key(key: str) -> Open311Client | None:
    if not key or len(key) > 200:
        return None
    client = Open311Client.objects.select_related("jurisdiction").filter(
        key_hash=crypto.keyed_hash(key), is_active=True).first()
    if client and (client.last_used_at is None or (timezone.now() - client.last_used_at).total_seconds() > 300):
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client
