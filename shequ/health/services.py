"""Every write of the family-doctor contracts: 签约, 续约, 改签, 解约, the import of the health centre's list, the
targets and the coverage figures. Keyword-only, atomic, audited; a refusal is a `DomainError` with the field."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import ConflictError, DomainError, Forbidden, NotFound, PreconditionFailed
from shequ.core.inputs import check_date
from shequ.core.scoping import in_scope
from shequ.core.tasks import shequ_task

from . import selectors
from .choices import MIN_TERM_YEARS, ContractStatus, InstitutionLevel, TerminateReason
from .models import Contract, ContractEvent, CoverageSnapshot, Doctor, Institution
from .workflows import CONTRACT

MAX_TERM_YEARS = 5
CONDITIONS_MAX = 200


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_end(start: dt.date, years: int) -> dt.date:
    """The last day of a term of `years` starting on `start` (2026-12-03 + 1 year → 2027-12-02)."""
    return add_years(start, years) - dt.timedelta(days=1)


# --- validation ---------------------------------------------------------------------------------------------------

def _check_term(start, end) -> None:
    errors = {}
    for field, value in (("start_date", start), ("end_date", end)):
        if not isinstance(value, dt.date):
            errors[field] = [_("请填写日期。")]
        else:
            try:
                check_date(value)
            except Exception as exc:  # ValidationError with the Chinese range message
                errors[field] = [str(getattr(exc, "message", exc))]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)
    if end < term_end(start, MIN_TERM_YEARS):
        message = _("签约期限不得少于一年：%(s)s起签的协议最早于%(e)s到期。") % {
            "s": f"{start.year}年{start.month}月{start.day}日", "e": _cn(term_end(start, MIN_TERM_YEARS))}
        raise DomainError(message, {"end_date": [message]})
    if end > term_end(start, MAX_TERM_YEARS):
        message = _("签约期限不得超过%(n)d年。") % {"n": MAX_TERM_YEARS}
        raise DomainError(message, {"end_date": [message]})


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _check_years(years) -> int:
    try:
        value = int(years)
    except (TypeError, ValueError):
        value = 0
    if not MIN_TERM_YEARS <= value <= MAX_TERM_YEARS:
        message = _("期限须为%(a)d至%(b)d年。") % {"a": MIN_TERM_YEARS, "b": MAX_TERM_YEARS}
        raise DomainError(message, {"years": [message]})
    return value


def _check_team(doctor, district_hospital, city_hospital) -> None:
    errors = {}
    if not isinstance(doctor, Doctor) or not doctor.is_active:
        errors["doctor"] = [_("请选择在岗的家庭医生。")]
    if district_hospital is not None and (not isinstance(district_hospital, Institution)
                                          or district_hospital.level != InstitutionLevel.DISTRICT
                                          or not district_hospital.is_active):
        errors["district_hospital"] = [_("请选择启用的区级医疗机构。")]
    if city_hospital is not None and (not isinstance(city_hospital, Institution)
                                      or city_hospital.level != InstitutionLevel.CITY or not city_hospital.is_active):
        errors["city_hospital"] = [_("请选择启用的市级医疗机构。")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)


def _check_conditions(conditions: str) -> str:
    text = (conditions or "").strip()
    if len(text) > CONDITIONS_MAX:
        message = _("慢病情况不能超过%(n)d个字符（现为%(m)d个）。") % {"n": CONDITIONS_MAX, "m": len(text)}
        raise DomainError(message, {"conditions": [message]})
    return text


def _event(contract: Contract, action: str, actor, note: str = "") -> None:
    ContractEvent.objects.create(contract=contract, action=action, actor=actor, note=note[:200])


def _create(*, actor, resident, doctor, district_hospital, city_hospital, start: dt.date, end: dt.date,
            conditions: str, previous: Contract | None = None, source: str = "manual") -> Contract:
    """Insert an active contract. The partial unique index refuses a second active one for the person; the insert
    runs in a savepoint so that refusal becomes a 409 and leaves the caller's transaction usable."""
    contract = Contract(number=uuid.uuid4().hex[:20], resident=resident, committee_id=resident.committee_id,
                        household_id=resident.household_id, doctor=doctor, district_hospital=district_hospital,
                        city_hospital=city_hospital, start_date=start, end_date=end, conditions=conditions,
                        has_conditions=bool(conditions), previous=previous, source=source, signed_by=actor)
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError:
        raise ConflictError(_("%(n)s 已有在约的家庭医生签约，一人只能签约一位家庭医生。") % {"n": resident.name},
                            {"resident": [_("已有在约的签约。")]}) from None
    contract.number = f"QY{start:%Y}{contract.pk:07d}"
    Contract.objects.filter(pk=contract.pk).update(number=contract.number)
    return contract


def _locked(contract: Contract, expected_version) -> Contract:
    locked = Contract.objects.select_for_update().select_related("committee").get(pk=contract.pk)
    if expected_version not in (None, "") and str(locked.version) != str(expected_version):
        raise PreconditionFailed(_("该签约已被他人修改，请刷新后重试。"), {"version": [_("版本已过期。")]})
    return locked


