"""好差评 and rectification (差评整改).

A rating of 1–2 stars opens a rectification task for the responsible unit: the department that decided the
case, or the centre itself (handled by the hall supervisor) when the complaint concerns the window service.
Deadlines follow the Shanghai "1、5、15" rule: contact within 1 working day, simple fixes within 5, complex
ones within 15. Without calendar data for the year the task is still opened, with the deadline left blank and
the reason stated (a review is never lost because of the calendar).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import idcard, workcal
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, Role
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.models import User
from shequ.core.scoping import in_scope
from shequ.core.services import notify

from ..choices import (CONTACT_DAYS, FRONT_DESK_TAGS, POOR_SCORES, RECTIFICATION_ACTIONS, RECTIFICATION_TRANSITIONS,
                       RECTIFY_DAYS,
                       REVIEW_TAGS, CallbackResult, CaseStatus, Complexity, ContactMethod, RectificationStatus,
                       ReviewChannel, SUPERVISOR_ONLY_RECTIFICATION, TicketStatus, check_action)
from ..models import Case, Rectification, RectificationEvent, Review, Ticket
from .common import actor_name, clean_text

DECIDED = (CaseStatus.APPROVED, CaseStatus.REFUSED, CaseStatus.COMPLETED, CaseStatus.DELIVERED)


def _supervisors(node) -> list[User]:
    return [u for u in User.objects.filter(role=Role.HALL_SUPERVISOR, is_active=True) if in_scope(u, node)]


def _deadlines(rect: Rectification) -> None:
    start = timezone.localdate(rect.created_at)
    try:
        rect.contact_deadline = workcal.add_working_days(start, CONTACT_DAYS)
        rect.deadline = workcal.add_working_days(start, RECTIFY_DAYS[rect.complexity])
        rect.deadline_note = ""
    except workcal.CalendarUnavailable as exc:
        rect.contact_deadline = rect.deadline = None
        rect.deadline_note = exc.message


def _responsible_department(case: Case | None, tags: list[str]):
    """Whoever handled it is responsible: the department once it decided a 承诺件, unless the complaint is
    about the window service (waiting, attitude, the one-time notice, the hall)."""
    if case is None or case.item.is_instant or case.status not in DECIDED or set(tags) & FRONT_DESK_TAGS:
        return None
    return case.department


@transaction.atomic
def review_submit(*, score, channel: str, case: Case | None = None, ticket: Ticket | None = None,
                  tags=(), comment: str = "", contact_phone: str = "", actor=None, device=None) -> Review:
    """Record a rating after service. One per case and one per ticket."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise DomainError(_("请选择1至5星的评价。"), {"score": [_("评价为1至5星。")]})
    if channel not in ReviewChannel.values:
        raise DomainError(_("评价渠道无效。"), {"channel": [_("无效。")]})
    if case is None and ticket is None:
        raise DomainError(_("请指明评价的办件或排队号。"), {"case": [_("必填。")]})
    allowed = {str(t) for t in REVIEW_TAGS}
    tags = [str(t) for t in tags or []]
    if set(tags) - allowed:
        raise DomainError(_("评价标签无效。"), {"tags": [_("请从列表中选择。")]})
    comment = clean_text(comment, field="comment", label=_("意见建议"), required=False, max_length=500)
    if score in POOR_SCORES and not (comment or tags):
        raise DomainError(_("不满意的评价请选择原因或填写意见，便于整改。"), {"comment": [_("请说明不满意的原因。")]})
    phone = (contact_phone or "").strip()
    if phone:
        try:
            phone = idcard.normalize_phone(phone)
        except ValueError as exc:
            raise DomainError(str(exc), {"contact_phone": [str(exc)]}) from None
    if case is not None:  # the caller's copy may predate the last transition
        case = Case.objects.select_related("item", "department", "ticket", "node").get(pk=case.pk)
    if ticket is not None:
        ticket = Ticket.objects.select_related("window", "clerk", "node").get(pk=ticket.pk)
    if case is not None and ticket is None and case.ticket_id and case.ticket.status == TicketStatus.DONE:
        ticket = case.ticket if not Review.objects.filter(ticket_id=case.ticket_id).exists() else None
    if ticket is not None and case is None:
        cases = list(ticket.cases.all()[:2])
        case = cases[0] if len(cases) == 1 and not Review.objects.filter(case=cases[0]).exists() else None
    if ticket is not None and ticket.status != TicketStatus.DONE:
        raise ConflictError(_("号码 %(n)s 尚未办理完成，暂不能评价。") % {"n": ticket.number},
                            {"ticket": [_("尚未办理完成。")]})
    if case is not None and Review.objects.filter(case=case).exists():
        raise ConflictError(_("办件 %(n)s 已评价过，每件只能评价一次。") % {"n": case.number}, {"case": [_("已评价。")]})
    if ticket is not None and Review.objects.filter(ticket=ticket).exists():
        raise ConflictError(_("号码 %(n)s 已评价过。") % {"n": ticket.number}, {"ticket": [_("已评价。")]})
    source_ticket = ticket or (case.ticket if case else None)
    node = (case or ticket).node
    review = Review(node=node, case=case, ticket=ticket, score=score, tags=tags, comment=comment, channel=channel,
                    contact_phone=phone, contact_phone_masked=idcard.mask_phone(phone),
                    window=source_ticket.window if source_ticket else None,
                    clerk=(source_ticket.clerk if source_ticket and source_ticket.clerk_id else
                           (case.accepted_by or case.received_by) if case else None),
                    department=_responsible_department(case, tags))
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:  # two submissions at the same moment
        raise ConflictError(_("该次服务已评价过。"), {"score": [_("已评价。")]}) from exc
    audit_record(actor=actor, action=AuditAction.CREATE, obj=review,
                 username=actor_name(actor, device) if device else "",
                 detail={"score": score, "channel": channel, "case": case.number if case else None,
                         "ticket": ticket.number if ticket else None})
    if score in POOR_SCORES:
        _open_rectification(review, actor=actor)
    return review


