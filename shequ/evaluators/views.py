"""Pages of 社会监督评议: phone first (an evaluator works from his phone on site). Thin adapters over the selectors,
the services and the declared workflow."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import DomainError, Forbidden
from shequ.core.formatting import number_text
from shequ.core.web import forbidden, form_add_domain_error, paginate, query_without_page, require

from . import selectors, services
from .choices import EvaluatorKind
from .forms import PeriodForm, ScheduleForm, StatusFilterForm
from .workflows import EVALUATION


@require("evaluators.view")
def home(request):
    filters = StatusFilterForm(request.GET)
    qs = selectors.evaluation_list(user=request.user)
    if filters.is_valid():
        qs = selectors.evaluation_filter(qs, status=filters.cleaned_data.get("status") or "")
    else:
        qs = qs.none()
    return render(request, "evaluators/home.html", {
        "filters": filters, "page": paginate(request, qs, 20), "query": query_without_page(request)})


@require("evaluators.schedule")
def schedule(request):
    form = ScheduleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            evaluation = services.evaluation_schedule(actor=request.user, evaluator=d["evaluator"], sheet=d["sheet"],
                                                      department=d["department"], topic=d["topic"],
                                                      place=d["place"], date=d["date"])
        except Forbidden as exc:
            raise forbidden(request, exc) from exc
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("测评已安排。"))
            return redirect("evaluators:detail", pk=evaluation.pk)
    return render(request, "evaluators/schedule.html", {"form": form})


@require("evaluators.view")
def detail(request, pk):
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    actions = [a for a in EVALUATION.available(request.user, evaluation) if a.button]
    return render(request, "evaluators/detail.html", {
        "e": evaluation, "scores": selectors.evaluation_scores(evaluation=evaluation),
        "photos": selectors.evaluation_photos(evaluation=evaluation), "actions": actions,
        "can_score": EVALUATION.refusal(request.user, evaluation, "submit") is None,
        "show_evaluator": request.user.can("evaluators.manage") or evaluation.evaluator_id == request.user.pk})


@require("evaluators.inspect")
def score(request, pk):
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    refused = EVALUATION.refusal(request.user, evaluation, "submit")
    if isinstance(refused, Forbidden):
        raise forbidden(request, refused)
    if refused is not None:
        messages.error(request, refused.message)
        return redirect("evaluators:detail", pk=evaluation.pk)
    layout = selectors.sheet_layout(evaluation.sheet)
    marks, notes, errors, message = {}, {}, {}, ""
    if request.method == "POST":
        marks = {item.pk: request.POST.get(f"item_{item.pk}", "") for _s, items in layout for item in items}
        notes = {item.pk: request.POST.get(f"note_{item.pk}", "") for _s, items in layout for item in items}
        try:
            services.evaluation_submit(actor=request.user, evaluation=evaluation, marks=marks, item_notes=notes,
                                       note=request.POST.get("note", ""), photos=request.FILES.getlist("photos"))
        except Forbidden as exc:
            raise forbidden(request, exc) from exc
        except DomainError as exc:
            errors, message = exc.errors, exc.message
        else:
            evaluation.refresh_from_db()
            messages.success(request, _("评分已提交并发布给被测评部门，得分 %(t)s。") % {
                "t": number_text(evaluation.total)})
            return redirect("evaluators:detail", pk=evaluation.pk)
    rows = [(section, [(item, marks.get(item.pk, ""), notes.get(item.pk, ""), errors.get(f"item_{item.pk}", []),
                        errors.get(f"note_{item.pk}", [])) for item in items]) for section, items in layout]
    return render(request, "evaluators/score.html", {
        "e": evaluation, "rows": rows, "message": message, "errors": errors,
        "note": request.POST.get("note", ""), "full": sum((i.max_points for _s, items in layout for i in items), 0)},
        status=400 if message else 200)


@require_POST
@require("evaluators.view")
def act(request, pk, action):
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    if action not in EVALUATION.names or not EVALUATION.action(action).button:
        messages.error(request, _("操作无效。"))
        return redirect("evaluators:detail", pk=evaluation.pk)
    try:
        EVALUATION.perform(request.user, evaluation, action, reason=request.POST.get("reason", ""),
                           answer=request.POST.get("answer", ""), total=request.POST.get("total", ""))
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已办理：%(a)s") % {"a": EVALUATION.action(action).label})
    return redirect("evaluators:detail", pk=evaluation.pk)


@require("evaluators.view")
def photo(request, pk):
    row = selectors.photo_get(user=request.user, pk=pk)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404
    response = FileResponse(handle, content_type=row.content_type)
    response["Content-Disposition"] = f'inline; filename="evaluation-{row.evaluation_id}-{row.pk}.{row.file.name.rsplit(".", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require("evaluators.composite")
def composite(request):
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    if not form.is_bound:
        form = PeriodForm(initial={"start": start, "end": end})
    weights = selectors.weights()
    return render(request, "evaluators/composite.html", {
        "form": form, "start": start, "end": end, "weights": weights,
        "rows": selectors.department_composites(user=request.user, start=start, end=end),
        "formula": selectors.composite_formula(weights),
        "kinds": [(k, EvaluatorKind(k).label, w) for k, w in weights.items()]})
