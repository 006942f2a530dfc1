"""Hall devices: pairing, the kiosk (取号机), the hall screen and the window screen with its rating buttons.

These pages are reached either by a paired device (secret cookie, see services.devices) or by a signed-in
staff member with the matching capability. A device is never a user: `request.device` is set instead.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.audit import audit_denied
from shequ.core.context import client_ip
from shequ.core.errors import DomainError
from shequ.core.web import form_add_domain_error, render_page, require

from .. import selectors, services
from ..choices import DeviceKind, PriorityReason, ReviewChannel, REVIEW_TAGS, Score, TicketStatus
from ..forms import DeviceForm, KioskForm, PairForm
from ..models import Device, Review, Ticket, Window
from ..services.devices import COOKIE_NAME

TICKET_SALT = "acceptance.ticket"
RATING_WINDOW_MINUTES = 10


def device_or_staff(kinds: tuple, capability: str):
    """A paired device of one of `kinds`, or a signed-in user with `capability`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            device = services.device_from_token(request.COOKIES.get(COOKIE_NAME))
            if device is not None and device.kind in kinds:
                request.device, request.centre = device, device.node
                return view(request, *args, **kwargs)
            user = request.user
            if user.is_authenticated:
                if not user.can(capability):
                    audit_denied(actor=user, what=f"{request.method} {request.path} needs {capability}")
                    raise PermissionDenied(capability)
                try:
                    request.centre = services.centre_for(user)
                except DomainError as exc:
                    raise PermissionDenied(exc.message) from exc
                request.device = None
                return view(request, *args, **kwargs)
            if request.htmx:
                return HttpResponse(status=401)
            return redirect(f"{reverse('acceptance:device-pair')}?next={request.path}")

        return wrapper

    return decorator


# --- pairing and device management ---------------------------------------------------------------------------

DEVICE_HOME = {DeviceKind.KIOSK: "acceptance:kiosk", DeviceKind.HALL: "acceptance:hall-display"}


def _device_home(device: Device) -> str:
    if device.kind == DeviceKind.WINDOW:
        return reverse("acceptance:window-display", args=[device.window.number])
    return reverse(DEVICE_HOME[device.kind])


def device_pair(request):
    form = PairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, token = services.device_pair(code=form.cleaned_data["code"],
                                                 source=client_ip(request) or "unknown")
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            response = redirect(_device_home(device))
            response.set_cookie(COOKIE_NAME, token, max_age=400 * 24 * 3600, httponly=True, samesite="Strict",
                                secure=settings.SESSION_COOKIE_SECURE, path="/")
            return response
    return render(request, "acceptance/screens/pair.html", {"form": form})


