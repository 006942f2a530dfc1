"""民生档案 lookup (查档出证) at the centre, on behalf of the district archive.

Only the person recorded in the file may ask (for some types also the parents, the child or a guardian);
agents are refused with the reason and sent to the archive. A refused request is still recorded: the attempt
is part of the access log. Every step writes an `ArchiveAccessLog` row (append-only, signed) and a core audit
row.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import crypto, idcard
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.context import client_ip, current_request
from shequ.core.errors import DomainError
from shequ.core.models import Department

from ..choices import (ARCHIVE_TYPES, NEW, ArchiveLogAction, ArchiveRelation, ArchiveStatus, IdCheck,
                       archive_allowed_relations)
from ..models import ArchiveAccessLog, ArchiveRequest
from ..workflows import ARCHIVE
from .common import centre_for, clean_text, next_number

ARCHIVE_DEPARTMENT_CODE = "DA"


def archive_log(*, actor, action: str, request: ArchiveRequest, decision: str = "", detail: dict | None = None,
                copies: int = 0) -> ArchiveAccessLog:
    row = ArchiveAccessLog(
        user=actor if getattr(actor, "pk", None) else None, username=getattr(actor, "username", "") or "",
        role=getattr(actor, "role", "") or "", action=action, request=request, request_number=request.number,
        record_type=request.record_type, requester_id_masked=request.requester_id_masked,
        requester_id_hash=request.requester_id_hash, relation=request.relation, id_check=request.id_check,
        purpose=request.purpose, decision=decision[:64], copies=copies, ip=client_ip(current_request.get()),
        detail=detail or {})
    row.save()
    return row


def refusal_reason(record_type: str, relation: str) -> str:
    """Why this relation may not query this record type ("" when it may)."""
    if relation in archive_allowed_relations(record_type):
        return ""
    name = ARCHIVE_TYPES[record_type][0]
    if relation == ArchiveRelation.AGENT:
        return _("民生档案仅限档案记载的当事人本人（%(t)s另有规定的除外）在受理中心查询。代理人或其他利用者须持经公证的授权委托书"
                 "及本人身份证件，到保管该档案的区档案馆现场办理（《上海市档案条例》第三十三条、沪档〔2008〕27号）。") % {"t": name}
    allowed = "、".join(str(ArchiveRelation(r).label).split("（")[0] for r in archive_allowed_relations(record_type))
    return _("“%(t)s”只能由%(a)s查询，%(r)s不能在受理中心查询；如确有需要，请到区档案馆办理。") % {
        "t": name, "a": allowed, "r": str(ArchiveRelation(relation).label).split("（")[0]}


@transaction.atomic
def archive_request_create(*, actor, record_type: str, relation: str, id_check: str, purpose: str,
                           requester_resident=None, requester: dict | None = None, subject_name: str = "",
                           subject_id_number: str = "") -> ArchiveRequest:
    from shequ.people import selectors as people

    ARCHIVE.check(actor, ArchiveRequest(status=NEW), "submit")  # who may ask (the request does not exist yet)
    if record_type not in ARCHIVE_TYPES:
        raise DomainError(_("请选择档案类型。"), {"record_type": [_("未知的档案类型。")]})
    if relation not in ArchiveRelation.values:
        raise DomainError(_("请选择与档案当事人的关系。"), {"relation": [_("无效的关系。")]})
    if id_check not in IdCheck.values:
        raise DomainError(_("请选择身份核验方式。"), {"id_check": [_("无效的核验方式。")]})
    if id_check == IdCheck.PASSPORT and record_type != "marriage_foreign":
        raise DomainError(_("护照仅可用于查询涉外婚姻登记档案，其他档案须核验居民身份证。"), {"id_check": [_("核验方式不适用。")]})
    purpose = clean_text(purpose, field="purpose", label=_("查档用途"), max_length=100)
    node = centre_for(actor)
    if requester_resident not in (None, ""):
        try:
            resident = people.resident_get(user=actor, pk=requester_resident)
        except Http404:
            raise DomainError(_("所选居民不存在或不在您的管辖范围内。"),
                              {"requester_resident": [_("不在您的管辖范围内。")]}) from None
        name, id_number = resident.name, resident.id_number
    else:
        resident = None
        requester = requester or {}
        name = clean_text(requester.get("name"), field="requester_name", label=_("申请人姓名"), max_length=32)
        try:
            id_number = idcard.normalize_id_number(requester.get("id_number") or "")
        except idcard.InvalidIdNumber as exc:
            raise DomainError(str(exc), {"requester_id_number": [str(exc)]}) from None
    if relation == ArchiveRelation.SELF:
        subject, subject_id = name, id_number
    else:
        subject = clean_text(subject_name, field="subject_name", label=_("档案当事人姓名"), max_length=32)
        subject_id = ""
        if (subject_id_number or "").strip():
            try:
                subject_id = idcard.normalize_id_number(subject_id_number)
            except idcard.InvalidIdNumber as exc:
                raise DomainError(str(exc), {"subject_id_number": [str(exc)]}) from None
    reason = refusal_reason(record_type, relation)
    now = timezone.now()
    seq = next_number(node=node, key="DA", day=timezone.localdate(now))
    req = ArchiveRequest(
        number=f"DA{now.astimezone(timezone.get_current_timezone()):%y%m%d}{node.code[6:9]}{seq:04d}", node=node,
        record_type=record_type, requester_name=name, requester_id_number=id_number,
        requester_id_hash=crypto.keyed_hash(id_number), requester_id_masked=idcard.mask_id_number(id_number),
        requester_resident=resident, relation=relation, subject_name=subject,
        subject_id_masked=idcard.mask_id_number(subject_id) if subject_id else "",
        subject_id_hash=crypto.keyed_hash(subject_id) if subject_id else "", id_check=id_check, purpose=purpose,
        archive=Department.objects.filter(code=ARCHIVE_DEPARTMENT_CODE).first(), created_at=now, created_by=actor)
    req.status = NEW
    _move(req, "refuse" if reason else "submit", actor=actor)
    target, req.refusal_reason = req.status, reason
    req.save()
    archive_log(actor=actor, action=ArchiveLogAction.REFUSE if reason else ArchiveLogAction.REQUEST, request=req,
                decision=str(ArchiveStatus(target).label))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=req,
                 detail={"record_type": record_type, "relation": relation, "status": target})
    return req


def _move(req: ArchiveRequest, action: str, *, actor) -> str:
    """Check the step against the declaration (`..workflows.ARCHIVE`) and take it; returns the old status."""
    step = ARCHIVE.check(actor, req, action)
    previous = req.status
    req.status = step.target
    return previous


@transaction.atomic
def archive_record_result(*, actor, request: ArchiveRequest, found: bool, file_reference: str = "",
                          pages: int = 0, result_note: str = "") -> ArchiveRequest:
    """The archive's answer (about 30 minutes after the request)."""
    req = ArchiveRequest.objects.select_for_update(of=("self",)).select_related("node").get(pk=request.pk)
    previous = _move(req, "found" if found else "not_found", actor=actor)
    target = req.status
    if found:
        req.file_reference = clean_text(file_reference, field="file_reference", label=_("档号/案卷号"), max_length=64)
        try:
            pages = int(pages)
        except (TypeError, ValueError):
            pages = 0
        if not 1 <= pages <= 500:
            raise DomainError(_("页数为1至500。"), {"pages": [_("页数无效。")]})
        req.pages = pages
    req.result_note = clean_text(result_note, field="result_note", label=_("结果说明"), required=not found,
                                 max_length=200)
    req.result_at, req.result_by = timezone.now(), actor
    req.save()
    archive_log(actor=actor, action=ArchiveLogAction.RESULT, request=req, decision=str(ArchiveStatus(target).label),
                detail={"file_reference": req.file_reference, "pages": req.pages})
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=req, detail={"from": previous, "to": req.status})
    return req


@transaction.atomic
def archive_issue(*, actor, request: ArchiveRequest, copies: int) -> ArchiveRequest:
    """Hand the sealed copy (出证) to the requester."""
    req = ArchiveRequest.objects.select_for_update(of=("self",)).select_related("node").get(pk=request.pk)
    previous = _move(req, "issue", actor=actor)
    try:
        copies = int(copies)
    except (TypeError, ValueError):
        copies = 0
    if not 1 <= copies <= 10:
        raise DomainError(_("出证份数为1至10份。"), {"copies": [_("份数无效。")]})
    req.copies, req.issued_at, req.issued_by = copies, timezone.now(), actor
    req.save()
    archive_log(actor=actor, action=ArchiveLogAction.ISSUE, request=req, decision=str(ArchiveStatus.ISSUED.label),
                copies=copies)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=req, detail={"from": previous, "to": req.status,
                                                                                "copies": copies})
    return req


@transaction.atomic
def archive_record_view(*, actor, request: ArchiveRequest, action: str = ArchiveLogAction.VIEW) -> None:
    archive_log(actor=actor, action=action, request=request)
    audit_record(actor=actor, action=AuditAction.PRINT if action == ArchiveLogAction.PRINT else AuditAction.VIEW,
                 obj=request)
