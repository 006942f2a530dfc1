"""Writes of the care home's waiting list (敬老院轮候): 申请 → 评估 → 轮候 → 入住, or 撤回 while open."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import ConflictError, DomainError, Forbidden, NotFound

from ..choices import BedStatus, CareGrade
from ..models import ApplicationEvent, Bed, CareHomeApplication
from ..selectors.carehome import carehome_facilities
from ..workflows import APPLICATION
from .common import check_reach, length, raise_if


@transaction.atomic
def application_create(*, actor, facility, resident, reason: str) -> CareHomeApplication:
    check_reach(actor, capability="eldercare.carehome_apply", facility=facility, resident=resident)
    errors: dict[str, list] = {}
    if facility is None or facility.level != "care_home":
        errors["facility"] = [_("请选择敬老院。")]
    reason = length(errors, "reason", reason, 300)
    if not reason and "reason" not in errors:
        errors["reason"] = [_("请填写申请理由。")]
    raise_if(errors, _("入住申请有误。"))
    try:
        with transaction.atomic():
            application = CareHomeApplication.objects.create(facility=facility, resident=resident, reason=reason,
                                                             created_by=actor)
    except IntegrityError:
        raise ConflictError(_("该居民已有在办的入住申请。"), {"resident": [_("已有在办的申请。")]}) from None
    ApplicationEvent.objects.create(application=application, action="apply", to_status=application.status,
                                    actor=actor, note=reason)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=application, object_repr=resident.name,
                 detail={"facility": facility.pk})
    return application


def _move(actor, application, name: str, note: str, **changes) -> CareHomeApplication:
    action = APPLICATION.check(actor, application, name)
    before = application.status
    application.status = action.target
    for key, value in changes.items():
        setattr(application, key, value)
    application.save()
    ApplicationEvent.objects.create(application=application, action=name, from_status=before,
                                    to_status=action.target, note=(note or "")[:300], actor=actor)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=application,
                 object_repr=application.resident.name, detail={"action": name, "from": before, "to": action.target})
    return application


def _locked(application) -> CareHomeApplication:
    return (CareHomeApplication.objects.select_for_update().select_related("resident", "facility")
            .get(pk=application.pk))


@transaction.atomic
def application_assess(*, actor, application, care_grade=None, note: str = "") -> CareHomeApplication:
    application = _locked(application)
    APPLICATION.check(actor, application, "assess")
    try:
        grade = int(care_grade)
    except (TypeError, ValueError):
        grade = 0
    if grade not in CareGrade.values:
        raise DomainError(_("照护等级应为 1 至 6 级。"), {"care_grade": [_("照护等级应为 1 至 6 级。")]})
    if len(note or "") > 300:
        raise DomainError(_("评估意见最多 300 字。"), {"note": [_("最多 300 字。")]})
    return _move(actor, application, "assess", note, care_grade=grade, assessment_note=(note or "").strip(),
                 assessed_at=timezone.now())


@transaction.atomic
def application_queue(*, actor, application, note: str = "") -> CareHomeApplication:
    application = _locked(application)
    return _move(actor, application, "queue", note, waiting_since=timezone.localdate())


@transaction.atomic
def application_admit(*, actor, application, bed=None, note: str = "") -> CareHomeApplication:
    application = _locked(application)
    APPLICATION.check(actor, application, "admit")
    try:
        bed = Bed.objects.select_for_update().get(pk=getattr(bed, "pk", bed), facility_id=application.facility_id)
    except (Bed.DoesNotExist, ValueError, TypeError):
        raise DomainError(_("请选择本院的床位。"), {"bed": [_("请选择本院的床位。")]}) from None
    if bed.status != BedStatus.FREE:
        raise ConflictError(_("床位 %(b)s 不空闲。") % {"b": bed}, {"bed": [_("该床位不空闲。")]})
    bed.status = BedStatus.OCCUPIED
    bed.save(update_fields=["status"])
    return _move(actor, application, "admit", note, bed=bed, admitted_at=timezone.now())


@transaction.atomic
def application_withdraw(*, actor, application, note: str = "") -> CareHomeApplication:
    application = _locked(application)
    APPLICATION.check(actor, application, "withdraw")
    note = (note or "").strip()
    if not note or len(note) > 200:
        raise DomainError(_("请填写撤回原因（200 字以内）。"), {"note": [_("请填写撤回原因（200 字以内）。")]})
    return _move(actor, application, "withdraw", note, withdrawn_at=timezone.now(), withdraw_reason=note)


@transaction.atomic
def bed_create(*, actor, facility, room: str, number: str) -> Bed:
    if not actor.can("eldercare.carehome_manage"):
        raise Forbidden(_("您的岗位不能管理床位。"), {"actor": [_("无权执行该操作。")]})
    if not carehome_facilities(user=actor).filter(pk=facility.pk).exists():
        raise NotFound(_("找不到该敬老院。"), {"facility": [_("不在您的服务范围内。")]})
    errors: dict[str, list] = {}
    room, number = length(errors, "room", room, 16), length(errors, "number", number, 16)
    if not number and "number" not in errors:
        errors["number"] = [_("请填写床位号。")]
    raise_if(errors, _("床位信息有误。"))
    bed, created = Bed.objects.get_or_create(facility=facility, number=number, defaults={"room": room})
    if not created:
        raise ConflictError(_("已有同号床位。"), {"number": [_("已有同号床位。")]})
    audit_record(actor=actor, action=AuditAction.CREATE, obj=bed, object_repr=f"{facility.name} {bed}")
    return bed
