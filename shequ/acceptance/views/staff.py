"""Unified dispatch and assessment: windows and their categories, the half-day rota, staff skills, figures,
the monthly assessment sheet and the hall supervisor's dashboard."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core import workcal
from shequ.core.errors import DomainError
from shequ.core.inputs import parse_date
from shequ.core.models import User
from shequ.core.scoping import in_scope
from shequ.core.web import form_add_domain_error, render_page, require, xlsx_response
from shequ.targets import services as targets_services

from .. import excel, selectors, services
from ..choices import HalfDay, SkillLevel
from ..forms import FiguresForm, SkillsForm, WindowForm
from ..models import QueueCategory, RotaSlot, StaffSkill, Window
from ..services.staff import CLERK_ROLES


def _clerks(node) -> list[User]:
    return sorted((u for u in User.objects.filter(role__in=CLERK_ROLES, is_active=True).prefetch_related("nodes")
                   if in_scope(u, node)), key=lambda u: (u.role != "window_clerk", u.username))


# --- windows ---------------------------------------------------------------------------------------------------

@require("acceptance.supervise")
def windows(request):
    node = services.centre_for(request.user)
    return render(request, "acceptance/windows.html", {
        "windows": Window.objects.filter(node=node).prefetch_related("skills__category", "devices")
        .select_related("current_clerk").order_by("number")})


@require("acceptance.supervise")
def window_edit(request, pk=None):
    node = services.centre_for(request.user)
    window = selectors.window_get_by_pk(user=request.user, pk=pk) if pk else None
    initial = {"is_active": True}
    if window:
        initial = {"number": window.number, "name": window.name, "is_active": window.is_active,
                   **{f"rank_{s.category.letter}": str(s.rank) for s in window.skills.select_related("category")}}
    form = WindowForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            window = services.window_save(actor=request.user, node=node, number=d["number"], name=d["name"],
                                          categories=form.ordered_categories(), is_active=d["is_active"],
                                          window=window)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("%(w)s已保存。") % {"w": window})
            return redirect("acceptance:windows")
    return render(request, "acceptance/window_form.html", {"form": form, "window": window})


# --- rota --------------------------------------------------------------------------------------------------------

def _monday(value: str | None) -> dt.date:
    today = timezone.localdate()
    try:
        day = parse_date(value) or today
    except ValueError:
        day = today
    return day - dt.timedelta(days=day.weekday())


def _week_days(monday: dt.date) -> list[dict]:
    days = []
    for i in range(7):
        day = monday + dt.timedelta(days=i)
        try:
            workday = workcal.is_workday(day)
        except workcal.CalendarUnavailable:
            workday = day.weekday() < 5
        days.append({"date": day, "workday": workday})
    return days


def _cell(slot, day, half, main_category, certified, clerks) -> dict:
    """A rota cell. The select offers only the clerks certified on that day for an item of the window's
    first-rank category (统一持证上岗); `unskilled` flags a seated clerk who no longer is (expired, revoked)."""
    offered = [c for c in clerks if main_category is None or main_category in certified.get((c.pk, day), set())]
    unskilled = bool(slot and main_category and main_category not in certified.get((slot.clerk_id, day), set()))
    if slot and unskilled:
        offered = [slot.clerk] + offered
    return {"date": day, "half": half, "slot": slot, "unskilled": unskilled, "clerks": offered}


def _certified(clerk_ids, days) -> dict:
    """{(clerk id, day): certified category ids} for the week's days."""
    out = {}
    for day in days:
        for user_id, categories in services.certified_categories(clerk_ids, day).items():
            out[(user_id, day)] = categories
    return out