@require("acceptance.supervise")
def device_list(request):
    node = services.centre_for(request.user)
    form = DeviceForm(request.POST or None, node=node)
    code = None
    if request.method == "POST" and form.is_valid():
        try:
            device, code = services.device_create(actor=request.user, node=node, name=form.cleaned_data["name"],
                                                   kind=form.cleaned_data["kind"], window=form.cleaned_data["window"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("设备“%(n)s”已登记。请在该设备上打开配对页面，15分钟内输入配对码 %(c)s。") % {
                "n": device.name, "c": code})
            form = DeviceForm(node=node)
    return render(request, "acceptance/devices.html", {
        "form": form, "devices": selectors.device_list(user=request.user), "code": code,
        "pair_url": request.build_absolute_uri(reverse("acceptance:device-pair"))})


def _device(request, pk) -> Device:
    try:
        return selectors.device_list(user=request.user).get(pk=int(pk))
    except (Device.DoesNotExist, ValueError):
        raise Http404 from None


@require("acceptance.supervise")
@require_POST
def device_code(request, pk):
    device = _device(request, pk)
    code = services.device_new_code(actor=request.user, device=device)
    messages.success(request, _("设备“%(n)s”的新配对码：%(c)s（15分钟内有效，配对后原设备密钥失效）。") % {
        "n": device.name, "c": code})
    return redirect("acceptance:devices")


@require("acceptance.supervise")
@require_POST
def device_revoke(request, pk):
    device = _device(request, pk)
    services.device_revoke(actor=request.user, device=device)
    messages.success(request, _("设备“%(n)s”已停用，其密钥立即失效。") % {"n": device.name})
    return redirect("acceptance:devices")


# --- kiosk -----------------------------------------------------------------------------------------------------

def _kiosk_context(request, form=None):
    states = [s for s in selectors.queue_state(node=request.centre)
              if s.category.windows.filter(node=request.centre, is_active=True).exists()]
    return {"states": states, "form": form or KioskForm(), "device": request.device,
            "priority_reasons": PriorityReason.choices, "now": timezone.localtime()}


@device_or_staff((DeviceKind.KIOSK,), "acceptance.kiosk")
def kiosk(request):
    form = KioskForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                ticket = services.ticket_issue(node=request.centre, category=d["category"], priority=d["priority"],
                                               priority_reason=d["priority_reason"],
                                               actor=request.user if request.device is None else None,
                                               device=request.device)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                token = signing.dumps(ticket.pk, salt=TICKET_SALT)
                return redirect("acceptance:kiosk-ticket", token=token)
        else:
            messages.error(request, _("请选择取号类别。"))
    return render_page(request, "acceptance/screens/kiosk.html", _kiosk_context(request, form),
                       "acceptance/screens/_kiosk_state.html")


def _ticket_from_token(request, token) -> Ticket:
    try:
        pk = signing.loads(token, salt=TICKET_SALT, max_age=24 * 3600)
        return Ticket.objects.select_related("category", "node").get(pk=pk, node=request.centre)
    except (signing.BadSignature, Ticket.DoesNotExist):
        raise Http404 from None


@device_or_staff((DeviceKind.KIOSK,), "acceptance.kiosk")
def kiosk_ticket(request, token):
    ticket = _ticket_from_token(request, token)
    states = selectors.queue_state(node=ticket.node)
    return render(request, "acceptance/screens/ticket.html", {
        "t": ticket, "ahead": selectors.people_ahead(ticket), "estimate": selectors.ticket_estimate(ticket, states),
        "token": token, "device": request.device})


@device_or_staff((DeviceKind.KIOSK,), "acceptance.kiosk")
def kiosk_ticket_pdf(request, token):
    from ..pdf import render_ticket

    ticket = _ticket_from_token(request, token)
    content = render_ticket(ticket=ticket, ahead=selectors.people_ahead(ticket),
                            estimate=selectors.ticket_estimate(ticket))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ticket-{ticket.number}.pdf"'
    return response


# --- hall and window screens -------------------------------------------------------------------------------

@device_or_staff((DeviceKind.HALL,), "acceptance.display")
def hall_display(request):
    node = request.centre
    calls = selectors.recent_calls(node=node)
    latest = calls[0] if calls else None
    context = {"calls": calls, "windows": selectors.window_states(node=node),
               "states": selectors.queue_state(node=node),
               "now": timezone.localtime(), "node": node, "device": request.device,
               "announce": f"{latest.pk}:{latest.call_count}:{latest.last_called_at:%H%M%S}" if latest else "",
               "announce_text": _("请 %(n)s 号到 %(w)d 号窗口办理") % {"n": " ".join(latest.number), "w": latest.window.number}
               if latest and latest.window else ""}
    return render_page(request, "acceptance/screens/hall.html", context, "acceptance/screens/_hall_board.html")


def _screen_window(request, number) -> Window:
    if request.device is not None:
        if request.device.window is None or request.device.window.number != int(number):
            raise PermissionDenied(_("该设备不属于此窗口。"))
        return request.device.window
    return selectors.window_get(user=request.user, number=number)


def _rating_ticket(window: Window) -> Ticket | None:
    since = timezone.now() - dt.timedelta(minutes=RATING_WINDOW_MINUTES)
    ticket = (Ticket.objects.filter(window=window, status=TicketStatus.DONE, finished_at__gte=since,
                                    day=timezone.localdate()).order_by("-finished_at").first())
    if ticket is None or Review.objects.filter(ticket=ticket).exists():
        return None
    return ticket


@device_or_staff((DeviceKind.WINDOW,), "acceptance.window")
def window_display(request, number):
    window = _screen_window(request, number)
    ticket = selectors.active_ticket(window)
    called = ticket if ticket is not None and ticket.status == TicketStatus.CALLED else None
    context = {"window": window, "ticket": ticket, "rating": None if ticket else _rating_ticket(window),
               "scores": list(reversed(Score.choices)), "tags": REVIEW_TAGS, "now": timezone.localtime(),
               "device": request.device, "thanks": request.GET.get("thanks") == "1",
               # Read out by a screen reader (the live region of the window screen); the hall screen speaks.
               "announce": f"{called.pk}:{called.call_count}:{called.last_called_at:%H%M%S}" if called else "",
               "announce_text": _("请 %(n)s 号到本窗口办理") % {"n": " ".join(called.number)} if called else ""}
    return render_page(request, "acceptance/screens/window.html", context, "acceptance/screens/_window_board.html")


@device_or_staff((DeviceKind.WINDOW,), "acceptance.window")
@require_POST
def window_display_review(request, number):
    window = _screen_window(request, number)
    ticket = _rating_ticket(window)
    posted = request.POST.get("ticket", "")
    if ticket is None or str(ticket.pk) != posted:
        messages.error(request, _("该次服务已评价或评价时间已过。"))
        return redirect("acceptance:window-display", number=window.number)
    try:
        services.review_submit(score=request.POST.get("score"), channel=ReviewChannel.WINDOW, ticket=ticket,
                               tags=request.POST.getlist("tags"), comment=request.POST.get("comment", ""),
                               actor=request.user if request.device is None else None, device=request.device)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("acceptance:window-display", number=window.number)
    return redirect(f"{reverse('acceptance:window-display', args=[window.number])}?thanks=1")

