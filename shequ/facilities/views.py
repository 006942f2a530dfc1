"""Pages of the facilities module: the network (list, map, detail), rooms, hours and closures, bookings and the
operator's day; residents book under /facilities/m/ in the phone layout. Views parse input, call one service and
render."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.audit import audit_denied
from shequ.core.errors import DomainError, Forbidden
from shequ.core.inputs import parse_date, query_int
from shequ.core.scoping import scoped_nodes
from shequ.core.web import (forbidden, form_add_domain_error, paginate, query_without_page, render_page, require,
                             service_call, xlsx_response)
from shequ.core.workflow import ActionForbidden, ActionNotFound
from shequ.portal import services as portal_services

from . import excel, selectors, services
from .charts import usage_data
from .choices import AgeGroup, BookingAction, BookingStatus, FacilityLevel
from .filtersets import BookingFilterSet, FacilityFilterSet
from .forms import BookingForm, ClosureForm, FacilityForm, HoursForm, ReasonForm, RoomForm, StaffForm
from .models import Closure
from .workflows import BOOKING


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _date(text) -> dt.date | None:
    """A YYYY-MM-DD from a query string or form, None when empty or malformed (the page then shows its default)."""
    try:
        return parse_date(text)
    except ValueError:
        return None


BOOKING_FIELDS = {"start": "start_time", "end": "end_time"}


def _booking_error(form, exc: DomainError) -> None:
    """The service names the booking's instants `start`/`end`; the form asks for a date and two times."""
    exc.errors = {BOOKING_FIELDS.get(k, k) if BOOKING_FIELDS.get(k, k) in form.fields else k: v
                  for k, v in exc.errors.items()}
    form_add_domain_error(form, exc)


def _facility_or_404(request, pk):
    return selectors.facility_get(user=request.user, pk=pk)


def _require_run(request, facility):
    if not selectors.facility_managed(user=request.user, facility=facility):
        raise forbidden(request, Forbidden(_("不是本设施的管理人员。")))


# --- the network --------------------------------------------------------------------------------------------------

@require("facilities.view")
def facility_list(request):
    filters = FacilityFilterSet(request.GET or None, queryset=selectors.facility_list(user=request.user),
                                request=request)
    rows = list(filters.qs.order_by("level", "name_pinyin"))
    order = {v: i for i, v in enumerate(FacilityLevel.values)}
    rows.sort(key=lambda f: (order.get(f.level, 99), f.name_pinyin))
    points = [{"id": f.pk, "name": f.name, "level": f.get_level_display(), "address": f.address,
               "lat": float(f.lat), "lng": float(f.lng), "url": reverse("facilities:facility-detail", args=[f.pk])}
              for f in rows if f.lat is not None and f.lng is not None]
    return render_page(request, "facilities/facility_list.html",
                       {"filters": filters, "facilities": rows, "points": points,
                        "may_create": request.user.can("facilities.manage"),
                        "tile_url": settings.MAP_TILE_URL},
                       "facilities/partials/_facility_rows.html")


def _week_start(request) -> dt.date:
    day = _date(request.GET.get("week"))
    day = day or timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


@require("facilities.view")
def facility_detail(request, pk):
    facility = _facility_or_404(request, pk)
    monday = _week_start(request)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    lo, _hi = selectors.local_day_bounds(days[0])
    _lo, hi = selectors.local_day_bounds(days[-1])
    rooms = list(facility.rooms.all())
    bookings = list(selectors.booking_list(user=request.user).filter(
        room__facility=facility, start__lt=hi, end__gt=lo).exclude(
        status__in=(BookingStatus.CANCELLED, BookingStatus.REJECTED)).order_by("start"))
    closed = {}
    for day in days:
        try:
            closed[day] = selectors.closed_reason(facility, day)
        except DomainError as exc:
            closed[day] = exc.message
    grid = [{"room": room, "cells": [
        {"closed": closed[day], "bookings": [b for b in bookings if b.room_id == room.pk
                                             and timezone.localtime(b.start).date() == day]} for day in days]}
        for room in rooms]
    ctx = {"facility": facility, "rooms": rooms, "hours": selectors.opening_table(facility),
           "closures": facility.closures.filter(date_to__gte=timezone.localdate()),
           "days": [{"date": d, "closed": closed[d], "today": d == timezone.localdate()} for d in days],
           "grid": grid, "week_label": f"{_cn(days[0])} – {_cn(days[-1])}",
           "prev_week": (monday - dt.timedelta(days=7)).isoformat(),
           "next_week": (monday + dt.timedelta(days=7)).isoformat(),
           "may_run": selectors.facility_managed(user=request.user, facility=facility),
           "may_edit": request.user.can("facilities.manage") and selectors.facility_managed(
               user=request.user, facility=facility),
           "children": selectors.facility_list(user=request.user).filter(parent=facility)}
    return render(request, "facilities/facility_detail.html", ctx)


