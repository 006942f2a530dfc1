"""Hall devices: kiosks, the hall screen and window screens/rating tablets.

How a device authenticates: a hall supervisor registers it and gets a one-time pairing code (8 characters,
valid 15 minutes). Someone standing at the device opens the pairing page and types the code; the server then
sets a long random secret in an HttpOnly, SameSite=Strict cookie and stores only its keyed hash. From then on
the device may do exactly what its kind allows (take numbers / show the queue / rate its own window) and
nothing else: it is not a user, sees no personal data and cannot reach staff pages. A lost or moved device is
revoked on the devices page. Pairing attempts are rate limited.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import crypto
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, AuditResult
from shequ.core.errors import DomainError
from shequ.core.ratelimit import attempt_record, attempts_get

from ..choices import DeviceKind
from ..models import Device, Window

PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PAIRING_MINUTES = 15
PAIRING_MAX_ATTEMPTS = 10  # per source address per 10 minutes
COOKIE_NAME = "sq_device"


def _new_code() -> str:
    return "".join(secrets.choice(PAIRING_ALPHABET) for _i in range(8))


@transaction.atomic
def device_create(*, actor, node, name: str, kind: str, window: Window | None = None) -> tuple[Device, str]:
    name = (name or "").strip()
    if not name or len(name) > 32:
        raise DomainError(_("请填写设备名称（不超过32个字）。"), {"name": [_("必填。")]})
    if kind not in DeviceKind.values:
        raise DomainError(_("设备类型无效。"), {"kind": [_("无效。")]})
    if kind == DeviceKind.WINDOW and (window is None or window.node_id != node.pk):
        raise DomainError(_("窗口屏须指定本中心的一个窗口。"), {"window": [_("请选择窗口。")]})
    device = Device(node=node, name=name, kind=kind, window=window if kind == DeviceKind.WINDOW else None,
                    created_by=actor)
    code = _set_code(device)
    device.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=device, detail={"kind": kind})
    return device, code


def _set_code(device: Device) -> str:
    code = _new_code()
    device.pairing_code_hash = crypto.keyed_hash(code)
    device.pairing_expires_at = timezone.now() + dt.timedelta(minutes=PAIRING_MINUTES)
    return code


@transaction.atomic
def device_new_code(*, actor, device: Device) -> str:
    """A new pairing code; the device's current secret stops working once the new pairing is done."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    code = _set_code(device)
    device.is_active = True
    device.save(update_fields=["pairing_code_hash", "pairing_expires_at", "is_active"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=device, detail={"op": "pairing_code"})
    return code


@transaction.atomic
def device_revoke(*, actor, device: Device) -> Device:
    device = Device.objects.select_for_update().get(pk=device.pk)
    device.is_active, device.token_hash, device.pairing_code_hash = False, None, ""
    device.save(update_fields=["is_active", "token_hash", "pairing_code_hash"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=device, detail={"op": "revoke"})
    return device


def device_pair(*, code: str, source: str) -> tuple[Device, str]:
    """Exchange a pairing code for the device secret. Raises DomainError on a wrong or expired code."""
    key = f"acceptance:pair:{source}"
    attempts = attempts_get(key)
    if attempts >= PAIRING_MAX_ATTEMPTS:
        message = _("尝试次数过多，请10分钟后再试。")
        raise DomainError(message, {"code": [message]})
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    with transaction.atomic():
        device = None
        if len(code) == 8:
            device = (Device.objects.select_for_update()
                      .filter(pairing_code_hash=crypto.keyed_hash(code), is_active=True,
                              pairing_expires_at__gt=timezone.now()).first())
        if device is not None:
            return _pair(device)
    # A failed attempt is counted and audited outside the transaction, which the refusal rolls back.
    attempt_record(key, 600)
    with transaction.atomic():
        audit_record(actor=None, action=AuditAction.LOGIN_FAILED, object_type="acceptance.device",
                     result=AuditResult.FAILURE, detail={"op": "pair"})
    message = _("配对码错误或已过期，请向大厅主管重新获取。")
    raise DomainError(message, {"code": [message]})


def _pair(device: Device) -> tuple[Device, str]:
    """Issue the device secret (its hash is stored) in place of the one-time pairing code."""
    token = secrets.token_urlsafe(32)
    device.token_hash = crypto.keyed_hash(token)
    device.pairing_code_hash, device.pairing_expires_at = "", None
    device.paired_at = device.last_seen_at = timezone.now()
    device.save(update_fields=["token_hash", "pairing_code_hash", "pairing_expires_at", "paired_at",
                               "last_seen_at"])
    audit_record(actor=None, action=AuditAction.LOGIN, obj=device, username=f"device:{device.name}",
                 detail={"op": "pair"})
    return device, token


def device_from_token(token: str | None) -> Device | None:
    if not token or len(token) > 100:
        return None
    device = (Device.objects.select_related("node", "window").filter(token_hash=crypto.keyed_hash(token),
                                                                     is_active=True).first())
    if device is not None:
        now = timezone.now()
        if device.last_seen_at is None or (now - device.last_seen_at).total_seconds() > 60:
            Device.objects.filter(pk=device.pk).update(last_seen_at=now)
    return device
