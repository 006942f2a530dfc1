"""Writes of a 12345 work order: intake (one or a batch) and one service per action, each checked against the
declaration in `workflows.HOTLINE`."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from django.urls import reverse

from shequ.core import workcal
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind, Role
from shequ.core.errors import ConflictError, DomainError
from shequ.core.idcard import mask_phone
from shequ.core.inputs import check_length
from shequ.core.models import Department, Node, User
from shequ.core.scoping import in_scope
from shequ.core.services import notify

from .. import timing
from ..choices import (TASK_UNIT_KINDS, ContactMethod, Decision, ExtensionReason, HotlineAction, HotlineStatus,
                       HotlineType, RequestKind, RequestStatus, Resolution, ReturnReason, Satisfaction, Source,
                       TaskStatus, Urgency)
from ..models import Category, HotlineEvent, HotlineOrder, HotlineRequest, HotlineTask
from ..selectors import hotline_list
from ..workflows import HOTLINE, HOTLINE_TASK
from .cases import case_report
from .common import actor_name, active_category, locate, require_text, subdistrict_of


def _hotline_event(order, *, actor, action, before, note=""):
    HotlineEvent.objects.create(order=order, action=action, from_status=before, to_status=order.status,
                                actor=actor if getattr(actor, "pk", None) else None, actor_name=actor_name(actor)[:64],
                                note=check_length(note or "", 500, "note", _("内容")), at=timezone.now())
    audit_record(actor=actor, action=AuditAction.TRANSITION if action != HotlineAction.RECEIVE else AuditAction.CREATE,
                 obj=order, detail={"action": action, "from": before, "to": order.status})


def _parse_dt(value, field: str):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        result = value
    else:
        text = str(value).strip().replace("/", "-")
        try:
            result = dt.datetime.fromisoformat(text)
        except ValueError:
            raise DomainError(_("时间格式无效：%(v)s") % {"v": text[:30]}, {field: [_("请使用 YYYY-MM-DD HH:MM。")]})
    if timezone.is_naive(result):
        result = timezone.make_aware(result)
    return result


@transaction.atomic
def hotline_receive(*, actor, data: dict, subdistrict: Node) -> HotlineOrder:
    """Register a 12345 order dispatched to the 街道 (from the import or the API)."""
    order_no = str(data.get("order_no") or "").strip()
    errors = {}
    if not order_no or len(order_no) > 40:
        errors["order_no"] = [_("工单号必填，且不超过40个字符。")]
    title = str(data.get("title") or "").strip()
    content = str(data.get("content") or "").strip()
    if not content:
        errors["content"] = [_("诉求内容必填。")]
    hotline_type = str(data.get("hotline_type") or HotlineType.COMPLAINT)
    labels = {str(label): value for value, label in HotlineType.choices}
    hotline_type = labels.get(hotline_type, hotline_type)
    if hotline_type not in HotlineType.values:
        errors["hotline_type"] = [_("诉求类型须为咨询、求助、投诉或建议。")]
    urgency = str(data.get("urgency") or Urgency.NORMAL)
    urgency = {str(label): value for value, label in Urgency.choices}.get(urgency, urgency)
    if urgency not in Urgency.values:
        errors["urgency"] = [_("紧急程度须为一般、紧急或特急。")]
    category = None
    if data.get("category"):
        category = Category.objects.filter(code=str(data["category"]).strip(), is_active=True).first()
        if category is None:
            errors["category"] = [_("小类代码不存在：%(c)s") % {"c": data["category"]}]
    lat, lng = data.get("lat"), data.get("lng")
    node = subdistrict
    if lat not in (None, "") or lng not in (None, ""):
        try:
            node = Node.objects.get(pk=locate(lat, lng).id)
        except DomainError as exc:
            errors["location"] = exc.errors.get("location", [exc.message])
        else:
            if not node.path.startswith(subdistrict.path):  # the order would land in another 街道's queue
                errors["location"] = [_("该位置不在您的管辖范围内。")]
    caller_name = str(data.get("caller_name") or "").strip()
    phone = str(data.get("caller_phone") or "").strip()
    address = str(data.get("address") or "").strip()
    for field, value, limit, label in (("title", title, 100, _("标题")), ("content", content, 4000, _("诉求内容")),
                                       ("caller_name", caller_name, 32, _("来电人")),
                                       ("caller_phone", phone, 20, _("来电号码")), ("address", address, 200, _("地址"))):
        try:
            check_length(value, limit, field, label)
        except DomainError as exc:
            errors.update(exc.errors)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)
    if HotlineOrder.objects.filter(order_no=order_no).exists():
        raise ConflictError(_("工单号 %(n)s 已存在。") % {"n": order_no}, {"order_no": [_("工单已导入。")]})
    received = _parse_dt(data.get("received_at"), "received_at") or timezone.now()
    platform_due = _parse_dt(data.get("platform_due"), "platform_due")
    if platform_due and platform_due < received:
        raise DomainError(_("办结时限早于派单时间。"), {"platform_due": [_("办结时限早于派单时间。")]})
    order = HotlineOrder.objects.create(  # without a title, the first words of the content (kept whole) name it
        order_no=order_no, hotline_type=hotline_type, title=title or content[:30], content=content,
        category=category, caller_name=caller_name, caller_phone=phone,
        caller_phone_masked=mask_phone(phone) if phone else "", address=address,
        lat=float(lat) if node.kind == NodeKind.GRID else None, lng=float(lng) if node.kind == NodeKind.GRID else None,
        node=node, urgency=urgency, received_at=received, platform_due=platform_due,
        sign_due=timing.step_due("hotline_sign", received), updated_at=timezone.now())
    _hotline_event(order, actor=actor, action=HotlineAction.RECEIVE, before="", note=_("12345派单"))
    return order


def hotline_import(*, actor, rows: list[dict], subdistrict: Node) -> dict:
    """Import many orders; each row is saved or refused on its own (a refused row saves nothing)."""
    created, skipped, errors = 0, 0, []
    for index, row in enumerate(rows, start=1):
        line = row.get("_row", index)
        try:
            hotline_receive(actor=actor, data=row, subdistrict=subdistrict)
        except ConflictError:
            skipped += 1
        except DomainError as exc:
            errors.append({"row": line, "order_no": str(row.get("order_no") or ""), "message": exc.message})
        else:
            created += 1
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.IMPORT, object_type="grid.hotlineorder",
                     detail={"created": created, "skipped": skipped, "failed": len(errors)})
    return {"created": created, "skipped": skipped, "errors": errors}


def _lock_order(order: HotlineOrder) -> HotlineOrder:
    return HotlineOrder.objects.select_for_update(of=("self",)).select_related("category", "node").get(pk=order.pk)


def _reply_due(order: HotlineOrder, start: dt.datetime) -> dt.datetime:
    """The 街道's reply limit in working days (to the end of the last day), never later than the platform's own
    办结时限 when the order brought one."""
    due = timing.working_day_due(start, timing.step_days(timing.hotline_reply_step(order.hotline_type)))
    return min(due, order.platform_due) if order.platform_due and order.platform_due > start else due


@transaction.atomic
def hotline_sign(*, actor, order: HotlineOrder, category=None, make_case: bool = True) -> HotlineOrder:
    """签收: accept the order; a located order with a category becomes a grid case (verified on site first)."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.SIGN)
    now = timezone.now()
    before = order.status
    order.status, order.signed_at, order.signed_by = HotlineStatus.SIGNED, now, actor
    order.reply_due = _reply_due(order, now)
    if category:
        order.category = active_category(category)
    note = _("按时签收") if order.sign_due and now <= order.sign_due else _("超时签收")
    if make_case and order.category and order.lat is not None and order.case_id is None:
        description = f"{order.title}：{order.content}"
        if len(description) > 4000:  # the content alone (at most 4000) rather than a cut of the caller's words
            description = order.content
        case = case_report(actor=actor, category=order.category, source=Source.HOTLINE,
                           description=description, lat=order.lat, lng=order.lng,
                           address=order.address, urgency=order.urgency, external_no=order.order_no,
                           reporter_name=order.caller_name, reporter_contact=order.caller_phone)
        order.case = case
        note += _("，已生成网格案件 %(n)s") % {"n": case.number}
    order.updated_at = now
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.SIGN, before=before, note=note)
    return order