def _facility_form(request, data=None, initial=None, exclude=None):
    parents = selectors.facility_list(user=request.user)
    if exclude is not None:
        parents = parents.exclude(pk=exclude.pk)
    return FacilityForm(data, initial=initial, nodes=scoped_nodes(request.user), parents=parents)


def _facility_kwargs(data) -> dict:
    return {k: data[k] for k in ("level", "name", "node", "parent", "address", "lng", "lat", "phone",
                                 "operator_name", "services", "description", "closed_on_holidays")}


@require("facilities.manage")
def facility_create(request):
    form = _facility_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            facility = services.facility_create(actor=request.user, **_facility_kwargs(form.cleaned_data))
        if call.ok:
            messages.success(request, _("已新增设施“%(n)s”。") % {"n": facility.name})
            return redirect("facilities:facility-detail", facility.pk)
    return render(request, "form_page.html", {"form": form, "title": _("新增设施"),
                                                    "back": reverse("facilities:facility-list")})


@require("facilities.manage")
def facility_edit(request, pk):
    facility = _facility_or_404(request, pk)
    initial = {"name": facility.name, "level": facility.level, "node": facility.node_id,
               "parent": facility.parent_id, "address": facility.address, "lng": facility.lng, "lat": facility.lat,
               "phone": facility.phone, "operator_name": facility.operator_name,
               "services": "\n".join(facility.services), "description": facility.description,
               "closed_on_holidays": facility.closed_on_holidays, "is_active": facility.is_active}
    form = _facility_form(request, request.POST or None, initial=initial, exclude=facility)
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            services.facility_update(actor=request.user, facility=facility, is_active=form.cleaned_data["is_active"],
                                     **_facility_kwargs(form.cleaned_data))
        if call.ok:
            messages.success(request, _("设施信息已保存。"))
            return redirect("facilities:facility-detail", facility.pk)
    return render(request, "form_page.html", {"form": form, "title": _("修改设施：%(n)s") % {"n": facility.name},
                                                    "back": reverse("facilities:facility-detail", args=[pk])})


# --- the facility's operators (FacilityStaff) -------------------------------------------------------------------

@require("facilities.manage")
def facility_staff(request, pk):
    """运营人员: who runs the facility (and its child facilities). The 街道's facility managers assign and remove
    them here; an operator sees only the facilities he is on."""
    facility = _facility_or_404(request, pk)
    if not selectors.facility_managed(user=request.user, facility=facility):
        raise forbidden(request, Forbidden(_("只有街道设施管理人员可以分配运营人员。")))
    staff = list(selectors.facility_staff(facility=facility))
    candidates = selectors.operator_candidates(user=request.user).exclude(pk__in=[a.user_id for a in staff])
    form = StaffForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["user"]
        with service_call(request, form) as call:
            services.facility_staff_assign(actor=request.user, facility=facility, user=user)
        if call.ok:
            messages.success(request, _("已将%(u)s分配到%(f)s。") % {"u": user.full_name or user.username,
                                                                 "f": facility.name})
            return redirect("facilities:facility-staff", facility.pk)
    return render(request, "facilities/staff.html", {"facility": facility, "staff": staff, "form": form,
                                                     "children": list(facility.children.filter(is_active=True))},
                  status=400 if form.is_bound and form.errors else 200)


