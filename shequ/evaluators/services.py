"""Writes of outside evaluations (社会监督评议): schedule, score on the sheet (published to the department), cancel,
dispute and its answer. Each checks its declared action first (`workflows.EVALUATION`), under the row lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import EVALUATOR_ROLES, AuditAction, Role
from shequ.core.errors import DomainError
from shequ.core.formatting import number_text
from shequ.core.inputs import check_length
from shequ.core.models import User
from shequ.core.scoping import acting_subdistrict, in_scope
from shequ.core.services import notify
from shequ.grid import services as grid
from shequ.targets import services as targets

from . import selectors
from .choices import ROLE_KIND, DisputeOutcome, EvaluationStatus
from .models import Evaluation, EvaluationPhoto, EvaluationScore
from .workflows import EVALUATION

S = EvaluationStatus
MAX_AHEAD_DAYS = 366


def _text(value, field: str, limit: int, label: str, *, required: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(required, {field: [required]})
    return check_length(text, limit, field, label)


def _locked(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update().select_related("department").get(pk=evaluation.pk)


@transaction.atomic
def evaluation_schedule(*, actor, evaluator, sheet, department, topic: str, place: str,
                        date: dt.date) -> Evaluation:
    """安排测评: an inspection of `department` by `evaluator` on `date`, on a 大联动督查 department sheet."""
    if evaluator is None or evaluator.role not in EVALUATOR_ROLES or not evaluator.is_active:
        raise DomainError(_("请选择人大代表、行风政风监督员或督察队员。"), {"evaluator": [_("请选择评议人。")]})
    node = acting_subdistrict(actor)
    if node is None:
        raise DomainError(_("您的管辖范围内没有街道，不能安排测评。"), {"evaluator": [_("没有所属街道。")]})
    if not in_scope(evaluator, node):
        raise DomainError(_("该评议人不属于本街道。"), {"evaluator": [_("不属于本街道。")]})
    evaluation = Evaluation(kind=ROLE_KIND[evaluator.role], evaluator=evaluator, scheduled_by=actor, node=node)
    evaluation.status = None  # the first action is checked on the unsaved record
    EVALUATION.check(actor, evaluation, "schedule")
    if sheet is None or not selectors.evaluation_sheets().filter(pk=sheet.pk).exists():
        raise DomainError(_("请选择启用的职能部门督查评分表。"), {"sheet": [_("不是职能部门督查评分表。")]})
    if department is None or not department.is_active:
        raise DomainError(_("请选择被测评部门。"), {"department": [_("必填。")]})
    if not isinstance(date, dt.date):
        raise DomainError(_("请填写计划日期。"), {"date": [_("必填。")]})
    today = timezone.localdate()
    if date < today or date > today + dt.timedelta(days=MAX_AHEAD_DAYS):
        raise DomainError(_("计划日期须在今天到一年之内。"), {"date": [_("计划日期须在今天到一年之内。")]})
    evaluation.sheet, evaluation.department, evaluation.scheduled_for = sheet, department, date
    evaluation.topic = _text(topic, "topic", 100, _("测评事项"), required=_("请填写测评事项。"))
    evaluation.place = _text(place, "place", 100, _("测评地点"), required=_("请填写测评地点。"))
    evaluation.status = S.SCHEDULED
    evaluation.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=evaluation,
                 detail={"kind": evaluation.kind, "department": department.name, "date": date.isoformat()})
    if evaluator.pk != actor.pk:
        notify(recipients=[evaluator], title=_("新的测评任务：%(d)s") % {"d": department.name},
               body=_("%(date)s 在%(place)s测评“%(topic)s”。") % {
                   "date": f"{date.year}年{date.month}月{date.day}日", "place": evaluation.place,
                   "topic": evaluation.topic},
               link=reverse("evaluators:detail", args=[evaluation.pk]))
    return evaluation


def _item_notes(layout, item_notes: dict) -> dict:
    notes, errors = {}, {}
    for _section, items in layout:
        for item in items:
            text = (item_notes or {}).get(item.pk, (item_notes or {}).get(str(item.pk), "")) or ""
            text = str(text).strip()
            if len(text) > 200:
                errors[f"note_{item.pk}"] = [_("说明不能超过200个字符（现为%(n)s个）。") % {"n": len(text)}]
            notes[item.pk] = text
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)
    return notes


@transaction.atomic
def evaluation_submit(*, actor, evaluation: Evaluation, marks: dict, item_notes: dict | None = None,
                      note: str = "", photos=()) -> Evaluation:
    """提交评分: a mark per item by its rule, notes, photos (EXIF removed); the score is published to the department."""
    evaluation = _locked(evaluation)
    EVALUATION.check(actor, evaluation, "submit")
    note = _text(note, "note", 500, _("评议意见"))
    layout = selectors.sheet_layout(evaluation.sheet)
    notes = _item_notes(layout, item_notes or {})
    cleaned = grid.clean_photos(photos)
    rows, total = targets.sheet_marks(sheet=evaluation.sheet, marks=marks or {})
    full = sum((item.max_points for item, _m, _p in rows), Decimal(0))
    EvaluationScore.objects.bulk_create([EvaluationScore(evaluation=evaluation, sheet_item=item, mark=mark,
                                                         points=points, note=notes.get(item.pk, ""))
                                         for item, mark, points in rows])
    for photo in cleaned:
        row = EvaluationPhoto(evaluation=evaluation, content_type=photo.content_type, size=len(photo.content),
                              width=photo.width, height=photo.height, uploaded_by=actor)
        row.file.save(photo.content.name, photo.content, save=False)
        row.save()
    evaluation.total, evaluation.full, evaluation.note = total, full, note
    evaluation.status, evaluation.submitted_at = S.PUBLISHED, timezone.now()
    evaluation.save(update_fields=["total", "full", "note", "status", "submitted_at"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=evaluation,
                 detail={"action": "submit", "total": str(total), "full": str(full), "photos": len(cleaned)})
    officers = User.objects.filter(role=Role.DEPT_OFFICER, department=evaluation.department, is_active=True)
    notify(recipients=list(officers), title=_("社会监督评议得分已发布：%(t)s分") % {"t": number_text(total)},
           body=_("%(k)s测评“%(topic)s”，满分%(f)s分。") % {"k": evaluation.get_kind_display(),
                                                       "topic": evaluation.topic, "f": number_text(full)},
           link=reverse("evaluators:detail", args=[evaluation.pk]))
    return evaluation


@transaction.atomic
def evaluation_cancel(*, actor, evaluation: Evaluation, reason: str = "") -> Evaluation:
    evaluation = _locked(evaluation)
    EVALUATION.check(actor, evaluation, "cancel")
    evaluation.cancel_reason = _text(reason, "reason", 200, _("取消原因"), required=_("请填写取消原因。"))
    evaluation.status = S.CANCELLED
    evaluation.save(update_fields=["cancel_reason", "status"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=evaluation,
                 detail={"action": "cancel", "reason": evaluation.cancel_reason})
    return evaluation


@transaction.atomic
def evaluation_dispute(*, actor, evaluation: Evaluation, reason: str = "") -> Evaluation:
    """申诉: the department disputes a published score once, with its reason."""
    evaluation = _locked(evaluation)
    EVALUATION.check(actor, evaluation, "dispute")
    evaluation.dispute_reason = _text(reason, "reason", 500, _("申诉理由"), required=_("请填写申诉理由。"))
    evaluation.status, evaluation.disputed_by, evaluation.disputed_at = S.DISPUTED, actor, timezone.now()
    evaluation.save(update_fields=["dispute_reason", "status", "disputed_by", "disputed_at"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=evaluation,
                 detail={"action": "dispute", "reason": evaluation.dispute_reason})
    notify(recipients=[evaluation.scheduled_by], title=_("测评申诉待答复：%(d)s") % {"d": evaluation.department.name},
           body=evaluation.dispute_reason, link=reverse("evaluators:detail", args=[evaluation.pk]))
    return evaluation


def _answer(actor, evaluation, answer, outcome) -> None:
    evaluation.dispute_answer = _text(answer, "answer", 500, _("答复意见"), required=_("请填写答复意见。"))
    evaluation.dispute_outcome, evaluation.answered_by, evaluation.answered_at = outcome, actor, timezone.now()
    evaluation.status = S.PUBLISHED


def _notify_answer(evaluation) -> None:
    notify(recipients=[evaluation.disputed_by, evaluation.evaluator],
           title=_("测评申诉已答复：%(o)s") % {"o": evaluation.get_dispute_outcome_display()},
           body=evaluation.dispute_answer, link=reverse("evaluators:detail", args=[evaluation.pk]))


@transaction.atomic
def evaluation_uphold(*, actor, evaluation: Evaluation, answer: str = "", total=None) -> Evaluation:
    """申诉成立: the score is adjusted (0 to the sheet's full points); the original score is kept."""
    evaluation = _locked(evaluation)
    EVALUATION.check(actor, evaluation, "uphold")
    try:
        value = Decimal(str(total).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(_("请填写调整后的得分（数字）。"), {"total": [_("请填写数字。")]})
    if not value.is_finite() or value < 0 or value > (evaluation.full or 0):
        message = _("调整后的得分须在0到%(f)s分之间。") % {"f": number_text(evaluation.full)}
        raise DomainError(message, {"total": [message]})
    _answer(actor, evaluation, answer, DisputeOutcome.UPHELD)
    evaluation.original_total, evaluation.total = evaluation.total, value
    evaluation.save(update_fields=["dispute_answer", "dispute_outcome", "answered_by", "answered_at", "status",
                                   "original_total", "total"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=evaluation,
                 detail={"action": "uphold", "from": str(evaluation.original_total), "to": str(value),
                         "answer": evaluation.dispute_answer})
    _notify_answer(evaluation)
    return evaluation


@transaction.atomic
def evaluation_reject(*, actor, evaluation: Evaluation, answer: str = "") -> Evaluation:
    """驳回申诉: the score stands; the reason is given to the department."""
    evaluation = _locked(evaluation)
    EVALUATION.check(actor, evaluation, "reject")
    _answer(actor, evaluation, answer, DisputeOutcome.REJECTED)
    evaluation.save(update_fields=["dispute_answer", "dispute_outcome", "answered_by", "answered_at", "status"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=evaluation,
                 detail={"action": "reject", "answer": evaluation.dispute_answer})
    _notify_answer(evaluation)
    return evaluation
