"""Phone-first pages of the residents' side (/m/). Views parse input, call one service and render."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.acceptance.choices import CaseStatus
from shequ.acceptance.models import ServiceItem
from shequ.acceptance.views.screens import TICKET_SALT, device_or_staff
from shequ.acceptance.choices import DeviceKind
from shequ.core.audit import audit_denied
from shequ.core.choices import NodeKind
from shequ.core.errors import DomainError
from shequ.core.forms import LoginForm
from shequ.core.models import Node
from shequ.core.ratelimit import attempt_record, attempts_get
from shequ.core.web import form_add_domain_error, require
from shequ.grid import selectors as grid_selectors
from shequ.grid.choices import PhotoStage

from . import selectors, services
from .forms import (BindForm, BookForm, CheckInForm, LookupForm, RateForm, ReportForm, ReviewForm, SignupForm,
                    SlotPublishForm)
from .hooks import tiles_for


def resident_required(view):
    """A resident login. Anonymous → the portal's login page; a staff login is refused (two accounts)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        if not user.can("portal.use"):
            audit_denied(actor=user, what=f"{request.method} {request.path} needs portal.use")
            raise PermissionDenied("portal.use")
        request.account = services.account_for(user)
        request.account.user = user  # one user object per request (its per-request counts are shared)
        return view(request, *args, **kwargs)

    return wrapper


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("portal:home")


def signup(request):
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            account = services.account_signup(phone=d["phone"], code=d["code"], password=d["password"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            auth_login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功。完成实名绑定后可查看我的办件、为家人代办。"))
            return redirect("portal:bind")
    return render(request, "portal/signup.html", {"form": form})


@require_POST
def signup_code(request):
    """htmx: send the SMS code; also limited per address so one client cannot spray numbers."""
    ip = request.META.get("REMOTE_ADDR", "")
    key = f"portal:sms-ip:{ip}"
    sent = attempts_get(key)
    if sent >= 20:
        error = _("本网络获取验证码过于频繁，请稍后再试。")
    else:
        try:
            services.sms_code_send(phone=request.POST.get("phone", ""))
        except DomainError as exc:
            error = exc.message
        else:
            attempt_record(key, 3600)
            error = ""
    return render(request, "portal/partials/_code_sent.html", {"error": error})


@resident_required
def home(request):
    account = request.account
    upcoming = list(selectors.open_appointments(account=account)[:3])
    notices = list(request.user.notifications.all()[:3])
    return render(request, "portal/home.html", {"tiles": tiles_for(account), "upcoming": upcoming,
                                                "notices": notices, "account": account})


def landing(request):
    if request.user.is_authenticated and request.user.can("portal.use"):
        return home(request)
    return render(request, "portal/landing.html", {})


@resident_required
def bind(request):
    account = request.account
    form = BindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.account_bind(account=account, name=d["name"], id_number=d["id_number"], consent=d["consent"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("实名绑定成功。"))
            return redirect("portal:home")
    return render(request, "portal/bind.html", {"form": form, "account": account})


@require_POST
@resident_required
def unbind(request):
    try:
        services.account_unbind(account=request.account)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤回同意并解除实名绑定。"))
    return redirect("portal:bind")


def _day_choices(today: dt.date) -> list[dt.date]:
    return selectors.slot_days(start=today, days=21)


@resident_required
def book(request):
    account = request.account
    today = timezone.localdate()
    days = _day_choices(today)
    try:
        day = dt.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else None
    except ValueError:
        day = None
    day = day if day in days else (days[0] if days else None)
    now = timezone.localtime()
    slots = []
    if day:
        for s in selectors.slots_for_day(day=day):
            past = day == today and s.start <= now.time()
            slots.append({"slot": s, "left": s.capacity - s.booked, "past": past})
    for_id = request.GET.get("for", "")
    return render(request, "portal/book.html", {"days": days, "day": day, "slots": slots, "account": account,
                                                "for_id": for_id if for_id.isdigit() else ""})


@resident_required
def book_slot(request, pk):
    account = request.account
    slot = selectors.slots_for_day(day=timezone.localdate()).model.objects.select_related("category").filter(
        pk=pk).first()
    if slot is None:
        raise Http404
    items = ServiceItem.objects.filter(is_active=True, queue_category=slot.category).order_by("sort_order", "code")
    family = selectors.actable_residents(account=account)
    form = BookForm(request.POST or None, items=items, family=family, me=account.resident,
                    initial={"slot": slot.pk, "for_resident": request.GET.get("for") or None})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            appointment = services.appointment_book(account=account, slot_id=slot.pk, item_id=d["item"],
                                                    for_resident_id=d.get("for_resident"))
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("预约成功。"))
            return redirect("portal:appointment", pk=appointment.pk)
    return render(request, "portal/book_slot.html", {"slot": slot, "form": form, "left": slot.capacity - slot.booked})


@resident_required
def appointment_list(request):
    return render(request, "portal/appointments.html",
                  {"appointments": selectors.appointments(account=request.account)[:50]})


@resident_required
def appointment_detail(request, pk):
    appointment = selectors.appointment_get(account=request.account, pk=pk)
    if request.method == "POST":
        try:
            services.appointment_cancel(account=request.account, appointment=appointment)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已取消预约，名额已释放。"))
        return redirect("portal:appointment", pk=appointment.pk)
    return render(request, "portal/appointment.html", {"a": appointment})


@resident_required
def report_new(request):
    account = request.account
    categories = grid_selectors.categories(public_only=True)
    form = ReportForm(request.POST or None, request.FILES or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            report = services.report_create(account=account, category=d["category"], description=d["description"],
                                            lat=d.get("lat"), lng=d.get("lng"), address=d.get("address", ""),
                                            photos=request.FILES.getlist("photos"),
                                            share_location=d.get("share_location", False))
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("已提交，编号 %(n)s。处理进展会在这里更新。") % {"n": report.case.number})
            return redirect("portal:report", pk=report.pk)
    return render(request, "portal/report_new.html", {
        "form": form, "tiles": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION})


def grids_geojson(request):
    """The public outline of the grids, so a phone can place its report without map tiles."""
    qs = Node.objects.filter(kind=NodeKind.GRID, geometry__isnull=False, is_active=True).select_related("parent")
    return JsonResponse({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": n.geometry, "properties": {"name": n.name,
                                                                  "committee": n.parent.name if n.parent else ""}}
        for n in qs.order_by("code")]})