def _close(contract: Contract, status: str) -> None:
    contract.status = status
    contract.closed_at = timezone.now()
    contract.version = F("version") + 1
    contract.save(update_fields=["status", "closed_at", "version", "terminate_reason", "terminate_note"])
    contract.refresh_from_db()


# --- the actions ----------------------------------------------------------------------------------------------------

@transaction.atomic
def contract_sign(*, actor, resident, doctor, district_hospital=None, city_hospital=None, start_date,
                  end_date, conditions: str = "", source: str = "manual") -> Contract:
    """签约: `resident` comes from `people.selectors` within the actor's scope."""
    if not actor.can("health.manage") and not (source == "import" and actor.can("health.import")):
        raise Forbidden(_("您的岗位不能登记家庭医生签约。"), {"actor": [_("无权签约。")]})
    if not in_scope(actor, resident.committee):
        raise NotFound(_("没有找到该居民。"), {"resident": [_("不在您的管辖范围内。")]})
    if not resident.is_active:
        raise DomainError(_("该居民已不在册，不能签约。"), {"resident": [_("居民不在册。")]})
    _check_team(doctor, district_hospital, city_hospital)
    _check_term(start_date, end_date)
    conditions = _check_conditions(conditions)
    contract = _create(actor=actor, resident=resident, doctor=doctor, district_hospital=district_hospital,
                       city_hospital=city_hospital, start=start_date, end=end_date, conditions=conditions,
                       source=source)
    _event(contract, "sign" if source != "import" else "import", actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=contract,
                 detail={"op": "sign", "via": source, "doctor": doctor.pk, "start": start_date.isoformat(),
                         "end": end_date.isoformat()})
    return contract


@transaction.atomic
def contract_sign_household(*, actor, residents: list, **kwargs) -> list[Contract]:
    """A household signs together: one contract per member (each keeps one active contract)."""
    if not residents:
        raise DomainError(_("请选择签约的居民。"), {"members": [_("至少选择一人。")]})
    kwargs.pop("conditions", None)
    return [contract_sign(actor=actor, resident=r, **kwargs) for r in residents]


@transaction.atomic
def contract_renewal_wanted(*, contract_id: int, requested_by: str, for_self: bool) -> None:
    """A resident asked for 续约 from the portal (到期提醒): the contract's history records it and the workers
    of its committee who manage contracts are told. The contract itself is renewed by them (contract_renew)."""
    from shequ.core.choices import Role
    from shequ.core.models import User
    from shequ.core.services import notify
    from django.urls import reverse

    contract = Contract.objects.select_related("resident", "committee").get(pk=contract_id)
    note = (_("本人在居民端申请续约") if for_self else _("家属 %(n)s 在居民端代为申请续约") % {"n": requested_by})
    _event(contract, "renew_request", None, note)
    staff = [u for u in User.objects.filter(is_active=True, role=Role.COMMITTEE_WORKER, nodes=contract.committee)
             if u.can("health.manage")]
    notify(recipients=staff, title=_("居民申请家庭医生续约：%(n)s") % {"n": contract.resident.name},
           body=_("协议 %(c)s 将于%(d)s到期。%(note)s。") % {"c": contract.number, "d": _cn(contract.end_date),
                                                       "note": note},
           link=reverse("health:contract-detail", args=[contract.pk]))
    audit_record(actor=None, action=AuditAction.UPDATE, obj=contract, username="portal",
                 detail={"op": "renew_request", "for_self": for_self})


@transaction.atomic
def contract_renew(*, actor, contract: Contract, years=1, expected_version=None) -> Contract:
    """续约 with the same doctor and hospitals: the new term starts the day after the old one ends (or today when
    the old one has already run out)."""
    locked = _locked(contract, expected_version)
    CONTRACT.check(actor, locked, "renew")
    years = _check_years(years)
    start = max(locked.end_date + dt.timedelta(days=1), timezone.localdate())
    _close(locked, ContractStatus.RENEWED)
    _event(locked, "renew", actor, _("续约%(n)d年") % {"n": years})
    successor = _create(actor=actor, resident=locked.resident, doctor=locked.doctor,
                        district_hospital=locked.district_hospital, city_hospital=locked.city_hospital,
                        start=start, end=term_end(start, years), conditions=locked.conditions, previous=locked)
    _event(successor, "sign", actor, _("由 %(n)s 续约") % {"n": locked.number})
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=locked,
                 detail={"op": "renew", "years": years, "successor": successor.number})
    return successor


