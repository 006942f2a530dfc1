"""HTML pages of the 大联动 module: thin views that parse input, call one service and render."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.errors import DomainError, Forbidden
from shequ.core.inputs import query_int
from shequ.core.models import Department, Node
from shequ.core.scoping import scope_node_ids, scoped_nodes
from shequ.core.web import forbidden, form_add_domain_error, paginate, query_without_page, render_page, require

from . import excel, hooks, hotline_views, selectors, services, spatial, stats, timing
from .choices import (OPEN_STATUSES, SHIFT_SHORT, CaseAction, CaseStatus, HotlineAction, HotlineStatus, Satisfaction,
                      Urgency)
from .filtersets import MINE, CaseFilterSet
from .forms import (ActionForm, BuildingForm, GeoJSONImportForm, HotlineActionForm,
                    HotlineCreateForm, HotlineFilterForm, HotlineImportForm, InspectionForm, MonthForm,
                    OverrideForm, PeriodForm, ReportForm, ResponsibleForm)
from .models import CasePhoto, CategoryMain, ShiftType, TeamMember
from .workflows import CASE, HOTLINE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _map_ctx():
    return {"tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require("grid.view")
def home(request):
    user = request.user
    for capability, name in (("grid.verify", "grid:tasks"), ("grid.dispatch", "grid:dispatch"),
                             ("grid.accept", "grid:desk"), ("grid.handle", "grid:unit"), ("grid.stats", "grid:stats")):
        if user.can(capability):
            return redirect(name)
    return redirect("grid:map")


# --- reporting ----------------------------------------------------------------------------------------------

@require("grid.report")
def report(request):
    sources = services.report_sources(request.user)
    form = ReportForm(request.POST or None, request.FILES or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_report(
                actor=request.user, category=d["category"], source=d["source"] or sources[0],
                police_item=d.get("police_item") or None,
                description=d["description"], lat=d.get("lat"), lng=d.get("lng"), address=d["address"],
                urgency=d["urgency"] or None, photos=d["photos"], keep_location=d["keep_location"],
                external_no=d["external_no"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("已上报，案件编号 %(n)s，所属网格：%(g)s。") % {
                "n": case.number, "g": case.grid.name if case.grid else "—"})
            return redirect("grid:case-detail", pk=case.pk)
    hints = {c.code: _("立案条件：%(f)s；处置时限：%(l)s；默认责任单位：%(d)s") % {
        "f": c.filing_condition, "l": c.limit_display, "d": c.department.short_name if c.department else "—"}
        for c in selectors.categories()}
    return render(request, "grid/report.html", {"form": form, **_map_ctx(),
                                                "category_json": json.dumps(hints, ensure_ascii=False)})


@require("grid.view")
def locate(request):
    lat, lng = request.GET.get("lat"), request.GET.get("lng")
    if not spatial.valid_point(lat, lng):
        return JsonResponse({"grid": None, "message": _("坐标无效。")}, status=400)
    hit = spatial.locate(float(lat), float(lng))
    if hit is None:
        return JsonResponse({"grid": None, "message": _("该位置不在任何网格内。")})
    committee = Node.objects.filter(pk=hit.committee_id).values_list("name", flat=True).first()
    return JsonResponse({"grid": {"id": hit.id, "code": hit.code, "name": hit.name, "committee": committee}})


@require("grid.view")
def duplicates(request):
    try:
        lat, lng = float(request.GET.get("lat")), float(request.GET.get("lng"))
    except (TypeError, ValueError):
        return HttpResponse("")
    found = services.suggest_duplicates(category=request.GET.get("category", ""), lat=lat, lng=lng,
                                        exclude_id=request.GET.get("exclude"))
    visible = set(selectors.case_base(user=request.user).filter(pk__in=[c.pk for c, _d in found])
                  .values_list("pk", flat=True))
    return render(request, "grid/partials/_duplicates.html",
                  {"found": [(c, d) for c, d in found if c.pk in visible]})


# --- role workbenches -------------------------------------------------------------------------------------------

@require("grid.verify")
def tasks(request):
    return render(request, "grid/tasks.html", {"tasks": selectors.inspector_tasks(user=request.user),
                                               "now": timezone.now()})


@require("grid.accept")
def desk(request):
    queues = selectors.desk_queues(user=request.user)
    dupes = {}
    for case in list(queues["reported"])[:30]:
        found = services.suggest_duplicates(category=case.category, lat=case.lat, lng=case.lng, when=case.reported_at,
                                            exclude_id=case.pk, limit=1)
        if found:
            dupes[case.pk] = found[0]
    quick = ("send_verify", "file", "merge", "close", "approve_return", "approve_extension")
    offered = {c.pk: {a.name: a for a in CASE.available(request.user, c, only=quick)}
               for key in ("reported", "verified", "checked", "returned", "extensions") for c in queues[key]}
    return render(request, "grid/desk.html", {"q": queues, "dupes": dupes, "now": timezone.now(), "offered": offered})


@require("grid.dispatch")
def dispatch(request):
    return render(request, "grid/dispatch.html", {
        "queue": selectors.dispatch_queue(user=request.user), "units": selectors.dispatchable_units(),
        "now": timezone.now()})


@require("grid.handle")
def unit(request):
    my_unit = services.acting_unit(request.user)
    if my_unit is None:
        return render(request, "grid/unit.html", {"unit": None})
    return render(request, "grid/unit.html", {
        "unit": my_unit, "q": selectors.unit_queues(user=request.user, unit=my_unit), "now": timezone.now(),
        "is_station": my_unit.kind == "station",
        "local": selectors.station_local_reports(user=request.user) if my_unit.kind == "station" else []})


# --- cases --------------------------------------------------------------------------------------------------

@require("grid.view")
def case_list(request):
    filters = CaseFilterSet(request.GET or None, user=request.user, patrol_default=True)
    page = paginate(request, filters.qs, 25)
    params = request.GET.copy()
    for key in ("page", "mine"):
        params.pop(key, None)
    return render_page(request, "grid/case_list.html", {"form": filters.form, "page": page, "now": timezone.now(),
                                                        "query": query_without_page(request),
                                                        "mine": filters.mine_value() or "all",
                                                        "chips": MINE, "chip_query": params.urlencode()},
                       "grid/partials/_case_table.html")


@require("grid.stats")
def case_export(request):
    filters = CaseFilterSet(request.GET or None, user=request.user)
    try:
        filters.check()
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('grid:case-list')}?{request.GET.urlencode()}")
    rows = list(filters.qs[:settings.SHEQU_EXPORT_MAX_ROWS])
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="grid.case",
                 detail={"rows": len(rows), "filters": filters.active()})
    return _xlsx(excel.case_workbook(rows), f"grid-cases-{timezone.localdate():%Y%m%d}.xlsx")


def _case_context(request, case, form=None):
    user = request.user
    now = timezone.now()
    possible = CASE.available(user, case, buttons_only=True)
    photos = list(case.photos.all())
    duplicates = []
    if case.status in (CaseStatus.REPORTED, CaseStatus.VERIFYING, CaseStatus.VERIFIED):
        duplicates = services.suggest_duplicates(category=case.category, lat=case.lat, lng=case.lng,
                                                 when=case.reported_at, exclude_id=case.pk)
    return {"case": case, "events": selectors.case_timeline(case=case), "photos": photos, "actions": possible,
            "form": form or ActionForm(initial={"version": case.version}), "now": now,
            "share": timing.elapsed_share(case, now), "light": case.light(now),
            "pending_extension": selectors.pending_extension(case=case), "duplicates": duplicates,
            "pending_park": selectors.pending_park(case=case), "park_requests": case.park_requests.select_related(
                "requested_by", "decided_by"),
            "suggested": selectors.suggested_units(case=case) if case.status == CaseStatus.FILED else [],
            "hotline_orders": case.hotline_orders.all(), "extensions": case.extensions.select_related(
                "requested_by", "decided_by"), "categories": selectors.categories(), "urgencies": Urgency.choices,
            "satisfactions": Satisfaction.choices, "geometry": json.dumps(case.grid.geometry) if case.grid else "",
            "linked": hooks.case_links(user, case), **_map_ctx()}


@require("grid.view")
def case_detail(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    return render(request, "grid/case_detail.html", _case_context(request, case))


@require("grid.view")
@require_POST
def case_act(request, pk, action):
    case = selectors.case_get(user=request.user, pk=pk)
    if action not in CASE.names:
        raise Http404
    form = ActionForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            CASE.perform(request.user, case, action, note=d["note"], expected_version=d.get("version"),
                         unit=d.get("unit"), hours=d.get("hours"), target=d.get("target"),
                         review_on=d.get("review_on"), satisfaction=d.get("satisfaction") or "",
                         category=d.get("category") or None,
                         urgency=d.get("urgency") or "", photos=d.get("photos") or [],
                         keep_location=d.get("keep_location") or False)
        except DomainError as exc:
            if exc.status_code == 404:
                raise Http404
            messages.error(request, exc.message)
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("已%(a)s：案件 %(n)s。") % {"a": CaseAction(action).label, "n": case.number})
            nxt = request.POST.get("next", "")
            if nxt.startswith("/grid/") and "//" not in nxt:
                return redirect(nxt)
            return redirect("grid:case-detail", pk=case.pk)
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    case = selectors.case_get(user=request.user, pk=pk)
    return render(request, "grid/case_detail.html", _case_context(request, case, form), status=400)


@require("grid.view")
def photo(request, pk):
    row = get_object_or_404(CasePhoto.objects.select_related("case"), pk=pk)
    selectors.case_get(user=request.user, pk=row.case_id)  # 404 outside the user's cases
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404
    response = FileResponse(handle, content_type=row.content_type)
    response["Content-Disposition"] = f'inline; filename="{row.case.number}-{row.pk}.{row.file.name.rsplit(".", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- map and grids ----------------------------------------------------------------------------------------------

@require("grid.view")
def grid_map(request):
    committees = scoped_nodes(request.user, NodeKind.COMMITTEE)
    grids = selectors.grid_nodes(user=request.user)
    return render(request, "grid/map.html", {"committees": committees, "grid_count": grids.count(),
                                             "import_form": GeoJSONImportForm(), **_map_ctx()})


@require("grid.view")
def grids_geojson(request):
    return JsonResponse(selectors.grid_features(user=request.user))


@require("grid.view")
def cases_geojson(request):
    return JsonResponse(selectors.case_points(user=request.user))


@require("grid.view")
def grids_export(request):
    data = selectors.grid_features(user=request.user, open_counts=False)
    for feature in data["features"]:
        props = feature["properties"]
        feature["properties"] = {"code": props["code"], "name": props["name"], "committee": props["committee_code"],
                                 "committee_name": props["committee"]}
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="core.node",
                 detail={"grids": len(data["features"])})
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="grids-{timezone.localdate():%Y%m%d}.geojson"'
    return response


@require("grid.manage_grids")
@require_POST
def grids_import(request):
    form = GeoJSONImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            messages.error(request, _("文件过大（上限20MB）。"))
        else:
            try:
                result = services.grids_import_geojson(actor=request.user, data=upload.read())
            except DomainError as exc:
                messages.error(request, exc.message)
                for line in exc.errors.get("file", [])[1:6]:
                    messages.error(request, line)
            else:
                messages.success(request, _("网格导入完成：新增 %(c)d 个，更新 %(u)d 个；%(m)d 件未办结案件按新边界改属网格。") % {
                    "c": result["created"], "u": result["updated"], "m": result["moved"]})
    else:
        messages.error(request, _("请选择 GeoJSON 文件。"))
    return redirect("grid:map")


@require("grid.view")
def grid_detail(request, pk):
    grid = selectors.grid_get(user=request.user, pk=pk)
    may_edit = request.user.can("grid.manage_grids")
    resp_form = ResponsibleForm(request.POST if request.POST.get("form") == "responsible" else None)
    bld_form = BuildingForm(request.POST if request.POST.get("form") == "building" else None)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        try:
            if request.POST.get("form") == "responsible" and resp_form.is_valid():
                services.grid_add_responsible(actor=request.user, grid=grid, **resp_form.cleaned_data)
                messages.success(request, _("已添加责任人。"))
                return redirect("grid:grid-detail", pk=grid.pk)
            if request.POST.get("form") == "building" and bld_form.is_valid():
                services.grid_add_building(actor=request.user, grid=grid, **bld_form.cleaned_data)
                messages.success(request, _("已添加楼宇。"))
                return redirect("grid:grid-detail", pk=grid.pk)
        except DomainError as exc:
            form_add_domain_error(resp_form if request.POST.get("form") == "responsible" else bld_form, exc)
    cases = selectors.case_base(user=request.user).filter(grid=grid).select_related("category", "unit")
    return render(request, "grid/grid_detail.html", {
        "grid": grid, "profile": getattr(grid, "grid_profile", None), "responsibles": grid.responsibles.all(),
        "buildings": grid.buildings.all(), "open_cases": cases.filter(status__in=OPEN_STATUSES)[:20],
        "case_total": cases.count(), "resp_form": resp_form, "bld_form": bld_form, "may_edit": may_edit,
        "now": timezone.now(), "feature": json.dumps(grid.geometry), **_map_ctx()})


@require("grid.view")
def taxonomy(request):
    mains = CategoryMain.objects.prefetch_related("subcategories__department").order_by("kind", "code")
    return render(request, "grid/taxonomy.html", {"mains": mains})


# --- 12345 -----------------------------------------------------------------------------------------------------

def _subdistrict(user) -> Node | None:
    nodes = scoped_nodes(user, NodeKind.SUBDISTRICT)
    return nodes.first()


@require("grid.hotline_view")
def hotline_list(request):
    form = HotlineFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = paginate(request, selectors.hotline_list(user=request.user, status=d.get("status", ""),
                                                    search=d.get("q", ""), overdue=d.get("overdue", "")), 25)
    return render_page(request, "grid/hotline_list.html", {
        "form": form, "page": page, "query": query_without_page(request), "now": timezone.now(),
        "import_form": HotlineImportForm(), "create_form": HotlineCreateForm()}, "grid/partials/_hotline_table.html")


@require("grid.hotline")
@require_POST
def hotline_import(request):
    form = HotlineImportForm(request.POST, request.FILES)
    subdistrict = _subdistrict(request.user)
    if not form.is_valid() or subdistrict is None:
        messages.error(request, _("请选择要导入的文件。") if subdistrict else _("您的管辖范围不含街道，不能接收工单。"))
        return redirect("grid:hotline-list")
    try:
        rows = excel.parse_hotline_upload(form.cleaned_data["file"])
        result = services.hotline_import(actor=request.user, rows=rows, subdistrict=subdistrict)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("导入完成：新增 %(c)d 张，已存在跳过 %(s)d 张，失败 %(f)d 张。") % {
            "c": result["created"], "s": result["skipped"], "f": len(result["errors"])})
        for err in result["errors"][:10]:
            messages.error(request, _("第%(r)s行（%(n)s）：%(m)s") % {"r": err["row"], "n": err["order_no"] or "—",
                                                                 "m": err["message"]})
    return redirect("grid:hotline-list")


@require("grid.hotline")
@require_POST
def hotline_create(request):
    form = HotlineCreateForm(request.POST)
    subdistrict = _subdistrict(request.user)
    if form.is_valid() and subdistrict is not None:
        try:
            order = services.hotline_receive(actor=request.user, data=form.cleaned_data, subdistrict=subdistrict)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记工单 %(n)s。") % {"n": order.order_no})
            return redirect("grid:hotline-detail", pk=order.pk)
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs)
                       or _("您的管辖范围不含街道，不能接收工单。"))
    return redirect("grid:hotline-list")


@require("grid.hotline")
def hotline_template(request):
    return _xlsx(excel.hotline_template(), "12345-import-template.xlsx")


@require("grid.hotline_view")
def hotline_detail(request, pk):
    order = selectors.hotline_get(user=request.user, pk=pk)
    duplicates = selectors.hotline_list(user=request.user).filter(address=order.address).exclude(pk=order.pk).exclude(
        status=HotlineStatus.MERGED)[:5] if order.address else []
    return render(request, "grid/hotline_detail.html", {
        "order": order, "events": order.events.all(), "form": HotlineActionForm(
            initial={"category": order.category.code if order.category else ""}), "now": timezone.now(),
        "duplicates": duplicates, "reply_draft": selectors.hotline_reply_draft(order=order),
        **hotline_views.detail_context(request.user, order)})


@require("grid.hotline_view")
@require_POST
def hotline_act(request, pk, action):
    """Every order action, the 街道's and the hotline office's: the declaration says who may take it."""
    order = selectors.hotline_get(user=request.user, pk=pk)
    if action not in HOTLINE.names:
        raise Http404
    form = HotlineActionForm(request.POST)
    if not form.is_valid():  # an invalid field is reported, never dropped from the action
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("grid:hotline-detail", pk=order.pk)
    try:
        HOTLINE.perform(request.user, order, action, **form.cleaned_data)
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("工单 %(n)s：已%(a)s。") % {"n": order.order_no, "a": HotlineAction(action).label})
    return redirect("grid:hotline-detail", pk=order.pk)


# --- roster and patrol ---------------------------------------------------------------------------------------------

@require("grid.roster")
def roster(request):
    month_form = MonthForm(request.GET or None)
    year, month = month_form.month_value()
    data = selectors.roster_month(year=year, month=month)
    prev = (data["first"] - dt.timedelta(days=1)).strftime("%Y-%m")
    nxt = (data["last"] + dt.timedelta(days=1)).strftime("%Y-%m")
    rows = [(team, [(d, code, SHIFT_SHORT.get(code, "")) for d, code in zip(data["days"], data["grid"][team.pk])])
            for team in data["teams"]]
    return render(request, "grid/roster.html", {
        "data": data, "rows": rows, "year": year, "month": month, "prev": prev, "next": nxt,
        "duty": selectors.on_duty(), "shifts": ShiftType.objects.all(), "today": timezone.localdate(),
        "override_form": OverrideForm(), "pattern": selectors.shift_pattern(),
        "member_count": TeamMember.objects.filter(is_active=True).count()})


@require("grid.roster_manage")
@require_POST
def roster_generate(request):
    form = MonthForm(request.POST)
    year, month = form.month_value()
    try:
        count = services.roster_generate(actor=request.user, year=year, month=month)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已生成%(y)d年%(m)d月排班（%(c)d条）。") % {"y": year, "m": month, "c": count})
    return redirect(f"{reverse('grid:roster')}?month={year}-{month:02d}")


@require("grid.roster_manage")
@require_POST
def roster_override(request):
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.roster_override_set(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记调班/请假。"))
        d = form.cleaned_data["date"]
        return redirect(f"{reverse('grid:roster')}?month={d:%Y-%m}")
    messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("grid:roster")


@require("grid.roster")
def roster_export(request):
    year, month = MonthForm(request.GET or None).month_value()
    data = selectors.roster_month(year=year, month=month)
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="grid.rosterday",
                 detail={"month": f"{year}-{month:02d}"})
    return _xlsx(excel.roster_workbook(data), f"roster-{year}-{month:02d}.xlsx")


@require("grid.patrol")
def patrol(request):
    member = selectors.team_member_of(user=request.user)
    current = selectors.patrol_current(user=request.user) if member else None
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "start":
                services.patrol_start(actor=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("巡查已开始。"))
            elif op == "checkin" and current:
                c = services.patrol_checkin(actor=request.user, log=current, lat=request.POST.get("lat"),
                                            lng=request.POST.get("lng"), note=request.POST.get("note", ""))
                messages.success(request, _("已在%(g)s打卡。") % {"g": c.grid.name})
            elif op == "end" and current:
                services.patrol_end(actor=request.user, log=current, note=request.POST.get("note", ""))
                messages.success(request, _("巡查已结束。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("grid:patrol")
    logs = selectors.patrol_logs(user=request.user)
    return render(request, "grid/patrol.html", {"member": member, "current": current, "logs": logs[:30],
                                                "duty": selectors.on_duty()})


# --- supervision ---------------------------------------------------------------------------------------------------

@require("grid.inspect")
def inspection_list(request):
    page = paginate(request, selectors.inspection_list(user=request.user), 25)
    return render(request, "grid/inspection_list.html", {"page": page, "query": query_without_page(request)})


@require("grid.inspect")
def inspection_create(request):
    sheets = list(selectors.inspection_sheets())
    wanted = query_int(request.GET.get("sheet") or request.POST.get("sheet"))
    sheet = next((x for x in sheets if x.pk == wanted), sheets[0] if sheets else None)
    form = InspectionForm(request.POST or None, user=request.user,
                          initial={"sheet": sheet, "date": timezone.localdate()})
    layout = selectors.inspection_sheet_layout(sheet) if sheet else []
    marks, item_errors = {}, {}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        marks = {item.pk: request.POST.get(f"item_{item.pk}", "") for _s, items in layout for item in items}
        try:
            inspection = services.inspection_create(actor=request.user, sheet=d["sheet"], title=d["title"],
                                                    date=d["date"], department=d.get("department"),
                                                    committee=d.get("committee"), scores=marks, note=d["note"])
        except DomainError as exc:
            item_errors = {k: v for k, v in exc.errors.items() if k.startswith("item_")}
            form_add_domain_error(form, DomainError(exc.message, {k: v for k, v in exc.errors.items()
                                                                  if not k.startswith("item_")}))
        else:
            messages.success(request, _("督查记录已保存，得分 %(t)s。") % {"t": inspection.total})
            return redirect("grid:inspection-detail", pk=inspection.pk)
    rows = [(section, [(item, marks.get(item.pk, ""), item_errors.get(f"item_{item.pk}", [])) for item in items])
            for section, items in layout]
    return render(request, "grid/inspection_form.html", {
        "form": form, "sheet": sheet, "target": selectors.sheet_target(sheet) if sheet else "", "rows": rows,
        "sheets": sheets, "full": sum((i.max_points for _s, items in layout for i in items), 0)})


@require("grid.inspect")
def inspection_detail(request, pk):
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    scores = selectors.inspection_scores(inspection=inspection)
    return render(request, "grid/inspection_detail.html", {
        "i": inspection, "scores": scores, "full": sum((s.sheet_item.max_points for s in scores), 0)})


# --- evaluation ----------------------------------------------------------------------------------------------------

AREA_COLUMNS = [("name", gettext_lazy("名称")), ("reported", gettext_lazy("上报数")), ("filed", gettext_lazy("立案数")), ("due", gettext_lazy("应结案数")), ("closed", gettext_lazy("结案数")),
                ("closed_on_time", gettext_lazy("按期结案数")), ("parked", gettext_lazy("缓办数")), ("close_rate", gettext_lazy("结案率%")),
                ("on_time_rate", gettext_lazy("按期结案率%")), ("urgent_on_time_rate", gettext_lazy("紧急按期结案率%")), ("reworked", gettext_lazy("返工案件")),
                ("rework_rate", gettext_lazy("返工率%")), ("extended", gettext_lazy("延期案件")), ("extension_rate", gettext_lazy("延期率%")),
                ("closed_late", gettext_lazy("超时处置")), ("overdue_open", gettext_lazy("超时未处置")), ("patrol_share", gettext_lazy("监督举报率%")),
                ("satisfaction_rate", gettext_lazy("满意率%")), ("self_handled", gettext_lazy("自处置数")),
                ("self_handle_rate", gettext_lazy("自处置率%")), ("inspection", gettext_lazy("督查平均分")),
                ("score", gettext_lazy("综合指标值"))]
POST_COLUMNS = [("name", gettext_lazy("姓名")), ("role", gettext_lazy("岗位")), ("reports", gettext_lazy("上报数")), ("valid_reports", gettext_lazy("有效上报数")),
                ("valid_rate", gettext_lazy("有效上报率%")), ("verify", gettext_lazy("核实数")), ("verify_on_time_rate", gettext_lazy("按时核实率%")),
                ("check", gettext_lazy("核查数")), ("check_on_time_rate", gettext_lazy("按时核查率%")), ("file", gettext_lazy("立案数")),
                ("file_on_time_rate", gettext_lazy("按时立案率%")), ("dispatch", gettext_lazy("派遣数")), ("dispatch_on_time_rate", gettext_lazy("按时派遣率%")),
                ("wrong_dispatch", gettext_lazy("错误派遣")), ("accurate_dispatch_rate", gettext_lazy("准确派遣率%")), ("close", gettext_lazy("结案数")),
                ("close_on_time_rate", gettext_lazy("按时结案率%"))]


def _indicator_rows(user, start, end, by):
    committee_ids = sorted(scope_node_ids(user, NodeKind.COMMITTEE))
    if by == "post":
        from shequ.core.models import User

        rows = stats.post_indicators(start=start, end=end, user_ids=list(
            User.objects.filter(nodes__in=scoped_nodes(user)).values_list("pk", flat=True).distinct()))
        for r in rows:
            r["name"] = r["user"].display_name
        return rows, POST_COLUMNS
    rows = stats.indicators(start=start, end=end, by=by, node_ids=committee_ids)
    names = dict(Node.objects.filter(pk__in=[r["key"] for r in rows if r["key"]]).values_list("pk", "name")) \
        if by == "committee" else dict(Department.objects.values_list("pk", "name"))
    from django.db.models import Avg

    field = "committee_id" if by == "committee" else "department_id"
    averages = dict(selectors.inspection_list(user=user).filter(date__range=(start, end))
                    .exclude(**{f"{field}__isnull": True}).order_by().values(field).annotate(a=Avg("total"))
                    .values_list(field, "a"))
    for r in rows:
        r["name"] = names.get(r["key"], _("未派遣（受理/作废环节）") if by == "unit" else _("未定位"))
        avg = averages.get(r["key"])
        r["inspection"] = round(float(avg), 1) if avg is not None else None
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0)))
    for rank, r in enumerate(rows, start=1):
        r["rank"] = rank
    return rows, AREA_COLUMNS


@require("grid.stats")
def stats_page(request):
    form = PeriodForm(request.GET or None)
    start, end, preset = form.period()
    by = (form.cleaned_data.get("by") if form.is_valid() else "") or "committee"
    committee_ids = sorted(scope_node_ids(request.user, NodeKind.COMMITTEE))
    total = stats.indicators(start=start, end=end, by="total", node_ids=committee_ids)[0]
    rows, columns = _indicator_rows(request.user, start, end, by)
    return render(request, "grid/stats.html", {
        "form": form, "start": start, "end": end, "by": by, "total": total, "rows": rows, "columns": columns,
        "composite": stats.composite_rule(), "query": request.GET.urlencode(), "trend_url": reverse("grid:stats-trend") + "?" + request.GET.urlencode()})


@require("grid.stats")
def stats_trend(request):
    form = PeriodForm(request.GET or None)
    start, end, _preset = form.period()
    committee_ids = sorted(scope_node_ids(request.user, NodeKind.COMMITTEE))
    by = "month" if (end - start).days > 62 else "day"
    rows = stats.indicators(start=start, end=end, by=by, node_ids=committee_ids)
    return JsonResponse({"labels": [f"{r['key']:%Y-%m}" if by == "month" else f"{r['key']:%m-%d}" for r in rows],
                         "reported": [r["reported"] for r in rows], "filed": [r["filed"] for r in rows],
                         "closed": [r["closed"] for r in rows], "on_time_rate": [r["on_time_rate"] for r in rows],
                         "rework_rate": [r["rework_rate"] for r in rows]})


@require("grid.stats")
def stats_export(request):
    form = PeriodForm(request.GET or None)
    start, end, _preset = form.period()
    by = (form.cleaned_data.get("by") if form.is_valid() else "") or "committee"
    rows, columns = _indicator_rows(request.user, start, end, by)
    title = {"committee": _("区域考评"), "unit": _("部门考评"), "post": _("岗位考评")}[by]
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="grid.casestat",
                 detail={"by": by, "start": start.isoformat(), "end": end.isoformat()})
    return _xlsx(excel.indicator_workbook(title=title, rows=rows, columns=columns, start=start, end=end),
                 f"grid-{by}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
