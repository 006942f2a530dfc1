"""Pages of 为老服务 (staff under /eldercare/, the residents' meal page under /eldercare/m/). Each view parses
input, calls one selector or service and renders."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.audit import audit_denied, audit_record
from shequ.core.choices import AuditAction, Role
from shequ.core.errors import DomainError, Forbidden
from shequ.core.inputs import month_arg
from shequ.core.web import (forbidden, form_add_domain_error, paginate, query_without_page, render_page, require,
                            search_term, service_call, xlsx_response)
from shequ.core.workcal import recent_months
from shequ.people.selectors import resident_list
from shequ.people.services import audit_search

from . import export, selectors, services
from .choices import ApplicationStatus, Meal, OrderStatus
from .forms import (ApplicationActionForm, ApplyForm, AttendanceForm, DayCareEnrolForm, DayForm, EnrolForm,
                    IncidentForm, KitchenForm, MyOrderForm, NoteForm, OrderForm, SettleForm)
from .selectors.carehome import AGE_POINTS, ALONE_POINTS, DIBAO_POINTS, GRADE_POINTS, MONTH_CAP
from .selectors.common import residents_of_account
from .services.daycare import (DIASTOLIC_HIGH, DIASTOLIC_LOW, SYSTOLIC_HIGH, SYSTOLIC_LOW, TEMPERATURE_HIGH,
                               TEMPERATURE_LOW)
from .workflows import APPLICATION, SETTLEMENT


# --- meal enrolment ---------------------------------------------------------------------------------------------

def _chosen_resident(request):
    """The resident the form is for (`resident` in the POST or the query), if the user may act for him."""
    rid = request.POST.get("resident") or request.GET.get("resident")
    if not rid:
        return None
    try:
        return selectors.resident_for_staff(user=request.user, pk=rid)
    except Http404:
        return None


@require("eldercare.view")
def enrolment_list(request):
    search = search_term(request, 32)
    qs = selectors.enrolment_list(user=request.user, search=search)
    page = paginate(request, qs)
    return render_page(request, "eldercare/enrolments.html",
                       {"page": page, "query": query_without_page(request), "search": search},
                       "eldercare/partials/_enrolment_rows.html")


@require("eldercare.enrol")
def enrol(request):
    """Find an elder of the registry (60+) and enrol him at a canteen."""
    search = search_term(request)
    candidates = []
    if search:
        audit_search(actor=request.user, search=search)
        candidates = list(resident_list(user=request.user, search=search, tag="60+")[:20])
    canteens = selectors.canteen_choices()
    form = EnrolForm(request.POST or None, canteens=canteens,
                     initial={"resident": request.GET.get("resident")})
    chosen = _chosen_resident(request)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if chosen is None:
            form.add_error(None, _("请先选择居民。"))
        else:
            with service_call(request, form) as call:
                enrolment = services.meal_enrol(actor=request.user, resident=chosen, canteen=d["canteen"],
                                                route=d["route"], diet_note=d["diet_note"])
            if call.ok:
                messages.success(request, _("%(n)s 已登记助餐。") % {"n": chosen.name})
                return redirect("eldercare:enrolment", pk=enrolment.pk)
    tiers = selectors.eligible_tiers(resident=chosen, day=timezone.localdate()) if chosen else []
    return render(request, "eldercare/enrol.html", {"form": form, "search": search, "candidates": candidates,
                                                    "chosen": chosen, "tiers": tiers})


@require("eldercare.view")
def enrolment_detail(request, pk):
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    orders = selectors.order_list(user=request.user, resident_id=enrolment.resident_id, include_cancelled=True)[:60]
    tiers = selectors.eligible_tiers(resident=enrolment.resident, day=timezone.localdate())
    return render(request, "eldercare/enrolment.html", {"e": enrolment, "orders": orders, "tiers": tiers})


# --- orders -------------------------------------------------------------------------------------------------

@require("eldercare.view")
def order_list(request):
    form = DayForm(request.GET or None)
    day = form.day()
    qs = selectors.order_list(user=request.user, date_from=day, date_to=day, include_cancelled=True)
    page = paginate(request, qs)
    return render_page(request, "eldercare/orders.html", {"page": page, "query": query_without_page(request),
                                                         "form": form}, "eldercare/partials/_order_rows.html")


@require("eldercare.order")
def order_new(request):
    enrolments = selectors.enrolment_list(user=request.user)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    initial = {"date_from": tomorrow, "date_to": tomorrow, "enrolment": request.GET.get("enrolment")}
    form = OrderForm(request.POST or None, enrolments=enrolments, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(request, form) as call:
            created, refused = services.meal_orders_create_range(
                actor=request.user, resident=d["enrolment"].resident, date_from=d["date_from"],
                date_to=d["date_to"], meal=d["meal"], mode=d["mode"])
        if call.ok:
            if created:
                messages.success(request, _("已订 %(n)s 份%(m)s。") % {"n": len(created), "m": Meal(d["meal"]).label})
            for line in refused:
                messages.warning(request, line)
            return redirect(reverse("eldercare:enrolment", args=[d["enrolment"].pk]))
    return render(request, "eldercare/order_new.html", {"form": form})


@require_POST
@require("eldercare.order")
def order_cancel(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    try:
        services.meal_order_cancel(actor=request.user, order=order)
        messages.success(request, _("已退订。"))
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_local_next(request) or reverse("eldercare:orders"))


def _local_next(request) -> str:
    """The page to go back to (`next`), only when it is a path of this site."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                 require_https=request.is_secure()):
        return target
    return ""