@resident_required
def report_list(request):
    return render(request, "portal/reports.html", {"reports": selectors.reports(account=request.account)[:50]})


@resident_required
def report_detail(request, pk):
    report = selectors.report_get(account=request.account, pk=pk)
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_rate(account=request.account, report=report, rating=form.cleaned_data["rating"],
                                 note=form.cleaned_data["note"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect("portal:report", pk=report.pk)
    case = report.case
    photos = list(case.photos.filter(stage__in=[PhotoStage.REPORT, PhotoStage.FEEDBACK, PhotoStage.CHECK])
                  .order_by("id"))
    return render(request, "portal/report.html", {
        "report": report, "case": case, "form": form, "photos": photos,
        "ratable": case.status in services.RATABLE and not report.rating})


@resident_required
def report_photo(request, pk, photo_pk):
    report = selectors.report_get(account=request.account, pk=pk)
    photo = report.case.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


@resident_required
def mine(request):
    account = request.account
    cases = list(selectors.acceptance_cases(account=account)[:50]) if account.is_bound else []
    return render(request, "portal/mine.html", {
        "account": account, "cases": cases, "agent_cases": selectors.agent_cases(account=account),
        "family": selectors.actable_residents(account=account), "reports": selectors.reports(account=account)[:20],
        "appointments": selectors.appointments(account=account)[:20]})


@resident_required
def case_detail(request, pk):
    account = request.account
    case = selectors.acceptance_case_get(account=account, pk=pk)
    review = selectors.review_of(case)
    form = ReviewForm(request.POST or None)
    finished = case.status in (CaseStatus.COMPLETED, CaseStatus.DELIVERED)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_review(account=account, case=case, score=form.cleaned_data["score"],
                                 comment=form.cleaned_data["comment"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect("portal:case", pk=case.pk)
    missing = [m for m in case.materials.all() if not m.provided]
    return render(request, "portal/case.html", {"case": case, "missing": missing, "review": review,
                                                "form": form, "reviewable": finished and review is None})


def lookup(request):
    form = LookupForm(request.POST or None)
    case = None
    if request.method == "POST" and form.is_valid():
        ip = request.META.get("REMOTE_ADDR", "")
        key = f"portal:lookup:{ip}"
        tries = attempts_get(key)
        if tries >= 30:
            form.add_error(None, _("查询过于频繁，请稍后再试。"))
        else:
            attempt_record(key, 3600)
            case = selectors.case_public_lookup(number=form.cleaned_data["number"],
                                                id_tail=form.cleaned_data["id_tail"])
            if case is None:
                form.add_error(None, _("办件编号或身份证号后6位不正确。"))
    missing = [m for m in case.materials.all() if not m.provided] if case else []
    return render(request, "portal/lookup.html", {"form": form, "case": case, "missing": missing})


@resident_required
def notices(request):
    items = list(request.user.notifications.all()[:50])
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "portal/notices.html", {"items": items,
                                                   "upcoming": selectors.open_appointments(account=request.account),
                                                   "due": selectors.due_items(account=request.account)})


@resident_required
def due(request):
    """到期提醒: what runs out for me and my family, with 申请续约; and my coming appointments."""
    account = request.account
    if request.method == "POST":
        try:
            services.renewal_request(account=account, key=request.POST.get("key", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("续约申请已提交，工作人员会与您联系。"))
        return redirect("portal:due")
    return render(request, "portal/due.html", {"account": account, "items": selectors.due_items(account=account),
                                               "upcoming": selectors.open_appointments(account=account)})


@resident_required
def family(request):
    account = request.account
    return render(request, "portal/family.html", {"account": account,
                                                  "members": selectors.actable_residents(account=account)})


@device_or_staff((DeviceKind.KIOSK,), "acceptance.kiosk")
def kiosk_check_in(request):
    """At the hall's kiosk: the appointment code becomes a queue ticket (the kiosk's own ticket page follows)."""
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.appointment_check_in(
                code=form.cleaned_data["code"], node=request.centre, device=request.device,
                actor=request.user if request.device is None else None)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            return redirect("acceptance:kiosk-ticket", token=signing.dumps(appointment.ticket_id, salt=TICKET_SALT))
    return render(request, "portal/kiosk_check_in.html", {"form": form})


@require("portal.slots")
def slots_manage(request):
    from shequ.acceptance.services.common import centre_for

    try:
        centre = centre_for(request.user)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    form = SlotPublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.slot_publish(actor=request.user, node=centre, date=d["date"], start=d["start"], end=d["end"],
                                  category=d["category"], capacity=d["capacity"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("时段已发布。"))
            return redirect("portal:slots-manage")
    today = timezone.localdate()
    slots = (selectors.slots_for_day(day=today).model.objects.filter(node=centre, date__gte=today)
             .select_related("category").order_by("date", "start", "category__letter")[:200])
    return render(request, "portal/slots_manage.html", {"form": form, "slots": slots})