@require_POST
@require("facilities.manage")
def facility_staff_remove(request, pk):
    assignment = selectors.facility_staff_get(user=request.user, pk=pk)
    try:
        services.facility_staff_remove(actor=request.user, staff=assignment)
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    messages.success(request, _("已取消%(u)s对%(f)s的运营。") % {
        "u": assignment.user.full_name or assignment.user.username, "f": assignment.facility.name})
    return redirect("facilities:facility-staff", assignment.facility_id)


# --- rooms, hours, closures ---------------------------------------------------------------------------------------

def _room_kwargs(data) -> dict:
    return {k: data[k] for k in ("name", "capacity", "equipment", "needs_approval", "bookable",
                                 "residents_may_book")}


@require("facilities.view")
def room_create(request, pk):
    facility = _facility_or_404(request, pk)
    _require_run(request, facility)
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            services.room_create(actor=request.user, facility=facility, **_room_kwargs(form.cleaned_data))
        if call.ok:
            messages.success(request, _("已新增活动室。"))
            return redirect("facilities:facility-detail", facility.pk)
    return render(request, "form_page.html", {
        "form": form, "title": _("新增活动室：%(n)s") % {"n": facility.name},
        "back": reverse("facilities:facility-detail", args=[pk])})


@require("facilities.view")
def room_edit(request, pk):
    room = selectors.room_get(user=request.user, pk=pk)
    _require_run(request, room.facility)
    initial = {k: getattr(room, k) for k in ("name", "capacity", "equipment", "needs_approval", "bookable",
                                             "residents_may_book")}
    form = RoomForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            services.room_update(actor=request.user, room=room, **_room_kwargs(form.cleaned_data))
        if call.ok:
            messages.success(request, _("活动室已保存。"))
            return redirect("facilities:facility-detail", room.facility_id)
    return render(request, "form_page.html", {
        "form": form, "title": _("修改活动室：%(n)s") % {"n": room}, 
        "back": reverse("facilities:facility-detail", args=[room.facility_id])})


@require("facilities.view")
def hours_edit(request, pk):
    facility = _facility_or_404(request, pk)
    _require_run(request, facility)
    form = HoursForm(request.POST or None, initial=HoursForm.initial_for(facility))
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            services.opening_hours_set(actor=request.user, facility=facility, periods=form.cleaned_data["periods"])
        if call.ok:
            messages.success(request, _("开放时间已保存。"))
            return redirect("facilities:facility-detail", facility.pk)
    return render(request, "facilities/hours_form.html", {"form": form, "facility": facility})


@require("facilities.view")
def closure_create(request, pk):
    facility = _facility_or_404(request, pk)
    _require_run(request, facility)
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            services.closure_create(actor=request.user, facility=facility, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("已添加闭馆安排。"))
            return redirect("facilities:facility-detail", facility.pk)
    return render(request, "form_page.html", {
        "form": form, "title": _("闭馆安排：%(n)s") % {"n": facility.name},
        "back": reverse("facilities:facility-detail", args=[pk])})


@require("facilities.view")
@require_POST
def closure_delete(request, pk):
    closure = get_object_or_404(Closure.objects.select_related("facility"), pk=pk,
                                facility__in=selectors.facility_list(user=request.user))
    try:
        services.closure_delete(actor=request.user, closure=closure)
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    messages.success(request, _("已删除闭馆安排。"))
    return redirect("facilities:facility-detail", closure.facility_id)


# --- bookings -----------------------------------------------------------------------------------------------------

@require("facilities.view")
def booking_list(request):
    facilities = selectors.facility_list(user=request.user)
    filters = BookingFilterSet(request.GET or None, queryset=selectors.booking_list(user=request.user),
                               request=request, facilities=facilities)
    page = paginate(request, filters.qs.order_by("-start", "-id"))
    return render_page(request, "facilities/booking_list.html",
                       {"filters": filters, "page": page, "query": query_without_page(request)},
                       "facilities/partials/_booking_rows.html")


