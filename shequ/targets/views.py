"""Pages of 指标与考核: target progress with traffic lights, a target's committees and trend, entered values and
their approval, eco households, and assessments (create, score alone, sign off, result PDF). Views parse input,
call one service and render."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.hooks import ChartData, Series
from shequ.core.workflow import ActionForbidden, ActionNotFound
from shequ.core.inputs import query_int
from shequ.core.scoping import in_scope, scoped_nodes
from shequ.core.choices import NodeKind
from shequ.core.errors import DomainError, Forbidden
from shequ.core.web import forbidden, form_add_domain_error, paginate, render_page, require, search_term, service_call

from . import selectors, services
from .choices import EcoStatus, EntryStatus, Source
from .forms import (AssessmentForm, ConclusionForm, EcoFilterForm, EcoForm, EntryForm, EvidenceForm, PeriodForm,
                    ReasonForm)
from .workflows import ASSESSMENT, ECO, ENTRY


def _committees(user):
    return list(scoped_nodes(user, NodeKind.COMMITTEE).filter(is_active=True))


@require("targets.view")
def index(request):
    form = PeriodForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    rows = selectors.target_progress(user=request.user, period=year)
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row["group"] or _("其他指标"), []).append(row)
    return render_page(request, "targets/index.html", {"form": form, "groups": groups.items(), "year": year},
                       status=200 if not form.is_bound or form.is_valid() else 400)


@require("targets.view")
def indicator_detail(request, pk):
    indicator = selectors.indicator_get(user=request.user, pk=pk)
    row = next(r for r in selectors.target_progress(user=request.user, committees=True)
               if r["id"] == indicator.pk)
    trend = selectors.indicator_trend(user=request.user, indicator=indicator)
    chart = ChartData(labels=[f"{d.year}年{d.month}月" for d, _v in trend], series=[
        Series(name=indicator.name, values=[None if v is None else float(v) for _d, v in trend], kind="line",
               percent=indicator.unit == "%")])
    entries = selectors.entry_list(user=request.user, indicator=indicator)[:24] \
        if indicator.source == Source.ENTERED else []
    return render_page(request, "targets/indicator.html", {
        "i": indicator, "row": row, "chart": chart.as_json(), "trend": trend, "entries": entries,
        "whole": in_scope(request.user, indicator.node),
        "may_enter": indicator.source == Source.ENTERED and request.user.can("targets.enter")})


# --- entered values --------------------------------------------------------------------------------------------

@require("targets.view")
def entries(request):
    status = request.GET.get("status", "")
    if status not in EntryStatus.values:
        status = ""
    page = paginate(request, selectors.entry_list(user=request.user, status=status))
    return render_page(request, "targets/entries.html", {"page": page, "status": status,
                                                         "statuses": EntryStatus.choices})


@require("targets.enter")
def entry_new(request):
    indicators = list(selectors.entered_indicators(user=request.user))
    committees = _committees(request.user)
    initial = {"indicator": query_int(request.GET.get("indicator"))}
    form = EntryForm(request.POST or None, request.FILES or None, indicators=indicators, committees=committees,
                     initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        indicator = next(i for i in indicators if i.pk == d["indicator"])
        committee = next(c for c in committees if c.pk == d["committee"])
        with service_call(request, form) as call:
            entry = services.entry_submit(actor=request.user, indicator=indicator, committee=committee,
                                          period=d["period"], value=d["value"], note=d["note"],
                                          evidence=d["evidence"])
        if call.ok:
            messages.success(request, _("已提交，等待街道审核。"))
            return redirect("targets:entry", pk=entry.pk)
    return render_page(request, "targets/entry_new.html", {"form": form, "indicators": indicators},
                       status=400 if form.is_bound else 200)


@require("targets.view")
def entry_detail(request, pk):
    entry = selectors.entry_get(user=request.user, pk=pk)
    return render_page(request, "targets/entry.html", {
        "e": entry, "evidence": selectors.evidence_of(entry=entry), "actions": ENTRY.available(request.user, entry),
        "reason_form": ReasonForm()})


def _perform(request, workflow, obj, name: str, back: str):
    if name not in workflow.names:
        raise Http404
    try:
        workflow.perform(request.user, obj, name, reason=request.POST.get("reason", ""))
    except ActionNotFound:
        raise Http404 from None
    except (ActionForbidden, Forbidden) as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message if not exc.errors else
                       "；".join([exc.message, *[m for ms in exc.errors.values() for m in ms]]))
    else:
        messages.success(request, _("已%(a)s。") % {"a": workflow.action(name).label})
    return redirect(back, pk=obj.pk)


@require_POST
@require("targets.view")
def entry_action(request, pk, action):
    entry = selectors.entry_get(user=request.user, pk=pk)
    return _perform(request, ENTRY, entry, action, "targets:entry")


@require("targets.view")
def evidence_file(request, pk):
    item = selectors.evidence_get(user=request.user, pk=pk)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type, as_attachment=True,
                            filename=item.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- eco households --------------------------------------------------------------------------------------------

@require("targets.view")
def eco_list(request):
    filters = EcoFilterForm(request.GET or None)
    d = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.eco_list(user=request.user, kind=d.get("kind", ""), status=d.get("status", ""),
                            search=search_term(request))
    committees = _committees(request.user)
    form = EcoForm(request.POST or None, committees=committees) if request.user.can("targets.enter") else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            committee = next(c for c in committees if c.pk == d["committee"])
            with service_call(request, form) as call:
                household = services.eco_propose(actor=request.user, committee=committee, kind=d["kind"],
                                                 name=d["name"], address=d["address"], practices=d["practices"],
                                                 year=d["year"])
            if call.ok:
                messages.success(request, _("已推荐“%(n)s”，等待街道认定。") % {"n": household.name})
                return redirect("targets:eco-list")
        status = 400
    counts = {s: selectors.eco_list(user=request.user, status=s).count() for s in (EcoStatus.APPLIED,
                                                                                  EcoStatus.CERTIFIED)}
    return render_page(request, "targets/eco_list.html", {"page": paginate(request, qs), "filters": filters,
                                                          "form": form, "counts": counts}, status=status)


@require("targets.view")
def eco_detail(request, pk):
    household = selectors.eco_get(user=request.user, pk=pk)
    return render_page(request, "targets/eco.html", {"h": household, "actions": ECO.available(request.user, household),
                                                     "reason_form": ReasonForm()})


@require_POST
@require("targets.view")
def eco_action(request, pk, action):
    household = selectors.eco_get(user=request.user, pk=pk)
    return _perform(request, ECO, household, action, "targets:eco")


# --- assessments -----------------------------------------------------------------------------------------------

@require("targets.view")
def assessments(request):
    page = paginate(request, selectors.assessment_list(user=request.user))
    return render_page(request, "targets/assessments.html", {"page": page})


@require("targets.assess")
def assessment_new(request):
    sheets = list(selectors.sheet_list())
    experts = selectors.expert_choices(user=request.user)
    form = AssessmentForm(request.POST or None, sheets=sheets, experts=experts)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        sheet = next(s for s in sheets if s.pk == d["sheet"])
        chosen = [u for u in experts if u.pk in set(d["experts"])]
        with service_call(request, form) as call:
            assessment = services.assessment_create(
                actor=request.user, sheet=sheet, subject_kind=d["subject_kind"], subject=d["subject"],
                title=d["title"], held_on=d["held_on"], method=d["method"], experts=chosen)
        if call.ok:
            messages.success(request, _("已组织评审，专家可以开始评分。"))
            return redirect("targets:assessment", pk=assessment.pk)
    return render_page(request, "targets/assessment_new.html", {"form": form, "sheets": sheets},
                       status=400 if form.is_bound else 200)


def _score_context(request, assessment, errors=None, marks=None):
    member = selectors.panel_member(assessment=assessment, user=request.user)
    signed = assessment.status != "scoring"
    mine = selectors.member_scores(member=member) if member and member.submitted_at else {}
    return {
        "a": assessment, "layout": selectors.sheet_layout(sheet=assessment.sheet),
        "panel": selectors.panel(assessment=assessment), "member": member, "mine": mine,
        "may_score": bool(member and member.submitted_at is None and not signed and
                          request.user.can("targets.score")),
        "averages": selectors.item_means(assessment=assessment) if signed else {},
        "actions": ASSESSMENT.available(request.user, assessment), "may_assess": request.user.can("targets.assess")
        and in_scope(request.user, assessment.node), "conclusion_form": ConclusionForm(),
        "evidence": selectors.evidence_of(assessment=assessment), "evidence_form": EvidenceForm(),
        "errors": {k[5:]: v for k, v in (errors or {}).items() if k.startswith("item_")}, "marks": marks or {},
        "signed": signed}


@require("targets.view")
def assessment_detail(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    return render_page(request, "targets/assessment.html", _score_context(request, assessment))


@require_POST
@require("targets.score")
def assessment_score(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    marks = {k[5:]: v for k, v in request.POST.items() if k.startswith("item_")}
    remarks = {k[7:]: v for k, v in request.POST.items() if k.startswith("remark_")}
    try:
        services.assessment_score(actor=request.user, assessment=assessment, marks=marks, remarks=remarks)
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        ctx = _score_context(request, assessment, errors=exc.errors, marks=marks)
        ctx["score_error"] = exc.message
        return render_page(request, "targets/assessment.html", ctx, status=exc.status_code)
    messages.success(request, _("评分已提交。"))
    return redirect("targets:assessment", pk=assessment.pk)


@require_POST
@require("targets.assess")
def assessment_sign(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    form = ConclusionForm(request.POST)
    if form.is_valid():
        try:
            ASSESSMENT.perform(request.user, assessment, "sign", conclusion=form.cleaned_data["conclusion"])
        except ActionNotFound:
            raise Http404 from None
        except (ActionForbidden, Forbidden) as exc:
            raise forbidden(request, exc) from exc
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("评审结果已签发。"))
            return redirect("targets:assessment", pk=assessment.pk)
    ctx = _score_context(request, assessment)
    ctx["conclusion_form"] = form
    ctx["sign_error"] = "；".join(form.non_field_errors())
    return render_page(request, "targets/assessment.html", ctx, status=400)


@require_POST
@require("targets.assess")
def assessment_evidence(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        with service_call(request, form) as call:
            services.assessment_add_evidence(actor=request.user, assessment=assessment,
                                             files=form.cleaned_data["evidence"])
        if call.ok:
            messages.success(request, _("已上传佐证材料。"))
            return redirect("targets:assessment", pk=assessment.pk)
    ctx = _score_context(request, assessment)
    ctx["evidence_form"] = form
    return render_page(request, "targets/assessment.html", ctx, status=400)


@require("targets.view")
def assessment_pdf(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    if assessment.status != "signed":
        raise Http404
    pdf = services.assessment_report(actor=request.user, assessment=assessment)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="assessment-{assessment.pk}.pdf"'
    return response