# --- kitchen ------------------------------------------------------------------------------------------------

@require("eldercare.kitchen")
def kitchen(request):
    canteens = selectors.canteen_managed(user=request.user)
    form = KitchenForm(request.GET or None, canteens=canteens)
    day = form.day()
    canteen = (form.cleaned_data.get("canteen") if form.is_valid() else None) or canteens.filter(
        kitchen__isnull=True).first()
    count = selectors.kitchen_count(canteen=canteen, day=day) if canteen else None
    points = {c.pk: c for c in canteens}
    by_point = [(points.get(pk), n) for pk, n in (count or {}).get("by_point", {}).items()]
    return render_page(request, "eldercare/kitchen.html", {"form": form, "canteen": canteen, "day": day,
                                                          "count": count, "by_point": by_point},
                       "eldercare/partials/_kitchen.html")


@require("eldercare.kitchen")
def delivery(request):
    canteens = selectors.canteen_managed(user=request.user)
    form = KitchenForm(request.GET or None, canteens=canteens)
    day = form.day()
    canteen = (form.cleaned_data.get("canteen") if form.is_valid() else None) or canteens.first()
    meal = (form.cleaned_data.get("meal") if form.is_valid() else "") or Meal.LUNCH
    groups = selectors.delivery_list(canteen=canteen, day=day, meal=meal) if canteen else []
    return render(request, "eldercare/delivery.html", {"form": form, "canteen": canteen, "day": day,
                                                       "meal": Meal(meal).label, "groups": groups})


# --- settlement ---------------------------------------------------------------------------------------------

@require("eldercare.kitchen")
def settlement_list(request):
    canteens = selectors.canteen_managed(user=request.user)
    month, month_error = month_arg(request)
    figures = selectors.settlements_all(month=month)
    overview = [{"canteen": c, **figures.get(c.pk, {})} for c in canteens]
    form = SettleForm(request.POST or None, canteens=canteens, initial={"month": month.strftime("%Y-%m")})
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            s = services.settlement_compute(actor=request.user, canteen=form.cleaned_data["canteen"],
                                            month=form.cleaned_data["month"])
        if call.ok:
            messages.success(request, _("结算单已生成。"))
            return redirect("eldercare:settlement", pk=s.pk)
    months = [(m.strftime("%Y-%m"), f"{m.year}年{m.month}月") for m in recent_months(timezone.localdate(), 12)]
    return render(request, "eldercare/settlements.html", {
        "settlements": selectors.settlement_list(user=request.user)[:48], "overview": overview, "month": month,
        "form": form, "months": months, "can_settle": request.user.can("eldercare.settle"),
        "month_error": month_error}, status=400 if month_error else 200)