@require("facilities.view")
def booking_export(request):
    """The list's bookings (same scope and filters) as Excel: masked, capped and audited."""
    facilities = selectors.facility_list(user=request.user)
    filters = BookingFilterSet(request.GET or None, queryset=selectors.booking_list(user=request.user),
                               request=request, facilities=facilities)
    if filters.is_bound and not filters.is_valid():
        return render(request, "facilities/booking_list.html", {"filters": filters, "page": None, "query": ""},
                      status=400)
    active = {k: str(v.pk if hasattr(v, "pk") else v) for k, v in (filters.form.cleaned_data.items()
                                                                  if filters.is_bound else []) if v not in (None, "")}
    content, count, truncated = excel.export_bookings(actor=request.user, queryset=filters.qs.order_by("-start", "-id"),
                                                      filters=active)
    response = xlsx_response(content, f"bookings-{timezone.localtime():%Y%m%d-%H%M}.xlsx")
    response["X-Export-Rows"] = str(count)
    response["X-Export-Truncated"] = "1" if truncated else "0"
    return response


def _plan_rows(plan):
    return [{"date": _cn(p["date"]), "iso": p["date"].isoformat(), "problem": p["problem"],
             "time": f"{timezone.localtime(p['start']):%H:%M}–{timezone.localtime(p['end']):%H:%M}"} for p in plan]


@require("facilities.book")
def booking_new(request):
    rooms = selectors.room_list(user=request.user).filter(bookable=True, facility__is_active=True)
    initial = {"room": query_int(request.GET.get("room")), "date": _date(request.GET.get("date"))}
    form = BookingForm(request.POST or None, rooms=rooms, initial=initial)
    ctx = {"form": form}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        kwargs = {"actor": request.user, "room": d["room"], "start": d["start"], "end": d["end"],
                  "purpose": d["purpose"], "team": d["team"], "attendees": d["attendees"],
                  "age_group": d["age_group"]}
        try:
            if d["weekly"]:
                skip = [day for day in (_date(s) for s in request.POST.getlist("skip")[:52]) if day]
                if "confirm" not in request.POST:
                    plan = services.booking_series_plan(actor=request.user, room=d["room"], start=d["start"],
                                                        end=d["end"], weeks=d["weeks"])
                    if any(p["problem"] for p in plan):
                        ctx.update(plan=_plan_rows(plan), clashes=[p for p in _plan_rows(plan) if p["problem"]],
                                   free=sum(1 for p in plan if not p["problem"]))
                        return render(request, "facilities/booking_new.html", ctx)
                series, bookings = services.booking_series_create(weeks=d["weeks"], skip=skip, **kwargs)
                messages.success(request, _("已预约%(n)s次（每周），跳过%(k)s个冲突日期。") % {
                    "n": len(bookings), "k": len(series.skipped)})
                return redirect("facilities:booking-detail", bookings[0].pk)
            booking = services.booking_create(**kwargs)
        except services.SeriesClashes as exc:
            ctx.update(clashes=[{"date": line} for line in exc.errors["dates"]], stale=True)
            form.add_error(None, exc.message)
        except Forbidden as exc:
            raise forbidden(request, exc) from exc
        except DomainError as exc:
            _booking_error(form, exc)
        else:
            if booking.status == BookingStatus.PENDING:
                messages.success(request, _("预约已提交，等待设施审批。"))
            else:
                messages.success(request, _("预约成功。"))
            return redirect("facilities:booking-detail", booking.pk)
    return render(request, "facilities/booking_new.html", ctx)


@require("facilities.view")
def booking_detail(request, pk):
    booking = selectors.booking_get(user=request.user, pk=pk)
    return render(request, "facilities/booking_detail.html", {
        "booking": booking, "actions": BOOKING.available(request.user, booking), "reason_form": ReasonForm(),
        "siblings": booking.series.bookings.order_by("start") if booking.series_id else []})


@require("facilities.view")
@require_POST
def booking_action(request, pk, action):
    booking = selectors.booking_get(user=request.user, pk=pk)
    if action not in BookingAction.values:
        raise Http404
    try:
        BOOKING.perform(request.user, booking, action, reason=request.POST.get("reason", ""))
    except ActionNotFound:
        raise Http404 from None
    except (ActionForbidden, Forbidden) as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已%(a)s。") % {"a": BookingAction(action).label})
    back = request.POST.get("next", "")
    if back.startswith("/facilities/") and "//" not in back:
        return redirect(back)
    return redirect("facilities:booking-detail", pk)