def _choice(value, choices, field: str, message: str) -> str:
    """A code of `choices`, given as its code or its Chinese label (imports carry labels)."""
    text = str(value or "").strip()
    code = {str(label): v for v, label in choices.choices}.get(text, text)
    if code not in choices.values:
        raise DomainError(message, {field: [message]})
    return code


def _pending(order: HotlineOrder, kind: str | None = None) -> HotlineRequest | None:
    qs = order.requests.select_for_update().filter(status=RequestStatus.PENDING)
    return (qs.filter(kind=kind) if kind else qs).first()


def _notify_office(order: HotlineOrder, title: str) -> None:
    """The district hotline office's accounts whose scope holds the order hear of a request."""
    office = [u for u in User.objects.filter(role=Role.HOTLINE_OFFICE, is_active=True).prefetch_related("nodes")
              if in_scope(u, order.node)]
    notify(recipients=office, title=title, link=reverse("grid:hotline-detail", args=[order.pk]))


@transaction.atomic
def hotline_return(*, actor, order: HotlineOrder, reason: str = "", note: str = "") -> HotlineOrder:
    """申请退单: a request to the district hotline office (区12345热线办), with a reason of the fixed list, asked
    within the window after receipt; the order waits for the decision (退单审核中)."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.RETURN)
    reason = _choice(reason, ReturnReason, "reason", _("请选择退单理由（属地不符、权属不清、职能交叉等）。"))
    note = check_length((note or "").strip(), 300, "note", _("补充说明"))
    request = HotlineRequest.objects.create(order=order, kind=RequestKind.RETURN, reason=reason, note=note,
                                            requested_by=actor, requested_by_name=actor_name(actor)[:64])
    before = order.status
    order.status, order.updated_at = HotlineStatus.RETURN_PENDING, timezone.now()
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.RETURN, before=before,
                   note=_("理由：%(r)s%(n)s") % {"r": request.reason_label, "n": f"；{note}" if note else ""})
    _notify_office(order, _("工单 %(n)s 申请退单，待审核") % {"n": order.order_no})
    return order


@transaction.atomic
def hotline_extend(*, actor, order: HotlineOrder, days: int | None = None, reason: str = "",
                   note: str = "") -> HotlineOrder:
    """申请延期: a request of 1–15 working days (at most 15 in all) with a reason of the fixed list, decided by the
    district hotline office; the reply limit moves only when it is approved."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.EXTEND)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    errors = {}
    if not 1 <= days <= 15 or order.extension_days + days > 15:
        errors["days"] = [_("延期合计不超过15个工作日（已延期%(d)d个工作日）。") % {"d": order.extension_days}]
    try:
        reason = _choice(reason, ExtensionReason, "reason", _("请选择延期理由。"))
        note = check_length((note or "").strip(), 300, "note", _("补充说明"))
    except DomainError as exc:
        errors.update(exc.errors)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)
    request = HotlineRequest.objects.create(order=order, kind=RequestKind.EXTEND, reason=reason, note=note,
                                            days=days, requested_by=actor, requested_by_name=actor_name(actor)[:64])
    order.updated_at = timezone.now()
    order.save(update_fields=["updated_at"])
    _hotline_event(order, actor=actor, action=HotlineAction.EXTEND, before=order.status,
                   note=_("申请延期%(d)d个工作日，理由：%(r)s%(n)s") % {
                       "d": days, "r": request.reason_label, "n": f"；{note}" if note else ""})
    _notify_office(order, _("工单 %(n)s 申请延期，待审核") % {"n": order.order_no})
    return order