@require("eldercare.kitchen")
def settlement_detail(request, pk):
    s = selectors.settlement_get(user=request.user, pk=pk)
    figures = selectors.settlement_figures(canteen=s.canteen, month=s.month)
    return render(request, "eldercare/settlement.html", {
        "s": s, "figures": figures, "actions": SETTLEMENT.available(request.user, s), "note_form": NoteForm()})


@require_POST
@require("eldercare.kitchen")
def settlement_action(request, pk, name):
    s = selectors.settlement_get(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        SETTLEMENT.perform(request.user, s, name, note=note)
        messages.success(request, _("已办理。"))
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404 from exc
        if exc.status_code == 403:
            raise forbidden(request, exc) from exc
        messages.error(request, exc.message)
    return redirect("eldercare:settlement", pk=s.pk)


def _settlement_export(request, pk, kind):
    s = selectors.settlement_get(user=request.user, pk=pk)
    figures = selectors.settlement_figures(canteen=s.canteen, month=s.month)
    audit_record(actor=request.user, action=AuditAction.EXPORT if kind == "xlsx" else AuditAction.PRINT, obj=s,
                 object_repr=f"{s.canteen.name} {s.month:%Y-%m}", detail={"format": kind})
    name = f"settlement-{s.month:%Y-%m}-{s.canteen_id}.{kind}"
    if kind == "xlsx":
        return xlsx_response(export.settlement_xlsx(settlement=s, figures=figures), name)
    response = HttpResponse(export.settlement_pdf(settlement=s, figures=figures, printed_by=request.user),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require("eldercare.kitchen")
def settlement_xlsx(request, pk):
    return _settlement_export(request, pk, "xlsx")


@require("eldercare.kitchen")
def settlement_pdf(request, pk):
    return _settlement_export(request, pk, "pdf")


# --- day care -----------------------------------------------------------------------------------------------

RANGES = {"t_low": TEMPERATURE_LOW, "t_high": TEMPERATURE_HIGH, "s_high": SYSTOLIC_HIGH, "d_high": DIASTOLIC_HIGH,
          "s_low": SYSTOLIC_LOW, "d_low": DIASTOLIC_LOW}


@require("eldercare.daycare_view")
def daycare(request):
    form = DayForm(request.GET or None)
    day = form.day()
    rows = selectors.attendance_day(user=request.user, day=day)
    if any(r["attendance"] for r in rows):
        audit_record(actor=request.user, action=AuditAction.VIEW, object_type="eldercare.attendance",
                     object_repr=_("日托健康监测 %(d)s") % {"d": day.isoformat()},
                     detail={"date": day.isoformat(), "rows": sum(1 for r in rows if r["attendance"])})
    return render(request, "eldercare/daycare.html", {
        "form": form, "day": day, "rows": rows, "ranges": RANGES,
        "can_record": request.user.can("eldercare.attendance"), "can_enrol": request.user.can("eldercare.daycare"),
        "present": sum(1 for r in rows if r["attendance"]),
        "flagged": sum(1 for r in rows if r["attendance"] and r["attendance"].flagged)})


@require("eldercare.daycare")
def daycare_enrol(request):
    search = search_term(request)
    candidates = []
    if search:
        audit_search(actor=request.user, search=search)
        candidates = list(resident_list(user=request.user, search=search, tag="60+")[:20]) \
            if request.user.role != Role.FACILITY_OPERATOR else []
    facilities = selectors.daycare_facilities(user=request.user)
    form = DayCareEnrolForm(request.POST or None, facilities=facilities,
                            initial={"resident": request.GET.get("resident"), "start_date": timezone.localdate()})
    chosen = _chosen_resident(request)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if chosen is None:
            form.add_error(None, _("请先选择居民。"))
        else:
            with service_call(request, form) as call:
                e = services.daycare_enrol(actor=request.user, resident=chosen, **{
                    k: d[k] for k in ("facility", "care_grade", "daily_fee", "start_date", "emergency_contact")})
            if call.ok:
                messages.success(request, _("%(n)s 已登记日托。") % {"n": chosen.name})
                return redirect("eldercare:daycare-person", pk=e.pk)
    return render(request, "eldercare/daycare_enrol.html", {"form": form, "search": search,
                                                            "candidates": candidates, "chosen": chosen})


@require("eldercare.daycare_view")
def daycare_person(request, pk):
    e = selectors.daycare_enrolment_get(user=request.user, pk=pk)
    month, month_error = month_arg(request, default=timezone.localdate().replace(day=1))
    statement = selectors.monthly_statement(enrolment=e, month=month)
    audit_record(actor=request.user, action=AuditAction.VIEW, obj=e, object_repr=e.resident.name,
                 detail={"month": month.strftime("%Y-%m"), "health_rows": statement["count"]})
    months = [(m.strftime("%Y-%m"), f"{m.year}年{m.month}月") for m in recent_months(timezone.localdate(), 6)]
    return render(request, "eldercare/daycare_person.html", {
        "e": e, "st": statement, "months": months, "ranges": RANGES, "month_error": month_error,
        "can_record": request.user.can("eldercare.attendance")}, status=400 if month_error else 200)


def _enrolment_form_view(request, pk, form_class, service, success, initial):
    e = selectors.daycare_enrolment_get(user=request.user, pk=pk)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, enrolment=e, **form.cleaned_data)
        except Forbidden as exc:
            raise forbidden(request, exc) from exc
        except DomainError as exc:
            if exc.status_code == 404:
                raise Http404 from exc
            form_add_domain_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("eldercare:daycare-person", pk=e.pk)
    return render(request, "eldercare/daycare_form.html", {"e": e, "form": form, "ranges": RANGES,
                                                           "title": success})


@require("eldercare.attendance")
def attendance_new(request, pk):
    now = timezone.localtime()
    return _enrolment_form_view(request, pk, AttendanceForm, services.attendance_record, _("出勤已登记"),
                                {"date": now.date(), "arrived_at": now.strftime("%H:%M")})


@require("eldercare.attendance")
def incident_new(request, pk):
    return _enrolment_form_view(request, pk, IncidentForm, services.incident_create, _("事件已记录"),
                                {"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})


@require("eldercare.health_export")
def health_export(request):
    today = timezone.localdate()
    rows = list(selectors.attendance_flagged(user=request.user, date_from=today - dt.timedelta(days=30),
                                             date_to=today))
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="eldercare.attendance",
                 object_repr=_("日托健康异常记录"), detail={"rows": len(rows), "days": 31})
    return xlsx_response(export.health_xlsx(rows=rows), f"daycare-health-{today:%Y%m%d}.xlsx")


# --- care home ----------------------------------------------------------------------------------------------

@require("eldercare.carehome_view")
def carehome(request):
    return render(request, "eldercare/carehome.html", {
        "waiting": selectors.waiting_list(user=request.user),
        "open": selectors.application_list(user=request.user).exclude(status=ApplicationStatus.WAITING),
        "beds": selectors.bed_list(user=request.user), "occupancy": selectors.occupancy(user=request.user),
        "points": {"grade": GRADE_POINTS, "dibao": DIBAO_POINTS, "alone": ALONE_POINTS, "age": AGE_POINTS,
                   "cap": MONTH_CAP},
        "can_apply": request.user.can("eldercare.carehome_apply")})


@require("eldercare.carehome_apply")
def carehome_apply(request):
    search = search_term(request)
    candidates = []
    if search:
        audit_search(actor=request.user, search=search)
        candidates = list(resident_list(user=request.user, search=search, tag="60+")[:20])
    facilities = selectors.carehome_choices()
    form = ApplyForm(request.POST or None, facilities=facilities, initial={"resident": request.GET.get("resident")})
    chosen = _chosen_resident(request)
    if request.method == "POST" and form.is_valid():
        if chosen is None:
            form.add_error(None, _("请先选择居民。"))
        else:
            with service_call(request, form) as call:
                a = services.application_create(actor=request.user, resident=chosen,
                                                facility=form.cleaned_data["facility"],
                                                reason=form.cleaned_data["reason"])
            if call.ok:
                messages.success(request, _("入住申请已提交。"))
                return redirect("eldercare:application", pk=a.pk)
    return render(request, "eldercare/carehome_apply.html", {"form": form, "search": search,
                                                             "candidates": candidates, "chosen": chosen})


@require("eldercare.carehome_view")
def application_detail(request, pk):
    a = selectors.application_get(user=request.user, pk=pk)
    beds = selectors.bed_list(user=request.user, facility_id=a.facility_id).filter(status="free")
    actions = [(act, ApplicationActionForm(beds=beds, fields=act.form, prefix=act.name))
               for act in APPLICATION.available(request.user, a)]
    score, parts = selectors.priority(a, timezone.localdate())
    return render(request, "eldercare/application.html", {"a": a, "actions": actions, "score": score,
                                                          "parts": parts, "events": a.events.all()})


@require_POST
@require("eldercare.carehome_view")
def application_action(request, pk, name):
    a = selectors.application_get(user=request.user, pk=pk)
    beds = selectors.bed_list(user=request.user, facility_id=a.facility_id)
    try:
        act = APPLICATION.action(name)
    except DomainError:
        raise Http404 from None
    form = ApplicationActionForm(request.POST, beds=beds, fields=act.form, prefix=name)
    if form.is_valid():
        try:
            APPLICATION.perform(request.user, a, name, **form.cleaned_data)
            messages.success(request, _("已办理：%(a)s。") % {"a": act.label})
        except DomainError as exc:
            if exc.status_code == 404:
                raise Http404 from exc
            if exc.status_code == 403:
                raise forbidden(request, exc) from exc
            messages.error(request, "；".join([exc.message, *sum(exc.errors.values(), [])]))
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("eldercare:application", pk=a.pk)


# --- the residents' meal page (/eldercare/m/) ----------------------------------------------------------------

def resident_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        if not user.can("portal.use"):
            audit_denied(actor=user, what=f"{request.method} {request.path} needs portal.use")
            raise PermissionDenied("portal.use")
        return view(request, *args, **kwargs)

    return wrapper


@resident_only
def m_meals(request):
    people = residents_of_account(user=request.user)
    enrolled = [p for p in people if selectors.active_enrolment(resident=p)]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = MyOrderForm(request.POST or None, people=enrolled, initial={"date": tomorrow})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        resident = next(p for p in enrolled if p.pk == d["resident"])
        try:
            order = services.meal_order_create(actor=request.user, resident=resident, date=d["date"],
                                               meal=d["meal"], mode=d["mode"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("已订餐：%(n)s %(d)s %(m)s，应付 %(p)s 元。") % {
                "n": resident.name, "d": f"{order.date.month}月{order.date.day}日", "m": Meal(order.meal).label,
                "p": order.payable})
            return redirect("eldercare:m-meals")
    orders = selectors.orders_of_residents(residents=people, date_from=timezone.localdate())
    return render(request, "eldercare/m_meals.html", {"form": form, "people": people, "enrolled": enrolled,
                                                      "orders": orders, "active": OrderStatus.ACTIVE})


@require_POST
@resident_only
def m_cancel(request, pk):
    people = residents_of_account(user=request.user)
    order = selectors.orders_of_residents(residents=people, date_from=timezone.localdate()).filter(pk=pk).first()
    if order is None:
        raise Http404
    try:
        services.meal_order_cancel(actor=request.user, order=order)
        messages.success(request, _("已退订。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("eldercare:m-meals")
