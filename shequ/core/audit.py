"""Writing the audit log. Every service that writes, and every view/reveal/export of sensitive data, calls
`audit_record`. Rows are inserted in the caller's transaction, so a rolled-back write leaves no audit row and
a committed write always has one."""

from django.db import transaction

from .bulk import insert_many
from .choices import AuditAction, AuditResult
from .context import client_ip, current_request
from .models import AuditLog


def _actor_fields(user) -> dict:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user": None, "username": getattr(user, "username", "") or "", "role": ""}
    return {"user": user, "username": user.username, "role": user.role}


def audit_row(*, actor, action: str, obj=None, object_type: str = "", object_id="", object_repr: str = "",
              result: str = AuditResult.SUCCESS, detail: dict | None = None, username: str = "") -> AuditLog:
    """The audit row `audit_record` writes, unsaved (for `audit_record_many`)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    fields = _actor_fields(actor)
    if username and not fields["username"]:
        fields["username"] = username
    return AuditLog(
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        object_repr=(object_repr or "")[:200],
        result=result,
        ip=client_ip(current_request.get()),
        detail=detail or {},
        **fields,
    )


def audit_record(*, actor, action: str, obj=None, object_type: str = "", object_id="", object_repr: str = "",
                 result: str = AuditResult.SUCCESS, detail: dict | None = None, username: str = "") -> AuditLog:
    row = audit_row(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
                    object_repr=object_repr, result=result, detail=detail, username=username)
    row.save()
    return row


def audit_record_many(rows: list[AuditLog]) -> None:
    """Write the few audit rows of one operation (`audit_row`) in one INSERT, each signed as `save()` signs it."""
    for row in rows:
        row.signature = row.compute_signature()
    AuditLog.objects.bulk_create(rows)


def audit_bulk(rows: list[AuditLog]) -> None:
    """Insert many audit rows at once (imports). Each row is signed as `save()` would sign it."""
    ip = client_ip(current_request.get())
    for row in rows:
        if row.ip is None:
            row.ip = ip
        row.signature = row.compute_signature()
    insert_many(AuditLog, rows)


def audit_denied(*, actor, what: str, object_type: str = "", object_id="") -> None:
    """A refused access (out of scope, missing capability) is itself an audit event, kept even if the request
    later fails, so it is written in its own transaction."""
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.DENIED, object_type=object_type, object_id=object_id,
                     result=AuditResult.DENIED, detail={"what": what})