def _decide(*, actor, order: HotlineOrder, request: HotlineRequest, approved: bool, note: str, action: str,
            imported: bool = False) -> HotlineOrder:
    now = timezone.now()
    request.status = RequestStatus.APPROVED if approved else RequestStatus.REJECTED
    request.decided_at, request.decision_note, request.imported = now, note, imported
    if imported:  # decided on the platform: the desk only records it
        request.decided_by_name = _("区12345热线办（平台）")
    else:
        request.decided_by, request.decided_by_name = actor, actor_name(actor)[:64]
    request.save()
    before = order.status
    if request.kind == RequestKind.RETURN and approved:
        order.status = HotlineStatus.RETURNED
        order.return_reason = "：".join(x for x in (request.reason_label, request.note) if x)[:200]
    elif request.kind == RequestKind.RETURN:  # refused: the order is back with the 街道, to be handled
        order.status = HotlineStatus.SIGNED
        if order.signed_at is None:
            order.signed_at, order.signed_by = now, request.requested_by
        if order.reply_due is None:
            order.reply_due = _reply_due(order, now)
    elif approved:
        order.reply_due = timing.working_day_due(order.reply_due or now, request.days)
        order.extension_days += request.days
    order.updated_at = now
    order.save()
    label = _("批准") if approved else _("驳回")
    what = _("退单") if request.kind == RequestKind.RETURN else _("延期%(d)d个工作日") % {"d": request.days}
    text = _("%(l)s%(w)s申请%(src)s%(n)s") % {"l": label, "w": what, "src": _("（平台审核结果）") if imported else "",
                                            "n": f"：{note}" if note else ""}
    _hotline_event(order, actor=actor, action=action, before=before, note=text)
    if request.requested_by_id:
        notify(recipients=[request.requested_by], title=_("工单 %(n)s：%(t)s") % {"n": order.order_no, "t": text[:60]},
               link=reverse("grid:hotline-detail", args=[order.pk]))
    return order


