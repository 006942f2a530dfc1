"""好差评: the public review page (case number + check code, no login) and rectification of 差评."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.context import client_ip
from shequ.core.errors import DomainError, Forbidden
from shequ.core.ratelimit import attempt_record, attempts_get
from shequ.core.web import forbidden, form_add_domain_error, paginate, query_without_page, render_page, require

from .. import selectors, services
from ..choices import RECTIFICATION_ACTIONS, SUPERVISOR_ONLY_RECTIFICATION, RectificationStatus, ReviewChannel
from ..forms import PublicReviewForm, RectificationForm

LOOKUP_LIMIT = 10  # wrong number/code pairs per source address per 15 minutes


def public_review(request):
    """A resident rates a case with its number and check code; nothing about the case is shown before the code
    matches, and guessing is rate limited."""
    form = PublicReviewForm(request.POST or None, initial={"number": request.GET.get("number", "")[:20]})
    key = f"acceptance:review-lookup:{client_ip(request) or 'unknown'}"
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if attempts_get(key) >= LOOKUP_LIMIT:
            form.add_error(None, _("尝试次数过多，请15分钟后再试。"))
        else:
            case = selectors.case_by_public_code(number=d["number"], check_code=d["check_code"])
            if case is None:
                attempt_record(key, 900)
                form.add_error("check_code", _("办件编号或查询码不正确。"))
            else:
                try:
                    services.review_submit(score=d["score"], channel=ReviewChannel.WEB, case=case, tags=d["tags"],
                                           comment=d["comment"], contact_phone=d["contact_phone"])
                except DomainError as exc:
                    form_add_domain_error(form, exc)
                else:
                    return render(request, "acceptance/review_thanks.html", {"score": d["score"]})
    return render(request, "acceptance/review_public.html", {"form": form})


@require("acceptance.reviews")
def rectification_list(request):
    status = request.GET.get("status", "pending")
    if status not in ("pending", "overdue", "") and status not in RectificationStatus.values:
        status = "pending"
    page = paginate(request, selectors.rectification_list(user=request.user, status=status), 30)
    reviews = selectors.review_list(user=request.user, score=request.GET.get("score", ""))
    return render_page(request, "acceptance/rectification_list.html", {
        "page": page, "status": status, "query": query_without_page(request), "statuses": RectificationStatus.choices,
        "reviews": reviews[:20],
    }, "acceptance/partials/_rectification_rows.html")


@require("acceptance.reviews")
def review_list(request):
    score = request.GET.get("score", "")
    page = paginate(request, selectors.review_list(user=request.user, score=score), 40)
    return render(request, "acceptance/review_list.html", {"page": page, "score": score,
                                                           "query": query_without_page(request)})


@require("acceptance.reviews")
def rectification_detail(request, pk):
    rect = selectors.rectification_get(user=request.user, pk=pk)
    may = services.may_handle(request.user, rect) and request.user.can("acceptance.rectify")
    supervisor = request.user.can("acceptance.supervise")
    actions = [(name, label) for name, (label, sources, _target) in RECTIFICATION_ACTIONS.items()
               if may and rect.status in sources and (supervisor or name not in SUPERVISOR_ONLY_RECTIFICATION)]
    return render(request, "acceptance/rectification_detail.html", {
        "rect": rect, "review": rect.review, "events": rect.events.all(), "actions": actions,
        "status_labels": {**dict(RectificationStatus.choices), "open": RectificationStatus.OPEN.label},
        "form": RectificationForm()})


@require("acceptance.rectify")
@require_POST
def rectification_action(request, pk, action):
    rect = selectors.rectification_get(user=request.user, pk=pk)
    form = RectificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("acceptance:rectification-detail", pk=rect.pk)
    d = form.cleaned_data
    try:
        services.rectification_act(actor=request.user, rectification=rect, action=action, note=d["note"],
                                   contact_method=d["contact_method"], complexity=d["complexity"],
                                   callback_result=d["callback_result"])
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已记录：%(a)s") % {"a": RECTIFICATION_ACTIONS[action][0]})
    return redirect("acceptance:rectification-detail", pk=rect.pk)
