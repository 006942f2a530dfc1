"""Queue writes (取号/叫号): issue a ticket, and the window actions call next, recall, start, finish, no-show,
transfer, requeue; windows sign in/out and pause.

Numbers: `next_number` increments the (centre, letter, day) counter in the same transaction as the insert, and
the (centre, day, category, seq) UNIQUE constraint backs it up. Call-next locks the window row and a partial
UNIQUE constraint allows one called/served ticket per window, so a double click never calls two tickets.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case as DbCase, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import workcal
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import ConflictError, DomainError
from shequ.core.inputs import check_length

from ..choices import (APPOINTMENT_LANE, APPOINTMENT_NUMBER_REGEX, TICKET_ACTIONS, TICKET_ACTIVE, TICKET_TRANSITIONS,
                       PriorityReason, TicketStatus, check_action)
from ..models import QueueCategory, Ticket, TicketEvent, Window
from .common import actor_name, next_number


def _event(ticket: Ticket, action: str, from_status: str, *, actor=None, device=None, window=None,
           note: str = "") -> None:
    TicketEvent.objects.create(ticket=ticket, action=action, from_status=from_status or "",
                               to_status=ticket.status, actor=actor if getattr(actor, "pk", None) else None,
                               actor_name=actor_name(actor, device), window=window,
                               note=check_length(note, 200, "note", _("说明")))
    audit_record(actor=actor, action=AuditAction.CREATE if action == "issue" else AuditAction.TRANSITION,
                 obj=ticket, username=actor_name(actor, device) if device else "",
                 detail={"op": action, "from": from_status or "", "to": ticket.status,
                         "window": window.number if window else None})


def _move(ticket: Ticket, action: str) -> str:
    target = check_action(TICKET_ACTIONS, TICKET_TRANSITIONS, ticket.status, action,
                          what=_("号码 %(n)s ") % {"n": ticket.number}, labels=dict(TicketStatus.choices))
    previous = ticket.status
    ticket.status = target
    return previous


def _check_today(ticket: Ticket) -> None:
    today = timezone.localdate()
    if ticket.day != today:
        raise ConflictError(
            _("号码 %(n)s 是%(y)d年%(m)d月%(d)d日取的号，已失效，请重新取号。") % {
                "n": ticket.number, "y": ticket.day.year, "m": ticket.day.month, "d": ticket.day.day},
            {"ticket": [_("不是当天的号。")]})


def _hall_hours() -> tuple[dt.time, dt.time] | None:
    text = (settings.SHEQU_HALL_HOURS or "").strip()
    if not text:
        return None
    start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-", 1))
    return start, end


def _workday(day: dt.date) -> bool:
    try:
        return workcal.is_workday(day)
    except workcal.CalendarUnavailable:
        return day.weekday() < 5


def hall_opening_refusal(now: dt.datetime | None = None) -> str:
    """Why no number can be taken now, saying when the hall opens next; "" within the posted hours."""
    hours = _hall_hours()
    if hours is None:
        return ""
    start, end = hours
    local = timezone.localtime(now or timezone.now())
    today = local.date()
    if _workday(today) and start <= local.time() < end:
        return ""
    day = today if (_workday(today) and local.time() < start) else today + dt.timedelta(days=1)
    for _i in range(40):
        if _workday(day):
            break
        day += dt.timedelta(days=1)
    opens = _("%(y)d年%(m)d月%(d)d日 %(h)d:%(mi)02d") % {"y": day.year, "m": day.month, "d": day.day,
                                                       "h": start.hour, "mi": start.minute}
    return _("现在不是取号时间（工作日 %(s)s–%(e)s）。下次开始取号：%(o)s。") % {
        "s": f"{start.hour}:{start.minute:02d}", "e": f"{end.hour}:{end.minute:02d}", "o": opens}


def ticket_issue(*, node, category: str, priority: bool = False, priority_reason: str = "", actor=None,
                 device=None, appointment: bool = False) -> Ticket:
    """Take a number. `category` is the letter; a priority ticket (绿色通道) states why. The checks run
    before the transaction, so the write lock is held only for the counter, the ticket and its two log rows.
    `appointment`: the ticket of a checked-in appointment, in the "Y 预约" lane (YA012): it shares the
    category's sequence and is called before the category's walk-ins."""
    refusal = hall_opening_refusal()
    if refusal:
        raise DomainError(refusal, {"category": [refusal]})
    letter = (category or "").strip().upper()
    cat = QueueCategory.objects.filter(letter=letter, is_active=True).first() if len(letter) == 1 else None
    if cat is None:
        letters = "、".join(QueueCategory.objects.filter(is_active=True).values_list("letter", flat=True))
        raise DomainError(_("未知的取号类别“%(c)s”。可选：%(l)s。") % {"c": (category or "")[:8], "l": letters or "—"},
                          {"category": [_("未知的取号类别。")]})
    priority = bool(priority)
    if priority and priority_reason not in PriorityReason.values:
        raise DomainError(_("优先取号须选择原因（老年人、残疾人等）。"), {"priority_reason": [_("请选择优先原因。")]})
    if not priority:
        priority_reason = ""
    if not cat.windows.filter(node=node, is_active=True).exists():
        raise DomainError(_("本中心暂无受理“%(c)s”的窗口，请到咨询台询问。") % {"c": cat.name},
                          {"category": [_("没有可受理的窗口。")]})
    with transaction.atomic():
        now = timezone.now()
        day = timezone.localdate(now)
        seq = next_number(node=node, key=f"T:{cat.letter}", day=day)
        ticket = Ticket.objects.create(
            node=node, day=day, category=cat, seq=seq,
            number=f"{APPOINTMENT_LANE if appointment else ''}{cat.letter}{seq:03d}", priority=priority,
            priority_reason=priority_reason, issued_at=now, device=device,
            issued_by=actor if getattr(actor, "pk", None) else None)
        _event(ticket, "issue", "", actor=actor, device=device)
    return ticket


def _lock_window(window: Window) -> Window:
    return Window.objects.select_for_update(of=("self",)).select_related("current_clerk").get(pk=window.pk)


def _check_operator(actor, window: Window) -> None:
    if window.current_clerk_id is None:
        raise ConflictError(_("%(w)s尚无人坐席，请先点击“入座”。") % {"w": window}, {"window": [_("窗口无人坐席。")]})
    if window.current_clerk_id != actor.pk and not actor.can("acceptance.supervise"):
        raise ConflictError(_("%(w)s当前由%(c)s坐席，您不能操作该窗口。") % {"w": window, "c": window.current_clerk},
                            {"window": [_("不是您坐席的窗口。")]})


def _active_ticket(window: Window) -> Ticket | None:
    return (Ticket.objects.select_for_update().filter(window=window, status__in=TICKET_ACTIVE)
            .select_related("category").first())


def expire_stale(*, window: Window | None = None, node=None, actor=None) -> int:
    """Tickets of earlier days still open become 已失效 (a visitor must take a new number)."""
    today = timezone.localdate()
    qs = Ticket.objects.filter(day__lt=today, status__in=[TicketStatus.WAITING, *TICKET_ACTIVE, TicketStatus.NO_SHOW])
    if window is not None:
        qs = qs.filter(window=window)
    if node is not None:
        qs = qs.filter(node=node)
    stale = list(qs.select_for_update())
    for ticket in stale:
        previous = ticket.status
        ticket.status = TicketStatus.EXPIRED
        ticket.save(update_fields=["status"])
        TicketEvent.objects.create(ticket=ticket, action="expire", from_status=previous, to_status=ticket.status,
                                   actor=actor, actor_name=actor_name(actor), window=ticket.window)
    if stale:
        audit_record(actor=actor, action=AuditAction.TRANSITION, object_type="acceptance.ticket",
                     detail={"op": "expire", "count": len(stale)})
    return len(stale)


@transaction.atomic
def window_sign_in(*, actor, window: Window) -> Window:
    window = _lock_window(window)
    if not window.is_active:
        raise ConflictError(_("%(w)s已停用。") % {"w": window}, {"window": [_("窗口已停用。")]})
    if window.current_clerk_id == actor.pk:
        return window
    if window.current_clerk_id is not None and not actor.can("acceptance.supervise"):
        raise ConflictError(_("%(w)s当前由%(c)s坐席，请其先离席。") % {"w": window, "c": window.current_clerk},
                            {"window": [_("窗口已有人坐席。")]})
    other = Window.objects.select_for_update().filter(current_clerk=actor).exclude(pk=window.pk).first()
    if other is not None:
        if _active_ticket(other) is not None:
            raise ConflictError(_("您在%(w)s还有未办完的号，请先办结或转移。") % {"w": other},
                                {"window": [_("另一窗口有未办完的号。")]})
        other.current_clerk, other.signed_in_at = None, None
        other.save(update_fields=["current_clerk", "signed_in_at"])
    window.current_clerk, window.signed_in_at, window.is_paused = actor, timezone.now(), False
    window.save(update_fields=["current_clerk", "signed_in_at", "is_paused"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=window, detail={"op": "sign_in"})
    return window


@transaction.atomic
def window_sign_out(*, actor, window: Window) -> Window:
    window = _lock_window(window)
    _check_operator(actor, window)
    if _active_ticket(window) is not None:
        raise ConflictError(_("窗口还有未办完的号，请先办结、过号或转移后再离席。"), {"window": [_("有未办完的号。")]})
    window.current_clerk, window.signed_in_at = None, None
    window.save(update_fields=["current_clerk", "signed_in_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=window, detail={"op": "sign_out"})
    return window


@transaction.atomic
def window_set_paused(*, actor, window: Window, paused: bool) -> Window:
    window = _lock_window(window)
    _check_operator(actor, window)
    if paused and _active_ticket(window) is not None:
        raise ConflictError(_("窗口还有未办完的号，请先办结或转移后再暂停。"), {"window": [_("有未办完的号。")]})
    window.is_paused = bool(paused)
    window.save(update_fields=["is_paused"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=window, detail={"op": "pause" if paused else "resume"})
    return window


def _candidates(window: Window):
    """Waiting tickets this window may call, best first: priority lane, tickets transferred to this window,
    then the window's categories in their rank order, within a category the "Y 预约" lane (checked-in
    appointments) before walk-ins, then the oldest."""
    today = timezone.localdate()
    skills = list(window.skills.values_list("category_id", "rank"))
    category_ids = [c for c, _r in skills]
    rank = DbCase(*[When(category_id=c, then=Value(r)) for c, r in skills], default=Value(99),
                  output_field=IntegerField())
    targeted = DbCase(When(target_window=window, then=Value(0)), default=Value(1), output_field=IntegerField())
    lane = DbCase(When(number__regex=APPOINTMENT_NUMBER_REGEX, then=Value(0)), default=Value(1),
                  output_field=IntegerField())
    return (Ticket.objects.filter(node=window.node, day=today, status=TicketStatus.WAITING)
            .filter(Q(target_window=window) | Q(target_window__isnull=True, category_id__in=category_ids))
            .annotate(skill_rank=rank, targeted=targeted, lane=lane)
            .order_by("-priority", "targeted", "skill_rank", "lane", "issued_at", "id"))


@transaction.atomic
def window_call_next(*, actor, window: Window) -> Ticket | None:
    """Call the next visitor to this window. Refused while the window still has a called or served ticket, so
    a second click (or a second request) cannot call another one. Returns None when nobody is waiting."""
    window = _lock_window(window)
    if window.current_clerk_id is None:
        window = window_sign_in(actor=actor, window=window)
    _check_operator(actor, window)
    if window.is_paused:
        raise ConflictError(_("%(w)s已暂停服务，请先恢复服务。") % {"w": window}, {"window": [_("窗口已暂停。")]})
    expire_stale(window=window, actor=actor)
    active = _active_ticket(window)
    if active is not None:
        doing = _("呼叫") if active.status == TicketStatus.CALLED else _("办理")
        raise ConflictError(
            _("本窗口正在%(d)s %(n)s，请先办结、过号或转移后再叫下一位。") % {"d": doing, "n": active.number},
            {"window": [_("窗口已有正在呼叫或办理的号。")], "ticket": [active.number]})
    now = timezone.now()
    for candidate in _candidates(window)[:10]:
        # A conditional update: another window that picked the same ticket a moment earlier wins.
        taken = Ticket.objects.filter(pk=candidate.pk, status=TicketStatus.WAITING).update(
            status=TicketStatus.CALLED, window=window, clerk=window.current_clerk, target_window=None,
            called_at=candidate.called_at or now, last_called_at=now, call_count=1)
        if taken:
            ticket = Ticket.objects.select_related("category").get(pk=candidate.pk)
            _event(ticket, "call", TicketStatus.WAITING, actor=actor, window=window)
            return ticket
    return None


def _current(actor, window: Window, expected: int | None) -> tuple[Window, Ticket]:
    window = _lock_window(window)
    _check_operator(actor, window)
    ticket = _active_ticket(window)
    if ticket is None:
        raise ConflictError(_("本窗口当前没有正在呼叫或办理的号。"), {"ticket": [_("没有当前号。")]})
    if expected is not None and ticket.pk != expected:
        raise ConflictError(_("窗口当前的号已变为 %(n)s，请刷新页面后再操作。") % {"n": ticket.number},
                            {"ticket": [_("页面已过期。")]})
    _check_today(ticket)
    return window, ticket


@transaction.atomic
def window_recall(*, actor, window: Window, expected: int | None = None) -> Ticket:
    window, ticket = _current(actor, window, expected)
    previous = _move(ticket, "recall")
    ticket.call_count += 1
    ticket.last_called_at = timezone.now()
    ticket.save(update_fields=["status", "call_count", "last_called_at"])
    _event(ticket, "recall", previous, actor=actor, window=window, note=_("第%(n)d次呼叫") % {"n": ticket.call_count})
    return ticket


@transaction.atomic
def window_start(*, actor, window: Window, expected: int | None = None) -> Ticket:
    window, ticket = _current(actor, window, expected)
    previous = _move(ticket, "start")
    ticket.started_at = timezone.now()
    ticket.clerk = window.current_clerk
    ticket.save(update_fields=["status", "started_at", "clerk"])
    _event(ticket, "start", previous, actor=actor, window=window)
    return ticket


@transaction.atomic
def window_finish(*, actor, window: Window, expected: int | None = None) -> Ticket:
    window, ticket = _current(actor, window, expected)
    previous = _move(ticket, "finish")
    ticket.finished_at = timezone.now()
    ticket.save(update_fields=["status", "finished_at"])
    _event(ticket, "finish", previous, actor=actor, window=window)
    return ticket


@transaction.atomic
def window_no_show(*, actor, window: Window, expected: int | None = None) -> Ticket:
    window, ticket = _current(actor, window, expected)
    previous = _move(ticket, "no_show")
    ticket.save(update_fields=["status"])
    _event(ticket, "no_show", previous, actor=actor, window=window,
           note=_("已呼叫%(n)d次") % {"n": ticket.call_count})
    return ticket


@transaction.atomic
def window_transfer(*, actor, window: Window, to_window: Window | None = None,
                    to_category: QueueCategory | None = None, expected: int | None = None, note: str = "") -> Ticket:
    """Send the current visitor to another window or another queue; the number stays the same and keeps its
    place (it was taken earlier than most of the queue)."""
    if (to_window is None) == (to_category is None):
        raise DomainError(_("请选择转移到的窗口或类别（二选一）。"), {"to_window": [_("请选择一个去向。")]})
    note = check_length((note or "").strip(), 100, "note", _("转移说明"))
    window, ticket = _current(actor, window, expected)
    if to_window is not None:
        if to_window.pk == window.pk or to_window.node_id != window.node_id or not to_window.is_active:
            raise DomainError(_("不能转移到该窗口。"), {"to_window": [_("请选择本中心的其他窗口。")]})
    if to_category is not None and not to_category.is_active:
        raise DomainError(_("该类别已停用。"), {"to_category": [_("类别已停用。")]})
    previous = _move(ticket, "transfer")
    ticket.window, ticket.clerk = None, None
    ticket.target_window = to_window
    if to_category is not None:
        ticket.category = to_category
    ticket.transfer_count += 1
    ticket.save(update_fields=["status", "window", "clerk", "target_window", "category", "transfer_count"])
    where = str(to_window) if to_window else _("%(c)s队列") % {"c": to_category.name}
    _event(ticket, "transfer", previous, actor=actor, window=window,
           note=(_("转至%(w)s") % {"w": where}) + (f"；{note}" if note else ""))
    return ticket


@transaction.atomic
def ticket_requeue(*, actor, ticket: Ticket) -> Ticket:
    """过号重排: a visitor who missed the call came back; the number waits again."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _check_today(ticket)
    previous = _move(ticket, "requeue")
    ticket.window, ticket.clerk = None, None
    ticket.save(update_fields=["status", "window", "clerk"])
    _event(ticket, "requeue", previous, actor=actor)
    return ticket


def safe_call_next(*, actor, window: Window):
    """call-next for views: a race on the partial UNIQUE index (two requests for one window on a database
    without row locks) becomes the same 409 as the normal check."""
    try:
        return window_call_next(actor=actor, window=window)
    except IntegrityError as exc:
        raise ConflictError(_("本窗口刚刚已叫号，请勿重复点击。"), {"window": [_("重复叫号。")]}) from exc
