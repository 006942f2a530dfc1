"""The clerk's window console (叫号): sign in, call next, recall, start, finish, no-show, transfer — one click each.
Every button posts with htmx and gets the console fragment back."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import DomainError
from shequ.core.web import is_htmx, render_page, require

from .. import selectors, services
from ..forms import TransferForm
from ..models import RotaSlot

ACTIONS = {
    "call": ("window_call_next", _("已叫号")),
    "recall": ("window_recall", _("已重呼")),
    "start": ("window_start", _("开始办理")),
    "finish": ("window_finish", _("办理完成")),
    "no_show": ("window_no_show", _("已过号")),
}


def _half_now() -> str:
    return "am" if timezone.localtime().hour < 12 else "pm"


@require("acceptance.window")
def window_select(request):
    node = services.centre_for(request.user)
    today = timezone.localdate()
    mine = RotaSlot.objects.filter(clerk=request.user, date=today).select_related("window").order_by("half")
    current = next((w for w in selectors.windows_for(user=request.user) if w.current_clerk_id == request.user.pk), None)
    return render(request, "acceptance/window_select.html", {
        "windows": selectors.window_states(node=node), "mine": mine, "current": current, "half": _half_now(),
        "states": selectors.queue_state(node=node)})


def _console_context(request, window, error: str = ""):
    window.refresh_from_db()
    ticket = selectors.active_ticket(window)
    return {"window": window, "ticket": ticket, "error": error,
            "is_mine": window.current_clerk_id == request.user.pk,
            "transfer_form": TransferForm(window=window),
            "cases": list(ticket.cases.select_related("item").order_by("-id")) if ticket else [],
            "recent": selectors.recent_tickets(window=window),
            "no_shows": selectors.no_show_today(node=window.node, limit=8)}


@require("acceptance.window")
def window_console(request, number):
    window = selectors.window_get(user=request.user, number=number)
    context = _console_context(request, window)
    context["states"] = selectors.queue_state(node=window.node)
    return render_page(request, "acceptance/window.html", context, "acceptance/partials/_console.html")


@require("acceptance.window")
def window_queue(request, number):
    window = selectors.window_get(user=request.user, number=number)
    return render(request, "acceptance/partials/_queue_summary.html", {
        "states": selectors.queue_state(node=window.node), "window": window})


def _expected(request) -> int | None:
    value = request.POST.get("expected", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _respond(request, window, error: str = "", info: str = ""):
    if is_htmx(request):
        context = _console_context(request, window, error)
        context["info"] = info
        return render(request, "acceptance/partials/_console.html", context, status=200)
    if error:
        messages.error(request, error)
    elif info:
        messages.success(request, info)
    return redirect("acceptance:window-console", number=window.number)


@require("acceptance.window")
@require_POST
def window_action(request, number, action):
    window = selectors.window_get(user=request.user, number=number)
    if action not in ACTIONS:
        return _respond(request, window, error=_("未知的操作。"))
    name, done = ACTIONS[action]
    try:
        if action == "call":
            ticket = services.safe_call_next(actor=request.user, window=window)
            if ticket is None:
                return _respond(request, window, info=_("当前没有等候的号。"))
            return _respond(request, window, info=_("正在呼叫 %(n)s") % {"n": ticket.number})
        ticket = getattr(services, name)(actor=request.user, window=window, expected=_expected(request))
    except DomainError as exc:
        return _respond(request, window, error=exc.message)
    return _respond(request, window, info=f"{done} {ticket.number}")


@require("acceptance.window")
@require_POST
def window_transfer(request, number):
    window = selectors.window_get(user=request.user, number=number)
    form = TransferForm(request.POST, window=window)
    if not form.is_valid():
        return _respond(request, window, error=_("请选择转移去向。"))
    try:
        ticket = services.window_transfer(actor=request.user, window=window, to_window=form.cleaned_data["to_window"],
                                          to_category=form.cleaned_data["to_category"], expected=_expected(request),
                                          note=form.cleaned_data["note"])
    except DomainError as exc:
        return _respond(request, window, error=exc.message)
    return _respond(request, window, info=_("%(n)s 已转移") % {"n": ticket.number})


@require("acceptance.window")
@require_POST
def window_sign(request, number, what):
    window = selectors.window_get(user=request.user, number=number)
    try:
        if what == "in":
            services.window_sign_in(actor=request.user, window=window)
            info = _("已在%(w)s入座") % {"w": window}
        elif what == "out":
            services.window_sign_out(actor=request.user, window=window)
            info = _("已离席")
        elif what in ("pause", "resume"):
            services.window_set_paused(actor=request.user, window=window, paused=what == "pause")
            info = _("已暂停服务") if what == "pause" else _("已恢复服务")
        else:
            return _respond(request, window, error=_("未知的操作。"))
    except DomainError as exc:
        return _respond(request, window, error=exc.message)
    if what == "out" and not is_htmx(request):
        messages.success(request, info)
        return redirect("acceptance:window-select")
    return _respond(request, window, info=info)


@require("acceptance.window")
@require_POST
def ticket_requeue(request, pk):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    try:
        services.ticket_requeue(actor=request.user, ticket=ticket)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)s 已重新排队") % {"n": ticket.number})
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/acceptance/") else "acceptance:window-select")