@require("acceptance.rota_view")
def rota(request):
    node = services.centre_for(request.user)
    monday = _monday(request.GET.get("week"))
    days = [d for d in _week_days(monday) if d["workday"] or d["date"].weekday() < 5]
    window_list = list(Window.objects.filter(node=node, is_active=True).order_by("number"))
    slots = {(s.window_id, s.date, s.half): s for s in RotaSlot.objects.filter(
        window__in=window_list, date__gte=monday, date__lt=monday + dt.timedelta(days=7)).select_related("clerk")}
    editable = request.user.can("acceptance.supervise")
    clerks = _clerks(node) if editable else []
    clerk_ids = {c.pk for c in clerks} | {s.clerk_id for s in slots.values()}
    certified = _certified(clerk_ids, [d["date"] for d in days])
    first = {w.pk: services.window_main_category(w) for w in window_list}
    grid = [{"window": w, "cells": [_cell(slots.get((w.pk, d["date"], h)), d["date"], h, first[w.pk], certified,
                                          clerks) for d in days for h in HalfDay.values]} for w in window_list]
    return render(request, "acceptance/rota.html", {
        "monday": monday, "days": days, "halves": HalfDay.choices, "grid": grid, "editable": editable,
        "prev": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7), "today": timezone.localdate()})


@require("acceptance.supervise")
@require_POST
def rota_set(request):
    node = services.centre_for(request.user)
    try:
        window = Window.objects.get(pk=int(request.POST.get("window", "")), node=node)
        day = dt.date.fromisoformat(request.POST.get("date", ""))
    except (Window.DoesNotExist, ValueError):
        raise Http404 from None
    half = request.POST.get("half", "")
    clerk = None
    if request.POST.get("clerk", "").isdigit():
        clerk = User.objects.filter(pk=int(request.POST["clerk"])).first()
    error = ""
    try:
        slot = services.rota_set(actor=request.user, window=window, date=day, half=half, clerk=clerk)
    except DomainError as exc:
        error = exc.message
        slot = RotaSlot.objects.filter(window=window, date=day, half=half).select_related("clerk").first()
    clerks = _clerks(node)
    certified = _certified({c.pk for c in clerks} | ({slot.clerk_id} if slot else set()), [day])
    cell = _cell(slot, day, half, services.window_main_category(window), certified, clerks)
    return render(request, "acceptance/partials/_rota_cell.html", {
        "cell": cell, "row": {"window": window}, "editable": True, "error": error,
        "today": timezone.localdate()})


@require("acceptance.supervise")
@require_POST
def rota_copy(request):
    node = services.centre_for(request.user)
    target = _monday(request.POST.get("week"))
    try:
        created = services.rota_copy_week(actor=request.user, node=node, source_monday=target - dt.timedelta(days=7),
                                          target_monday=target)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已从上周复制 %(n)d 个班次。") % {"n": created})
    return redirect(f"{reverse('acceptance:rota')}?week={target.isoformat()}")


# --- skills ------------------------------------------------------------------------------------------------------

@require("acceptance.rota_view")
def skills(request):
    node = services.centre_for(request.user)
    clerks = _clerks(node)
    categories = list(QueueCategory.objects.filter(is_active=True))
    levels = {(s.user_id, s.category_id): s for s in StaffSkill.objects.filter(user__in=clerks)}
    rows = [{"user": u, "cells": [levels.get((u.pk, c.pk)) for c in categories],
             "count": sum(1 for c in categories if (u.pk, c.pk) in levels)} for u in clerks]
    return render(request, "acceptance/skills.html", {"rows": rows, "categories": categories,
                                                      "levels": SkillLevel.choices, "today": timezone.localdate()})


@require("acceptance.supervise")
def skills_edit(request, user_id):
    node = services.centre_for(request.user)
    clerk = next((u for u in _clerks(node) if u.pk == user_id), None)
    if clerk is None:
        raise Http404
    initial = {f"skill_{s.category.letter}": s.level for s in StaffSkill.objects.filter(user=clerk)
               .select_related("category")}
    form = SkillsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.skills_set(actor=request.user, node=node, user=clerk, levels=form.levels())
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("%(u)s的业务技能已保存。") % {"u": clerk})
            return redirect("acceptance:skills")
    return render(request, "acceptance/skills_form.html", {"form": form, "clerk": clerk})