def _decision(order, kind, note, required):
    request = _pending(order, kind)
    note = (note or "").strip()
    if required:
        note = require_text(note, "note", _("请填写驳回理由。"))
    return order, request, check_length(note, 300, "note", _("审核意见"))


@transaction.atomic
def hotline_approve_return(*, actor, order: HotlineOrder, note: str = "") -> HotlineOrder:
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.APPROVE_RETURN)
    order, request, note = _decision(order, RequestKind.RETURN, note, False)
    return _decide(actor=actor, order=order, request=request, approved=True, note=note,
                   action=HotlineAction.APPROVE_RETURN)


@transaction.atomic
def hotline_reject_return(*, actor, order: HotlineOrder, note: str = "") -> HotlineOrder:
    """驳回退单: the order returns to the 街道 (办理中) and must be handled there."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.REJECT_RETURN)
    order, request, note = _decision(order, RequestKind.RETURN, note, True)
    return _decide(actor=actor, order=order, request=request, approved=False, note=note,
                   action=HotlineAction.REJECT_RETURN)


@transaction.atomic
def hotline_approve_extend(*, actor, order: HotlineOrder, note: str = "") -> HotlineOrder:
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.APPROVE_EXTEND)
    order, request, note = _decision(order, RequestKind.EXTEND, note, False)
    if order.extension_days + request.days > 15:
        raise ConflictError(_("延期合计不超过15个工作日。"), {"days": [_("延期天数超限。")]})
    return _decide(actor=actor, order=order, request=request, approved=True, note=note,
                   action=HotlineAction.APPROVE_EXTEND)


@transaction.atomic
def hotline_reject_extend(*, actor, order: HotlineOrder, note: str = "") -> HotlineOrder:
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.REJECT_EXTEND)
    order, request, note = _decision(order, RequestKind.EXTEND, note, True)
    return _decide(actor=actor, order=order, request=request, approved=False, note=note,
                   action=HotlineAction.REJECT_EXTEND)


@transaction.atomic
def hotline_record_decision(*, actor, order: HotlineOrder, decision: str = "", note: str = "") -> HotlineOrder:
    """登记平台审核结果: the hotline office decided the pending request on the 12345 platform; the desk records
    that decision (marked as imported), with the same effect as a decision taken here."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.RECORD_DECISION)
    decision = _choice(decision, Decision, "decision", _("请选择审核结果（批准或驳回）。"))
    note = check_length(require_text(note, "note", _("请填写平台审核意见。")), 300, "note", _("审核意见"))
    kind = RequestKind.RETURN if order.status == HotlineStatus.RETURN_PENDING else RequestKind.EXTEND
    request = _pending(order, kind)
    if kind == RequestKind.EXTEND and decision == Decision.APPROVED and order.extension_days + request.days > 15:
        raise ConflictError(_("延期合计不超过15个工作日。"), {"days": [_("延期天数超限。")]})
    return _decide(actor=actor, order=order, request=request, approved=decision == Decision.APPROVED, note=note,
                   action=HotlineAction.RECORD_DECISION, imported=True)


