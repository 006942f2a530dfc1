"""Staff files, training and certification of the window clerks (统一招聘、统一培训、统一持证上岗).

A passed training certifies its attendees for the service items it covers, until an expiry; the clerk's skill
per ticket category follows from those certifications. The rota seats a clerk at a window only while the clerk
holds a valid certification for an item of the window's first-rank category (`may_sit_at`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import crypto, idcard
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import ConflictError, DomainError
from shequ.core.inputs import check_date

from ..choices import ContractType, PostLevel, SkillLevel
from ..models import Certification, ClerkFile, ServiceItem, StaffSkill, TrainingAttendance, TrainingSession
from .common import check_clerk, clean_text

CONTRACT_NUMBER = re.compile(r"^[A-Za-z0-9\-/（）()〔〕\u4e00-\u9fff]{1,40}$")
MAX_TRAINING_ITEMS = 100
MAX_ATTENDEES = 200


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def mask_contract(value: str) -> str:
    if not value:
        return ""
    return value[:2] + "*" * max(len(value) - 4, 1) + value[-2:] if len(value) > 4 else "*" * len(value)


def _date(value, field: str, label: str, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise DomainError(_("请填写%(l)s。") % {"l": label}, {field: [_("必填。")]})
        return None
    if not isinstance(value, dt.date):
        raise DomainError(_("%(l)s无效。") % {"l": label}, {field: [_("日期无效。")]})
    try:
        return check_date(value)
    except ValidationError:
        raise DomainError(_("%(l)s超出允许范围。") % {"l": label}, {field: [_("日期无效。")]}) from None


# --- staff files --------------------------------------------------------------------------------------------

@transaction.atomic
def clerk_file_save(*, actor, node, user, hired_on, contract_type: str, post_level: str, contract_number: str = "",
                    contract_start=None, contract_end=None, id_number: str = "", note: str = "") -> ClerkFile:
    """Create or update a clerk's staff file. A blank contract or ID number keeps the stored one."""
    check_clerk(node, user)
    hired_on = _date(hired_on, "hired_on", _("入职日期"))
    if hired_on > timezone.localdate():
        raise DomainError(_("入职日期不能晚于今天。"), {"hired_on": [_("日期无效。")]})
    if contract_type not in ContractType.values:
        raise DomainError(_("用工形式无效。"), {"contract_type": [_("无效。")]})
    if post_level not in PostLevel.values:
        raise DomainError(_("岗位等级无效。"), {"post_level": [_("无效。")]})
    contract_start = _date(contract_start, "contract_start", _("合同起始日"), required=False)
    contract_end = _date(contract_end, "contract_end", _("合同终止日"), required=False)
    if contract_start and contract_end and contract_end < contract_start:
        raise DomainError(_("合同终止日不能早于起始日。"), {"contract_end": [_("日期无效。")]})
    contract_number = (contract_number or "").strip()
    if contract_number and not CONTRACT_NUMBER.match(contract_number):
        raise DomainError(_("合同编号只能包含字母、数字、汉字和 - / 括号，不超过40个字符。"),
                          {"contract_number": [_("格式无效。")]})
    id_number = (id_number or "").strip()
    if id_number:
        try:
            id_number = idcard.normalize_id_number(id_number)
        except idcard.InvalidIdNumber as exc:
            raise DomainError(str(exc), {"id_number": [str(exc)]}) from None
    note = clean_text(note, field="note", label=_("备注"), required=False, max_length=200)
    file = ClerkFile.objects.select_for_update().filter(user=user).first()
    created = file is None
    if created:
        file = ClerkFile(user=user, node=node)
    elif file.node_id != node.pk:
        raise ConflictError(_("%(u)s的档案属于其他受理中心。") % {"u": user}, {"user": [_("不在本中心。")]})
    file.hired_on, file.contract_type, file.post_level = hired_on, contract_type, post_level
    file.contract_start, file.contract_end, file.note = contract_start, contract_end, note
    if contract_number:
        file.contract_number, file.contract_number_masked = contract_number, mask_contract(contract_number)
    if id_number:
        file.id_number, file.id_number_hash = id_number, crypto.keyed_hash(id_number)
        file.id_number_masked = idcard.mask_id_number(id_number)
    file.save()
    audit_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=file,
                 detail={"op": "clerk_file", "user": user.username, "post_level": post_level,
                         "contract_type": contract_type, "contract_number": file.contract_number_masked,
                         "id_number": file.id_number_masked})
    return file