# --- figures and assessment -----------------------------------------------------------------------------------

@require("acceptance.figures")
def figures(request):
    form = FiguresForm(request.GET or None)
    by = (form.cleaned_data.get("by") if form.is_bound and form.is_valid() else "") or "clerk"
    start, end = form.period()
    rows = selectors.figures(user=request.user, by=by, date_from=start, date_to=end)
    today = timezone.localdate()
    months = workcal.recent_months(today, 6)
    sheet, layout = selectors.clerk_sheet()
    return render(request, "acceptance/figures.html", {
        "form": form, "rows": rows, "total": selectors.totals(rows), "by": by, "start": start, "end": end,
        "months": months, "sheet": sheet, "layout": layout,
        "sheet_full": sum(item.max_points for _section, items in layout for item in items) if sheet else None})


@require("acceptance.supervise")
def score_rules(request):
    """考核规则: the hall supervisor sets the clerk sheet's points and deductions (the full sheet, with its
    sections and measures, is the administrator's 系统配置 table)."""
    sheet, layout = selectors.clerk_sheet()
    if sheet is None:
        messages.error(request, _("没有启用的受理员月度考核表，请系统管理员在系统配置中启用。"))
        return redirect("acceptance:figures")
    errors, posted = {}, None
    if request.method == "POST":
        posted = request.POST
        values = {item.pk: {"max_points": request.POST.get(f"points_{item.pk}", ""),
                            "deduction": request.POST.get(f"deduction_{item.pk}", "")}
                  for _section, items in layout for item in items}
        try:
            targets_services.sheet_rules_update(actor=request.user, sheet=sheet, values=values,
                                                pass_line=request.POST.get("pass_line", ""))
        except DomainError as exc:
            errors = exc.errors or {"__all__": [exc.message]}
            messages.error(request, exc.message)
        else:
            messages.success(request, _("考核规则已保存，考核统计按新规则计算。"))
            return redirect("acceptance:figures")
    return render(request, "acceptance/score_rules.html", {"sheet": sheet, "layout": layout, "errors": errors,
                                                           "posted": posted})


@require("acceptance.figures")
def assessment_export(request):
    value = request.GET.get("month", "")
    try:
        month = dt.date.fromisoformat(value + "-01") if value else timezone.localdate().replace(day=1)
    except ValueError:
        messages.error(request, _("月份“%(m)s”无效，请按“年-月”选择，如 2026-11。") % {"m": value[:20]})
        return redirect("acceptance:figures")
    end = workcal.month_end(month)
    node = services.centre_for(request.user)
    args = {"user": request.user, "date_from": month, "date_to": end}
    content = excel.assessment_workbook(
        actor=request.user, month=month, node_name=node.name,
        clerk_rows=selectors.figures(by="clerk", **args), window_rows=selectors.figures(by="window", **args),
        department_rows=selectors.figures(by="department", **args))
    return xlsx_response(content, f"assessment-{month:%Y-%m}.xlsx")


# --- dashboard ---------------------------------------------------------------------------------------------------

@require("acceptance.dashboard")
def dashboard(request):
    node = services.centre_for(request.user)
    today = timezone.localdate()
    calendar_warning = ""
    if today.month >= 11:
        try:
            workcal.year_data(today.year + 1)
        except workcal.CalendarUnavailable as exc:
            calendar_warning = exc.message
    context = {
        "node": node, "states": selectors.queue_state(node=node), "windows": selectors.window_states(node=node),
        "today": selectors.today_figures(node=node), "now": timezone.localtime(),
        "overdue_count": selectors.count_overdue(request.user), "soon_count": selectors.count_due_soon(request.user),
        "rect_count": (selectors.count_open_rectifications(request.user)
                       if request.user.can("acceptance.reviews") else 0),
        "calendar_warning": calendar_warning,
    }
    return render_page(request, "acceptance/dashboard.html", context, "acceptance/partials/_dashboard_live.html")