@transaction.atomic
def hotline_contact(*, actor, order: HotlineOrder, method: str = "", at=None, by: str = "",
                    note: str = "") -> HotlineOrder:
    """先行联系: when, by whom and how the caller was first contacted (by default now, by the actor)."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.CONTACT)
    if method not in ContactMethod.values:
        raise DomainError(_("请选择先行联系方式。"), {"contact_method": [_("联系方式无效。")]})
    now = timezone.now()
    moment = _parse_dt(at, "contact_at") or now
    if moment > now + dt.timedelta(minutes=5) or moment < order.received_at:
        raise DomainError(_("先行联系时间须在派单之后、不晚于现在。"), {"contact_at": [_("时间无效。")]})
    by = check_length((by or "").strip() or actor_name(actor), 32, "contact_by", _("先行联系人"))
    note = check_length((note or "").strip(), 400, "note", _("联系情况"))
    on_time = moment <= timing.working_day_due(order.signed_at or order.received_at,
                                                timing.step_days("hotline_contact"))
    order.contact_at, order.contact_by, order.contact_method, order.updated_at = moment, by, method, now
    order.contact_on_time = on_time
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.CONTACT, before=order.status,
                   note=_("%(by)s %(how)s联系来电人（%(t)s）%(late)s%(n)s") % {
                       "by": by, "how": ContactMethod(method).label,
                       "t": timezone.localtime(moment).strftime("%Y-%m-%d %H:%M"),
                       "late": "" if on_time else _("，超过先行联系时限"), "n": f"：{note}" if note else ""})
    return order


@transaction.atomic
def hotline_reply(*, actor, order: HotlineOrder, text: str = "", resolution: str = "") -> HotlineOrder:
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.REPLY)
    errors: dict[str, list] = {}
    if resolution not in Resolution.values:
        errors["resolution"] = [_("请选择解决情况（实际解决、部分解决、未解决或不具备解决条件）。")]
    try:
        text = require_text(text, "text", _("请填写答复内容（办理结果）。"), min_len=4)
        text = check_length(text, 490, "text", _("答复内容"))  # the history row adds “超期答复：” within its 500
    except DomainError as exc:
        errors.update(exc.errors)
    if errors:  # both fields answered at once, the first message as the summary
        raise DomainError(next(iter(errors.values()))[0], errors)
    now = timezone.now()
    before = order.status
    order.status, order.reply_text, order.replied_at, order.updated_at = HotlineStatus.REPLIED, text, now, now
    order.resolution = resolution
    order.save()
    late = order.reply_due and now > order.reply_due
    _hotline_event(order, actor=actor, action=HotlineAction.REPLY, before=before,
                   note=(_("超期答复：") if late else "") + f"【{Resolution(resolution).label}】" + text)
    return order


@transaction.atomic
def hotline_visit(*, actor, order: HotlineOrder, satisfaction: str = "", note: str = "") -> HotlineOrder:
    """回访: a satisfied citizen closes the order; an unsatisfied one reopens it (重办)."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.VISIT)
    if satisfaction not in Satisfaction.values:
        raise DomainError(_("请选择回访满意度。"), {"satisfaction": [_("满意度无效。")]})
    now = timezone.now()
    before = order.status
    note = check_length((note or "").strip(), 300, "note", _("回访记录"))
    order.satisfaction, order.visit_note, order.visited_at = satisfaction, note, now
    if satisfaction == Satisfaction.UNSATISFIED:
        order.status = HotlineStatus.SIGNED
        order.reopen_count += 1
        order.reply_due = _reply_due(order, now)
        order.closed_at = None
        action_note = _("回访不满意，重办：%(n)s") % {"n": note or "—"}
    else:
        order.status, order.closed_at = HotlineStatus.CLOSED, now
        action_note = _("回访%(s)s，办结") % {"s": Satisfaction(satisfaction).label}
    order.updated_at = now
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.VISIT, before=before, note=action_note)
    return order