@transaction.atomic
def contract_switch(*, actor, contract: Contract, doctor, district_hospital=None, city_hospital=None, years=1,
                    expected_version=None) -> Contract:
    """改签: another doctor (team) or other hospitals, from today, for a new term."""
    locked = _locked(contract, expected_version)
    CONTRACT.check(actor, locked, "switch")
    _check_team(doctor, district_hospital, city_hospital)
    years = _check_years(years)
    if (doctor.pk, getattr(district_hospital, "pk", None), getattr(city_hospital, "pk", None)) == (
            locked.doctor_id, locked.district_hospital_id, locked.city_hospital_id):
        raise DomainError(_("改签须更换家庭医生或医院；期限延长请使用续约。"), {"doctor": [_("与原签约相同。")]})
    start = timezone.localdate()
    _close(locked, ContractStatus.SWITCHED)
    _event(locked, "switch", actor)
    successor = _create(actor=actor, resident=locked.resident, doctor=doctor, district_hospital=district_hospital,
                        city_hospital=city_hospital, start=start, end=term_end(start, years),
                        conditions=locked.conditions, previous=locked)
    _event(successor, "sign", actor, _("由 %(n)s 改签") % {"n": locked.number})
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=locked,
                 detail={"op": "switch", "doctor": doctor.pk, "successor": successor.number})
    return successor


@transaction.atomic
def contract_terminate(*, actor, contract: Contract, reason: str = "", note: str = "",
                       expected_version=None) -> Contract:
    """解约 with a reason (a code of `TerminateReason`; 其他原因 needs a note)."""
    locked = _locked(contract, expected_version)
    CONTRACT.check(actor, locked, "terminate")
    if reason not in TerminateReason.values:
        raise DomainError(_("请选择解约原因。"), {"reason": [_("请选择解约原因。")]})
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError(_("解约说明不能超过200个字符。"), {"note": [_("说明过长。")]})
    if reason == TerminateReason.OTHER and len(note) < 2:
        raise DomainError(_("其他原因须填写说明。"), {"note": [_("请填写解约说明。")]})
    locked.terminate_reason, locked.terminate_note = reason, note
    _close(locked, ContractStatus.TERMINATED)
    _event(locked, "terminate", actor, note or str(TerminateReason(reason).label))
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=locked, detail={"op": "terminate", "reason": reason})
    return locked


@transaction.atomic
def contract_reveal(*, actor, contract: Contract, reason: str) -> dict:
    """The chronic conditions in clear, for a stated reason; every reveal is audited."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("查看明文须填写事由。"), {"reason": [_("请填写查看事由。")]})
    if len(reason) > 100:
        raise DomainError(_("事由不能超过100个字符。"), {"reason": [_("事由过长。")]})
    audit_record(actor=actor, action=AuditAction.REVEAL, obj=contract, detail={"reason": reason,
                                                                               "fields": ["conditions"]})
    return {"conditions": contract.conditions}


@transaction.atomic
def contract_record_view(*, actor, contract: Contract) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, obj=contract)


@transaction.atomic
def contract_export_audit(*, actor, rows: int, filters: dict) -> None:
    audit_record(actor=actor, action=AuditAction.EXPORT, object_type="health.contract",
                 detail={"rows": rows, "filters": filters, "masked": True})


# --- import ------------------------------------------------------------------------------------------------------

@dataclass
class ImportRow:
    row: int
    name: str
    resident: object
    doctor: Doctor
    district_hospital: Institution | None
    city_hospital: Institution | None
    start: dt.date
    end: dt.date
    conditions: str


def contract_import_row(*, actor, item: ImportRow) -> str:
    """One row of the health centre's signing list: signs the resident, or reports why not. Returns "created" or
    "unchanged" (the same contract is already active); raises DomainError with the reason otherwise."""
    current = selectors.active_contract_of(resident_id=item.resident.pk)
    if current is not None:
        if (current.doctor_id, current.start_date, current.end_date) == (item.doctor.pk, item.start, item.end):
            return "unchanged"
        raise ConflictError(_("已有在约的签约 %(n)s（%(d)s），请先在系统中续约、改签或解约。") % {
            "n": current.number, "d": current.doctor.name}, {"resident": [_("已有在约的签约。")]})
    contract_sign(actor=actor, resident=item.resident, doctor=item.doctor, district_hospital=item.district_hospital,
                  city_hospital=item.city_hospital, start_date=item.start, end_date=item.end,
                  conditions=item.conditions, source="import")
    return "created"


# --- coverage -----------------------------------------------------------------------------------------------------

@transaction.atomic
def coverage_refresh(*, actor) -> int:
    """Recount 签约覆盖率 for every committee in the actor's jurisdiction (residents counted through the
    registry's own scoped selectors). Returns the number of committee rows written."""
    figures = selectors.coverage_compute(user=actor)
    now = timezone.now()
    written = 0
    for (committee_id, group), (population, signed) in figures.items():
        CoverageSnapshot.objects.update_or_create(committee_id=committee_id, group=group, defaults={
            "population": population, "signed": signed, "computed_at": now})
        written += 1
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="health.coveragesnapshot",
                 detail={"op": "refresh", "rows": written})
    return written


@shequ_task(label=gettext_lazy("家庭医生签约覆盖率统计"))
def coverage_refresh_task(user_id: int, since: str = "", due: str = "") -> int:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    return coverage_refresh(actor=user)


@shequ_task(label=gettext_lazy("家庭医生签约覆盖率统计（每日）"))
def coverage_refresh_nightly(since: str = "", due: str = "") -> int:
    """Every night, for each 街道 leader's jurisdiction (the committees overlap at most once per leader)."""
    written = 0
    for user in selectors.coverage_refresh_users():
        written += coverage_refresh(actor=user)
    return written