# --- training ------------------------------------------------------------------------------------------------

@transaction.atomic
def training_save(*, actor, node, topic: str, date, hours, items, trainer: str = "", valid_months=24,
                  session: TrainingSession | None = None) -> TrainingSession:
    """Create or update a training session; `items` are the service items it covers (certified when passed)."""
    topic = clean_text(topic, field="topic", label=_("培训主题"), max_length=100)
    trainer = clean_text(trainer, field="trainer", label=_("授课人"), required=False, max_length=50)
    date = _date(date, "date", _("培训日期"))
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        hours = Decimal(0)
    if not Decimal("0.5") <= hours <= Decimal("40"):
        raise DomainError(_("学时为0.5至40。"), {"hours": [_("超出范围。")]})
    try:
        valid_months = int(valid_months)
    except (TypeError, ValueError):
        valid_months = 0
    if not 1 <= valid_months <= 60:
        raise DomainError(_("资格有效期为1至60个月。"), {"valid_months": [_("超出范围。")]})
    items = list(dict.fromkeys(items or []))
    if not items:
        raise DomainError(_("请至少选择一个培训涵盖的服务事项。"), {"items": [_("必填。")]})
    if len(items) > MAX_TRAINING_ITEMS:
        raise DomainError(_("一次培训最多涵盖%(n)d个事项。") % {"n": MAX_TRAINING_ITEMS}, {"items": [_("过多。")]})
    if any(not isinstance(i, ServiceItem) or not i.is_active for i in items):
        raise DomainError(_("只能选择启用中的服务事项。"), {"items": [_("无效。")]})
    if session is not None:
        if session.node_id != node.pk:
            raise ConflictError(_("该培训属于其他受理中心。"))
        if session.attendance.filter(passed=True).exists() and \
                set(session.items.values_list("pk", flat=True)) != {i.pk for i in items}:
            raise ConflictError(_("已有人员通过该培训取得资格，不能再修改涵盖事项。"), {"items": [_("已锁定。")]})
    created = session is None
    session = session or TrainingSession(node=node, created_by=actor)
    session.topic, session.date, session.hours, session.trainer = topic, date, hours, trainer
    session.valid_months = valid_months
    session.save()
    session.items.set(items)
    audit_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=session,
                 detail={"op": "training", "topic": topic, "date": date.isoformat(), "hours": str(hours),
                         "items": [i.code for i in items]})
    return session


def _sync_skills(user, category_ids) -> None:
    """A clerk's category skill follows the certifications: it lasts until the latest expiry of the category's
    certifications; with none left the skill that training had given goes (a skill set by hand stays)."""
    today = timezone.localdate()
    for category_id in category_ids:
        latest = Certification.objects.filter(user=user, item__queue_category_id=category_id, revoked_at=None,
                                              expires_on__gte=today).aggregate(m=Max("expires_on"))["m"]
        skill = StaffSkill.objects.filter(user=user, category_id=category_id).first()
        if latest:
            if skill is None:
                StaffSkill.objects.create(user=user, category_id=category_id, level=SkillLevel.COMPETENT,
                                          expires_on=latest)
            elif skill.expires_on is not None or skill.level == SkillLevel.LEARNING:
                skill.expires_on = latest
                if skill.level == SkillLevel.LEARNING:
                    skill.level = SkillLevel.COMPETENT
                skill.save(update_fields=["expires_on", "level"])
        elif skill is not None and skill.expires_on is not None:
            skill.delete()