def _open_rectification(review: Review, *, actor) -> Rectification:
    rect = Rectification(review=review, node=review.node, department=review.department, created_at=timezone.now())
    _deadlines(rect)
    rect.save()
    RectificationEvent.objects.create(rectification=rect, action="open", to_status=rect.status,
                                      actor=actor if getattr(actor, "pk", None) else None,
                                      actor_name=actor_name(actor), note=_("差评自动生成整改任务"))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=rect, detail={"review": review.pk})
    recipients = _supervisors(review.node)
    if rect.department_id:
        recipients += [u for u in User.objects.filter(role=Role.DEPT_OFFICER, department=rect.department,
                                                      is_active=True) if in_scope(u, review.node)]
    notify(recipients=recipients, title=_("收到差评，请于1个工作日内联系评价人"),
           body=review.comment or "、".join(review.tags), link=reverse("acceptance:rectification-detail",
                                                                       args=[rect.pk]))
    return rect


def may_handle(actor, rect: Rectification) -> bool:
    if actor.can("acceptance.supervise"):
        return True
    return bool(rect.department_id and actor.can("acceptance.rectify") and actor.department_id == rect.department_id)


def _move(rect: Rectification, action: str) -> str:
    target = check_action(RECTIFICATION_ACTIONS, RECTIFICATION_TRANSITIONS, rect.status, action, what=_("整改任务"),
                          labels=dict(RectificationStatus.choices))
    previous = rect.status
    rect.status = target
    return previous


@transaction.atomic
def rectification_act(*, actor, rectification: Rectification, action: str, note: str = "",
                      contact_method: str = "", complexity: str = "", callback_result: str = "") -> Rectification:
    """One step of a rectification: contact / rectify / close / reopen / appeal (by the responsible unit or the
    supervisor); uphold / dismiss an appeal (supervisor only)."""
    if action not in RECTIFICATION_ACTIONS:
        raise DomainError(_("未知的操作。"), {"action": [_("无效的操作。")]})
    rect = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if not may_handle(actor, rect) or (action in SUPERVISOR_ONLY_RECTIFICATION
                                       and not actor.can("acceptance.supervise")):
        raise Forbidden(_("您不是该整改任务的责任人。"))
    labels = {"contact": _("核实情况"), "rectify": _("整改措施"), "close": _("回访记录"), "reopen": _("回访记录"),
              "appeal": _("申诉理由"), "uphold": _("复核意见"), "dismiss": _("复核意见")}
    note = clean_text(note, field="note", label=labels[action], max_length=2000)
    previous = _move(rect, action)
    now = timezone.now()
    if action == "contact":
        if contact_method not in ContactMethod.values:
            raise DomainError(_("请选择联系方式。"), {"contact_method": [_("必填。")]})
        if complexity and complexity not in Complexity.values:
            raise DomainError(_("问题类型无效。"), {"complexity": [_("无效。")]})
        if complexity and complexity != rect.complexity:
            rect.complexity = complexity
            _deadlines(rect)
        rect.contacted_at = rect.contacted_at or now
        rect.contact_method, rect.contact_note = contact_method, note
    elif action == "rectify":
        rect.measures, rect.rectified_at = note, now
    elif action == "close":
        if callback_result not in CallbackResult.values:
            raise DomainError(_("请选择回访结果。"), {"callback_result": [_("必填。")]})
        if callback_result == CallbackResult.UNSATISFIED:
            raise DomainError(_("回访不满意时请选择“继续整改”，不能办结。"), {"callback_result": [_("不满意不能办结。")]})
        rect.callback_at, rect.callback_result, rect.callback_note, rect.closed_at = now, callback_result, note, now
    elif action == "reopen":
        rect.callback_at, rect.callback_result, rect.callback_note = now, CallbackResult.UNSATISFIED, note
    elif action == "appeal":
        rect.appeal_reason = note
    elif action == "uphold":
        rect.closed_at = now
    rect.save()
    RectificationEvent.objects.create(rectification=rect, action=action, from_status=previous, to_status=rect.status,
                                      actor=actor, actor_name=actor_name(actor), note=note)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=rect,
                 detail={"op": action, "from": previous, "to": rect.status})
    if action == "appeal":
        notify(recipients=_supervisors(rect.node), title=_("差评申诉待复核：整改#%(n)d") % {"n": rect.pk}, body=note,
               link=reverse("acceptance:rectification-detail", args=[rect.pk]))
    return rect