@transaction.atomic
def hotline_reopen(*, actor, order: HotlineOrder, reason: str = "") -> HotlineOrder:
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.REOPEN)
    reason = require_text(reason, "reason", _("请填写重办理由。"))
    before = order.status
    now = timezone.now()
    order.status, order.closed_at, order.reopen_count = HotlineStatus.SIGNED, None, order.reopen_count + 1
    order.reply_due = _reply_due(order, now)
    order.updated_at = now
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.REOPEN, before=before, note=reason)
    return order


@transaction.atomic
def hotline_merge(*, actor, order: HotlineOrder, target=None) -> HotlineOrder:
    """并单: a repeated complaint about the same problem is merged into the main order (an order or its number,
    looked up within the actor's jurisdiction)."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.MERGE)
    if not isinstance(target, HotlineOrder):
        number = str(target or "").strip()
        target = hotline_list(user=actor).filter(order_no=number).first() if number else None
    if target is None or target.pk == order.pk:
        raise DomainError(_("请选择主工单。"), {"target": [_("主工单无效。")]})
    if target.status in (HotlineStatus.MERGED, HotlineStatus.RETURNED):
        raise ConflictError(_("主工单已并单或已退单。"), {"target": [_("主工单无效。")]})
    before = order.status
    order.status, order.merged_into, order.updated_at = HotlineStatus.MERGED, target, timezone.now()
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.MERGE, before=before,
                   note=_("重复诉求，并入工单 %(n)s") % {"n": target.order_no})
    return order


# --- internal sub-dispatch (内部交办) ---------------------------------------------------------------------------------

def _assignee(order: HotlineOrder, value) -> dict:
    """`dept:<code>` (a 科室 or work station of the order's 街道) or `committee:<code>` (one of its committees)."""
    kind, _sep, code = str(value or "").strip().partition(":")
    sub = subdistrict_of(order.node)
    message = _("请选择本街道的科室、居委会或工作站。")
    if kind == "dept":
        dept = Department.objects.filter(code=code, kind__in=TASK_UNIT_KINDS).select_related("node").first()
        if dept is not None and dept.node_id and sub is not None and dept.node.path.startswith(sub.path):
            return {"department": dept}
    elif kind == "committee":
        node = Node.objects.filter(code=code, kind=NodeKind.COMMITTEE, is_active=True).first()
        if node is not None and sub is not None and node.path.startswith(sub.path):
            return {"committee": node}
    raise DomainError(message, {"assignee": [message]})


def _task_due(order: HotlineOrder, value) -> dt.datetime:
    """A date means the end of that day's work; never after the order's own reply limit."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    else:
        text = str(value or "").strip()
        if len(text) == 10:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                raise DomainError(_("承办时限格式无效。"), {"due": [_("请使用 YYYY-MM-DD。")]}) from None
        else:
            due = _parse_dt(value, "due")
            if due is None:
                raise DomainError(_("请填写承办时限。"), {"due": [_("请填写承办时限。")]})
            day = None
    if day is not None:
        due = timezone.make_aware(dt.datetime.combine(day, workcal.working_periods()[-1][1]))
    limit = min(x for x in (order.reply_due, order.platform_due) if x) if (order.reply_due or order.platform_due) \
        else None
    if due <= timezone.now():
        raise DomainError(_("承办时限须晚于现在。"), {"due": [_("承办时限须晚于现在。")]})
    if limit and due > limit:
        message = _("承办时限不能晚于工单的答复时限（%(t)s）。") % {
            "t": timezone.localtime(limit).strftime("%Y年%-m月%-d日 %H:%M")}
        raise DomainError(message, {"due": [message]})
    return due


@transaction.atomic
def hotline_assign(*, actor, order: HotlineOrder, assignee="", due=None, instruction: str = "") -> HotlineOrder:
    """内部交办: hand the order's work to a 科室, committee or work station with its own due date (not after the
    order's). The assignee reports back; the reply to the platform stays with the hotline desk."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.ASSIGN)
    errors, target, when = {}, {}, None
    for field, fn in (("assignee", lambda: _assignee(order, assignee)), ("due", lambda: _task_due(order, due)),
                      ("note", lambda: check_length(require_text(instruction, "note", _("请填写交办要求。")), 300,
                                                    "note", _("交办要求")))):
        try:
            result = fn()
        except DomainError as exc:
            errors.update(exc.errors or {field: [exc.message]})
        else:
            if field == "assignee":
                target = result
            elif field == "due":
                when = result
            else:
                instruction = result
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)
    task = HotlineTask.objects.create(order=order, instruction=instruction, due=when, assigned_by=actor, **target)
    order.updated_at = timezone.now()
    order.save(update_fields=["updated_at"])
    _hotline_event(order, actor=actor, action=HotlineAction.ASSIGN, before=order.status,
                   note=_("交办%(u)s，承办时限%(t)s：%(i)s") % {
                       "u": task.assignee_name, "t": timezone.localtime(when).strftime("%Y年%-m月%-d日 %H:%M"),
                       "i": instruction})
    audit_record(actor=actor, action=AuditAction.CREATE, obj=task, detail={"order": order.order_no})
    return order