@transaction.atomic
def training_record(*, actor, session: TrainingSession, results: list[dict]) -> list[Certification]:
    """Record attendance and results: [{"user", "present", "passed", "score"}]. A passed attendee is certified
    for every item of the training from the training date for `valid_months` (a later expiry is kept)."""
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.date > timezone.localdate():
        raise DomainError(_("培训尚未举行，不能登记考核结果。"), {"date": [_("培训日期在今天之后。")]})
    if not results:
        raise DomainError(_("请至少登记一名参训人员。"), {"results": [_("必填。")]})
    if len(results) > MAX_ATTENDEES:
        raise DomainError(_("一次最多登记%(n)d人。") % {"n": MAX_ATTENDEES}, {"results": [_("过多。")]})
    node = session.node
    items = list(session.items.select_related("queue_category"))
    expires = add_months(session.date, session.valid_months) - dt.timedelta(days=1)
    certified: list[Certification] = []
    seen = set()
    for row in results:
        user, present, passed = row.get("user"), bool(row.get("present")), bool(row.get("passed"))
        if user is None or user.pk in seen:
            raise DomainError(_("参训人员重复或无效。"), {"results": [_("无效。")]})
        seen.add(user.pk)
        check_clerk(node, user)
        if passed and not present:
            raise DomainError(_("%(u)s未出勤，不能考核通过。") % {"u": user}, {"results": [_("缺勤不能通过。")]})
        score = row.get("score")
        if score not in (None, ""):
            try:
                score = int(score)
            except (TypeError, ValueError):
                score = -1
            if not 0 <= score <= 100:
                raise DomainError(_("考核成绩为0至100分。"), {"results": [_("超出范围。")]})
        else:
            score = None
        TrainingAttendance.objects.update_or_create(session=session, user=user,
                                                    defaults={"present": present, "passed": passed, "score": score})
        if not passed:
            continue
        for item in items:
            cert = Certification.objects.select_for_update().filter(user=user, item=item).first()
            if cert is None:
                cert = Certification(user=user, item=item)
            elif cert.revoked_at is None and cert.expires_on >= expires:
                continue  # a later certification already covers it
            cert.session, cert.certified_on, cert.expires_on = session, session.date, expires
            cert.revoked_at, cert.revoked_reason = None, ""
            cert.save()
            certified.append(cert)
        _sync_skills(user, {i.queue_category_id for i in items})
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=session,
                 detail={"op": "training_results", "present": sum(1 for r in results if r.get("present")),
                         "passed": [r["user"].username for r in results if r.get("passed")],
                         "certified": len(certified), "expires_on": expires.isoformat()})
    return certified


@transaction.atomic
def certification_revoke(*, actor, node, certification: Certification, reason: str) -> Certification:
    """End a certification at once (e.g. after repeated errors on the item); a later training renews it."""
    reason = clean_text(reason, field="reason", label=_("撤销原因"), max_length=200)
    cert = Certification.objects.select_for_update().select_related("user", "item").get(pk=certification.pk)
    check_clerk(node, cert.user)
    if cert.revoked_at is not None:
        raise ConflictError(_("该资格已撤销。"))
    cert.revoked_at, cert.revoked_reason = timezone.now(), reason
    cert.save(update_fields=["revoked_at", "revoked_reason"])
    _sync_skills(cert.user, {cert.item.queue_category_id})
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=cert.user,
                 detail={"op": "certification_revoke", "item": cert.item.code, "reason": reason})
    return cert


# --- who may sit where ----------------------------------------------------------------------------------------

def certified_categories(user_ids, day: dt.date) -> dict[int, set[int]]:
    """{clerk id: ids of the ticket categories in which the clerk holds a valid item certification on `day`}."""
    out: dict[int, set[int]] = {}
    for user_id, category_id in Certification.objects.filter(
            user_id__in=list(user_ids), revoked_at=None, certified_on__lte=day, expires_on__gte=day,
            item__is_active=True).values_list("user_id", "item__queue_category_id").distinct():
        out.setdefault(user_id, set()).add(category_id)
    return out


def window_main_category(window) -> int | None:
    return window.skills.order_by("rank").values_list("category_id", flat=True).first()


def may_sit_at(clerk, window, day: dt.date, *, main_category: int | None = None, certified=None) -> bool:
    """A clerk may be seated at a window when certified for an item of the window's first-rank category."""
    main = main_category if main_category is not None else window_main_category(window)
    if main is None:
        return True
    certified = certified if certified is not None else certified_categories([clerk.pk], day)
    return main in certified.get(clerk.pk, set())