@require("facilities.operate")
def today(request):
    day = timezone.localdate()
    bookings = list(selectors.managed_bookings(user=request.user).filter(
        start__lt=selectors.local_day_bounds(day)[1], end__gt=selectors.local_day_bounds(day)[0]).exclude(
        status__in=(BookingStatus.CANCELLED, BookingStatus.REJECTED)).order_by("start", "room__name"))
    pending_rows = list(selectors.managed_bookings(user=request.user).filter(
        status=BookingStatus.PENDING, end__gt=timezone.now()).order_by("start")[:50])
    facilities = selectors.facility_list(user=request.user).filter(
        id__in=selectors.operated_facility_ids(request.user)) if request.user.role == "facility_operator" else []
    for b in bookings + pending_rows:
        b.offered = BOOKING.available(request.user, b)
    return render(request, "facilities/today.html", {
        "day": day, "bookings": bookings, "pending": pending_rows, "facilities": facilities,
        "now": timezone.now()})


@require("facilities.view")
def usage(request):
    facility = None
    if request.GET.get("facility"):
        facility = _facility_or_404(request, request.GET["facility"])
    months = query_int(request.GET.get("months")) or 6
    months = months if months in (3, 6, 12) else 6
    figures, chart = usage_data(request.user, months=months, facility=facility)
    today_ = timezone.localdate()
    since = min(dt.date.fromisoformat(figures["months"][0] + "-01"), today_)
    rooms = selectors.usage_by_room(user=request.user, since=since, until=today_, facility=facility)
    for r in rooms:
        done = r["held"] + r["no_show"]
        r["rate"] = f"{round(100 * r['held'] / done)}%" if done else "—"
    table = [{"month": label, "held": figures["held"][key], "no_show": figures["no_show"][key],
              "hours": [figures["hours"][g][key] for g in AgeGroup.values]}
             for label, key in zip(chart.labels, figures["months"])]
    return render(request, "facilities/usage.html", {
        "facility": facility, "facilities": selectors.facility_list(user=request.user), "months": months,
        "chart": chart.as_json(), "table": table, "groups": [AgeGroup(g).label for g in AgeGroup.values],
        "rooms": rooms, "since": since, "month_options": (3, 6, 12)})


# --- residents (/facilities/m/) -----------------------------------------------------------------------------------

def resident_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        if not (user.can("portal.use") and user.can("facilities.book")):
            audit_denied(actor=user, what=f"{request.method} {request.path} needs portal.use")
            raise PermissionDenied("portal.use")
        request.account = portal_services.account_for(user)
        return view(request, *args, **kwargs)

    return wrapper


@resident_required
def m_rooms(request):
    mine = selectors.booking_list(user=request.user).filter(end__gt=timezone.now()).exclude(
        status=BookingStatus.CANCELLED).order_by("start")[:20]
    return render(request, "facilities/m_rooms.html", {
        "facilities": selectors.resident_rooms(user=request.user), "mine": mine,
        "home": selectors.resident_home(request.user)})


@resident_required
def m_book(request, pk):
    room = selectors.room_get(user=request.user, pk=pk)
    form = BookingForm(request.POST or None, rooms=None, resident=True,
                       initial={"date": timezone.localdate() + dt.timedelta(days=1)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            booking = services.booking_create(actor=request.user, room=room, start=d["start"], end=d["end"],
                                              purpose=d["purpose"], attendees=d["attendees"],
                                              age_group=d["age_group"])
        except DomainError as exc:
            _booking_error(form, exc)
        else:
            messages.success(request, _("预约已提交，等待审批。") if booking.status == BookingStatus.PENDING
                             else _("预约成功。"))
            return redirect("facilities:m-rooms")
    return render(request, "facilities/m_book.html", {"room": room, "form": form,
                                                      "hours": selectors.opening_table(room.facility)})


@resident_required
@require_POST
def m_cancel(request, pk):
    booking = selectors.booking_get(user=request.user, pk=pk)
    try:
        services.booking_cancel(actor=request.user, booking=booking)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消预约。"))
    return redirect("facilities:m-rooms")