def _lock_task(task: HotlineTask) -> HotlineTask:
    return HotlineTask.objects.select_for_update(of=("self",)).select_related(
        "order", "order__node", "department", "committee").get(pk=task.pk)


@transaction.atomic
def hotline_task_finish(*, actor, task: HotlineTask, note: str = "") -> HotlineTask:
    """承办反馈: the assignee reports what was done; the desk sees it and drafts the reply from it."""
    task = _lock_task(task)
    HOTLINE_TASK.check(actor, task, "finish")
    note = check_length(require_text(note, "note", _("请填写办理结果。"), min_len=4), 490, "note", _("办理结果"))
    now = timezone.now()
    task.status, task.result, task.done_by, task.done_by_name, task.done_at = (
        TaskStatus.DONE, note, actor, actor_name(actor)[:64], now)
    task.save()
    order = task.order
    late = "" if now <= task.due else _("（超过承办时限）")
    _hotline_event(order, actor=actor, action=HotlineAction.TASK_DONE, before=order.status,
                   note=(_("%(u)s反馈%(l)s：%(r)s") % {"u": task.assignee_name, "l": late, "r": note})[:500])
    if task.assigned_by_id:
        notify(recipients=[task.assigned_by], title=_("工单 %(n)s：%(u)s已反馈") % {
            "n": order.order_no, "u": task.assignee_name}, link=reverse("grid:hotline-detail", args=[order.pk]))
    return task


@transaction.atomic
def hotline_task_cancel(*, actor, task: HotlineTask, note: str = "") -> HotlineTask:
    task = _lock_task(task)
    HOTLINE_TASK.check(actor, task, "cancel")
    note = check_length((note or "").strip(), 300, "note", _("撤回说明"))
    task.status = TaskStatus.CANCELLED
    task.save(update_fields=["status"])
    order = task.order
    _hotline_event(order, actor=actor, action=HotlineAction.TASK_CANCEL, before=order.status,
                   note=_("撤回对%(u)s的交办%(n)s") % {"u": task.assignee_name, "n": f"：{note}" if note else ""})
    return task
