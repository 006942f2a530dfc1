"""Pages of the social-organisation module: the registry, the incubation centre, purchased-service projects, the
claim projects and the public thank-you list. Views parse input, call one service and render."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.choices import NodeKind, Role
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import User
from shequ.core.scoping import scoped_nodes
from shequ.core.web import forbidden, form_add_domain_error, paginate, query_without_page, render_page, require, service_call
from shequ.core.workflow import ActionForbidden, ActionNotFound

from . import forms, selectors, services
from .choices import ContributionKind, IncubationAction, IncubationStatus, ProjectAction, ProjectStatus
from .models import IncubationMilestone
from .workflows import INCUBATION, PROJECT


def _subdistrict(request):
    return scoped_nodes(request.user, NodeKind.SUBDISTRICT).first()


def _committees(request):
    return scoped_nodes(request.user, NodeKind.COMMITTEE)


def _explain(exc: DomainError) -> str:
    """A refusal shown as a message: the field messages when there are any (they say what to fix)."""
    details = [m for field, messages_ in exc.errors.items() if field not in ("status", "actor") for m in messages_]
    return "；".join(details) if details and len(exc.errors) <= 3 else exc.message


def _perform(request, workflow, obj, name, **inputs):
    """Run a declared action for a page: refusals as the 403 page or a message, success as a message."""
    try:
        workflow.perform(request.user, obj, name, **inputs)
    except ActionNotFound:
        raise Http404 from None
    except (ActionForbidden, Forbidden) as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, _explain(exc))
        return False
    messages.success(request, _("已%(a)s。") % {"a": workflow.action(name).label})
    return True


# --- registry -------------------------------------------------------------------------------------------------

@require("socialorgs.view")
def org_list(request):
    filters = forms.OrganisationFilterSet(request.GET or None, queryset=selectors.organisation_list(
        user=request.user).prefetch_related("committees"), request=request)
    page = paginate(request, filters.qs)
    return render_page(request, "socialorgs/org_list.html",
                       {"filters": filters, "page": page, "query": query_without_page(request),
                        "may_manage": request.user.can("socialorgs.manage"), "today": timezone.localdate()})


def _org_form_kwargs(request):
    return {"committees": _committees(request)}


@require("socialorgs.manage")
def org_create(request):
    form = forms.OrganisationForm(request.POST or None, **_org_form_kwargs(request))
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            org = services.organisation_create(actor=request.user, node=_subdistrict(request), **form.cleaned_data)
        if call.ok:
            messages.success(request, _("已登记 %(n)s。") % {"n": org.name})
            return redirect("socialorgs:org-detail", org.pk)
    return render(request, "form_page.html", {"form": form, "title": _("登记社会组织"),
                                                    "back": reverse("socialorgs:org-list")})


@require("socialorgs.manage")
def org_edit(request, pk):
    org = selectors.organisation_get(user=request.user, pk=pk)
    initial = {f: getattr(org, f) for f in ("name", "kind", "registration_number", "rating", "rating_valid_until",
                                            "contact_name", "description")}
    initial["committees"] = list(org.committees.all())
    form = forms.OrganisationForm(request.POST or None, initial=initial, **_org_form_kwargs(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data["contact_phone"]:
            data["contact_phone"] = org.contact_phone  # left empty: the stored number is kept, never shown
        with service_call(request, form) as call:
            services.organisation_update(actor=request.user, organisation=org, **data)
        if call.ok:
            messages.success(request, _("已保存。"))
            return redirect("socialorgs:org-detail", org.pk)
    return render(request, "form_page.html", {
        "form": form, "title": _("修改 %(n)s") % {"n": org.name}, "back": reverse("socialorgs:org-detail", args=[pk]),
        "note": _("联系电话留空则保留原号码（%(m)s）。") % {"m": org.contact_phone_masked or _("无")}})


@require("socialorgs.view")
def org_detail(request, pk):
    org = selectors.organisation_get(user=request.user, pk=pk)
    form = forms.DocumentForm()
    if request.method == "POST":
        form = forms.DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            with service_call(request, form) as call:
                services.document_upload(actor=request.user, organisation=org, title=form.cleaned_data["title"],
                                         upload=form.cleaned_data["file"])
            if call.ok:
                messages.success(request, _("文件已上传。"))
                return redirect("socialorgs:org-detail", pk)
    return render(request, "socialorgs/org_detail.html", {
        "org": org, "documents": org.documents.all(), "incubations": org.incubations.all(),
        "contracts": org.contracts.select_related("project"), "appraisals": selectors.past_appraisals(organisation=org),
        "doc_form": form, "may_manage": request.user.can("socialorgs.manage"), "today": timezone.localdate()})


@require("socialorgs.view")
def document(request, pk, doc_pk):
    org = selectors.organisation_get(user=request.user, pk=pk)
    doc = org.documents.filter(pk=doc_pk).first()
    if doc is None:
        raise Http404
    try:
        handle = doc.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    extension = doc.file.name.rsplit(".", 1)[-1]
    response = FileResponse(handle, content_type=doc.content_type)
    response["Content-Disposition"] = f'inline; filename="document-{doc.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- incubation -----------------------------------------------------------------------------------------------

@require("socialorgs.view")
def incubation_list(request):
    status = request.GET.get("status", "")
    rows = selectors.incubation_list(user=request.user)
    if status in IncubationStatus.values:
        rows = rows.filter(status=status)
    form = None
    if request.user.can("socialorgs.manage"):
        form = forms.IncubationApplyForm(request.POST or None, initial={"applied_on": timezone.localdate()},
                                         organisations=selectors.organisation_list(user=request.user))
        if request.method == "POST" and form.is_valid():
            with service_call(request, form) as call:
                incubation = services.incubation_apply(actor=request.user, **form.cleaned_data)
            if call.ok:
                messages.success(request, _("已受理入驻申请。"))
                return redirect("socialorgs:incubation-detail", incubation.pk)
    elif request.method == "POST":
        raise forbidden(request, Forbidden(_("无权办理。")))
    return render(request, "socialorgs/incubation_list.html", {
        "page": paginate(request, rows), "query": query_without_page(request), "statuses": IncubationStatus.choices,
        "status": status, "form": form})


@require("socialorgs.view")
def incubation_detail(request, pk):
    incubation = selectors.incubation_get(user=request.user, pk=pk)
    milestone_form = forms.MilestoneForm(request.POST or None)
    if request.method == "POST":
        with service_call(request, milestone_form) as call:
            if not milestone_form.is_valid():
                raise DomainError(_("孵化节点有误。"))
            services.milestone_add(actor=request.user, incubation=incubation, **milestone_form.cleaned_data)
        if call.ok:
            messages.success(request, _("已添加孵化节点。"))
            return redirect("socialorgs:incubation-detail", pk)
    return render(request, "socialorgs/incubation_detail.html", {
        "incubation": incubation, "actions": INCUBATION.available(request.user, incubation),
        "milestones": incubation.milestones.all(), "milestone_form": milestone_form,
        "may_manage": request.user.can("socialorgs.manage") and incubation.status == IncubationStatus.INCUBATING})


@require("socialorgs.view")
@require_POST
def incubation_action(request, pk, action):
    incubation = selectors.incubation_get(user=request.user, pk=pk)
    if action not in IncubationAction.values:
        raise Http404
    _perform(request, INCUBATION, incubation, action, mentor=request.POST.get("mentor", ""),
             note=request.POST.get("note", ""), reason=request.POST.get("reason", ""))
    return redirect("socialorgs:incubation-detail", pk)


@require("socialorgs.view")
@require_POST
def milestone_done(request, pk, milestone_pk):
    incubation = selectors.incubation_get(user=request.user, pk=pk)
    milestone = IncubationMilestone.objects.filter(incubation=incubation, pk=milestone_pk).first()
    if milestone is None:
        raise Http404
    try:
        services.milestone_complete(actor=request.user, milestone=milestone)
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, _explain(exc))
    else:
        messages.success(request, _("节点“%(t)s”已完成。") % {"t": milestone.title})
    return redirect("socialorgs:incubation-detail", pk)


# --- purchase of services -------------------------------------------------------------------------------------

@require("socialorgs.score")
def project_list(request):
    filters = forms.ProjectFilterSet(request.GET or None, queryset=selectors.project_list(user=request.user),
                                     request=request)
    return render_page(request, "socialorgs/project_list.html", {
        "filters": filters, "page": paginate(request, filters.qs), "query": query_without_page(request),
        "may_manage": request.user.can("socialorgs.manage")})


@require("socialorgs.manage")
def project_create(request):
    form = forms.ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            project = services.project_create(actor=request.user, node=_subdistrict(request), **form.cleaned_data)
        if call.ok:
            messages.success(request, _("项目已立项。"))
            return redirect("socialorgs:project-detail", project.pk)
    return render(request, "form_page.html", {"form": form, "title": _("购买服务项目立项"),
                                                    "back": reverse("socialorgs:project-list")})


def _expert_candidates(project):
    users = User.objects.filter(is_active=True, role__in=[Role.LEADER, Role.DEPT_OFFICER, Role.COMMITTEE_WORKER],
                                nodes__path__startswith=project.node.path).distinct().order_by("username")
    return User.objects.filter(pk__in=[u.pk for u in users if u.can("socialorgs.score")]).order_by("username")


FORMS = {"experts": forms.ExpertsForm, "publish": forms.PublishForm, "proposal": forms.ProposalForm,
         "sign": forms.SignForm, "midterm": forms.ReviewForm, "final": forms.ReviewForm,
         "appraise": forms.AppraiseForm}


@require("socialorgs.score")
def project_detail(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    user = request.user
    manage = user.can("socialorgs.manage")
    bound = request.POST.get("form") if request.method == "POST" else None

    def make(name, **kwargs):
        cls = FORMS[name]
        return cls(request.POST if bound == name else None, prefix=name, **kwargs)

    organisations = selectors.organisation_list(user=user)
    built = {"experts": make("experts", candidates=_expert_candidates(project),
                             initial={"experts": list(project.experts.all())}),
             "publish": make("publish"), "proposal": make("proposal", organisations=organisations),
             "sign": make("sign", initial={"amount": project.awarded.budget if project.awarded else None,
                                           "signed_on": timezone.localdate()}),
             "midterm": make("midterm"), "final": make("final"), "appraise": make("appraise")}
    if bound is not None:
        if bound not in built:
            raise Http404
        form = built[bound]
        if form.is_valid():
            with service_call(request, form) as call:
                _submit(request, project, bound, form)
            if call.ok:
                return redirect("socialorgs:project-detail", pk)
    proposals = list(selectors.proposals_of(project=project))
    for p in proposals:
        p.past = list(selectors.past_appraisals(organisation=p.organisation, before=project)[:3])
    expert = selectors.is_expert(user=user, project=project)
    mine = selectors.my_scores(user=user, project=project) if expert else {}
    revealed = project.status not in (ProjectStatus.NEED, ProjectStatus.CALL, ProjectStatus.SCORING)
    for p in proposals:
        p.my_score = mine.get(p.pk)
        p.all_scores = list(p.scores.select_related("expert").order_by("expert__username")) if revealed and (
            manage or user.can("socialorgs.award")) else []
    contract = getattr(project, "contract", None) if project.status in (
        ProjectStatus.CONTRACTED, ProjectStatus.MIDTERM, ProjectStatus.FINAL, ProjectStatus.APPRAISED,
        ProjectStatus.TERMINATED) else None
    offered = {a.name for a in PROJECT.available(user, project)}
    return render(request, "socialorgs/project_detail.html", {
        "project": project, "proposals": proposals, "forms": built, "manage": manage and selectors.project_list(
            user=user).filter(pk=project.pk).exists(), "offered": offered,
        "buttons": [a for a in PROJECT.available(user, project, buttons_only=True)],
        "expert": expert, "scoring": expert and project.status == ProjectStatus.SCORING,
        "missing": selectors.missing_scores(project=project) if project.status == ProjectStatus.SCORING else 0,
        "contract": contract, "instalments": contract.instalments.all() if contract else [],
        "reviews": project.reviews.select_related("reviewer"), "reason_form": forms.ReasonForm(),
        "panel": project.experts.order_by("username"),
        "show_panel_form": manage and project.status in (ProjectStatus.NEED, ProjectStatus.CALL)})


def _submit(request, project, name, form):
    data = form.cleaned_data
    actor = request.user
    if name == "experts":
        services.project_experts_set(actor=actor, project=project, experts=data["experts"])
        messages.success(request, _("评审专家已保存。"))
    elif name == "proposal":
        services.proposal_submit(actor=actor, project=project, **data)
        messages.success(request, _("已登记申报方案。"))
    elif name == "sign":
        try:
            services.project_sign(actor=actor, project=project, amount=data["amount"], signed_on=data["signed_on"],
                                  starts_on=data["starts_on"], ends_on=data["ends_on"],
                                  instalments=form.instalments())
        except DomainError as exc:  # the instalments are asked as three amounts: their refusal goes by the first
            if "instalments" in exc.errors:
                exc.errors["first_amount"] = exc.errors.pop("instalments")
            raise
        messages.success(request, _("合同已签订。"))
    else:
        action = {"publish": ProjectAction.PUBLISH, "midterm": ProjectAction.MIDTERM, "final": ProjectAction.FINAL,
                  "appraise": ProjectAction.APPRAISE}[name]
        try:
            PROJECT.perform(actor, project, action, **data)
        except ActionNotFound:
            raise Http404 from None
        except ActionForbidden as exc:
            raise Forbidden(exc.message, exc.errors) from exc
        messages.success(request, _("已%(a)s。") % {"a": ProjectAction(action).label})


@require("socialorgs.score")
@require_POST
def project_action(request, pk, action):
    project = selectors.project_get(user=request.user, pk=pk)
    if action not in ProjectAction.values or not PROJECT.action(action).button:
        raise Http404
    _perform(request, PROJECT, project, action, reason=request.POST.get("reason", ""))
    return redirect("socialorgs:project-detail", pk)


@require("socialorgs.score")
@require_POST
def proposal_score(request, pk, proposal_pk):
    project = selectors.project_get(user=request.user, pk=pk)
    proposal = project.proposals.filter(pk=proposal_pk).first()
    if proposal is None:
        raise Http404
    form = forms.ScoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("评分应为0到100之间的数。"))
        return redirect("socialorgs:project-detail", pk)
    try:
        services.score_submit(actor=request.user, proposal=proposal, **form.cleaned_data)
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, _explain(exc))
    else:
        messages.success(request, _("已提交对 %(o)s 的评分。") % {"o": proposal.organisation.name})
    return redirect("socialorgs:project-detail", pk)


# --- claiming -------------------------------------------------------------------------------------------------

@require("socialorgs.view")
def claim_list(request):
    rows = selectors.claim_project_list(user=request.user).order_by("-published_on", "id")
    return render(request, "socialorgs/claim_list.html", {
        "page": paginate(request, rows), "query": query_without_page(request),
        "may_publish": request.user.can("socialorgs.claims")})


@require("socialorgs.claims")
def claim_project_create(request):
    nodes = scoped_nodes(request.user).filter(kind__in=[NodeKind.SUBDISTRICT, NodeKind.COMMITTEE])
    form = forms.ClaimProjectForm(request.POST or None, nodes=nodes)
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            project = services.claim_project_create(actor=request.user, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("认领项目已发布。"))
            return redirect("socialorgs:claim-detail", project.pk)
    return render(request, "form_page.html", {"form": form, "title": _("发布认领项目"),
                                                    "back": reverse("socialorgs:claim-list")})


@require("socialorgs.view")
def claim_detail(request, pk):
    project = selectors.claim_project_get(user=request.user, pk=pk)
    claims = selectors.claims_of(project=project)
    bound = request.POST.get("form") if request.method == "POST" else None
    claim_form = forms.ClaimForm(request.POST if bound == "claim" else None, prefix="claim")
    activity_form = forms.ClaimActivityForm(request.POST if bound == "activity" else None, prefix="activity",
                                            claims=project.claims.all())
    if bound in ("claim", "activity", "close"):
        if not request.user.can("socialorgs.claims"):
            raise forbidden(request, Forbidden(_("无权办理认领。")))
        form = claim_form if bound == "claim" else activity_form
        if bound == "close":
            try:
                services.claim_project_close(actor=request.user, project=project)
            except Forbidden as exc:
                raise forbidden(request, exc) from exc
            except DomainError as exc:
                messages.error(request, _explain(exc))
            return redirect("socialorgs:claim-detail", pk)
        if form.is_valid():
            with service_call(request, form) as call:
                if bound == "claim":
                    _claim(request, project, form)
                else:
                    services.claim_activity_add(actor=request.user, **form.cleaned_data)
            if call.ok:
                messages.success(request, _("已登记。"))
                return redirect("socialorgs:claim-detail", pk)
    elif bound is not None:
        raise Http404
    return render(request, "socialorgs/claim_detail.html", {
        "project": project, "claims": claims, "claim_form": claim_form, "activity_form": activity_form,
        "may_claims": request.user.can("socialorgs.claims"),
        "pending": selectors.claim_requests_pending(project=project),
        "decided": selectors.claim_requests_decided(project=project)[:50],
        "kinds": {k: str(v) for k, v in ContributionKind.choices}})


@require("socialorgs.claims")
@require_POST
def claim_request_act(request, pk, request_pk, action):
    """Confirm a claim submitted through the public form (it becomes a claim) or decline it with a reason."""
    project = selectors.claim_project_get(user=request.user, pk=pk)
    pending = selectors.claim_requests_pending(project=project).filter(pk=request_pk).first()
    if pending is None or action not in ("confirm", "decline"):
        raise Http404
    try:
        if action == "confirm":
            services.claim_request_confirm(actor=request.user, request=pending)
            messages.success(request, _("已确认 %(c)s 的认领。") % {"c": pending.claimant})
        else:
            services.claim_request_decline(actor=request.user, request=pending, reason=request.POST.get("reason", ""))
            messages.success(request, _("已不予采纳。"))
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, _explain(exc))
    return redirect("socialorgs:claim-detail", pk)


def claim_public(request, pk):
    """The public claim form of a published project (no login): a unit or company says what it gives; the claim
    is recorded as pending until the publishing unit's staff confirm it."""
    project = selectors.open_claim_project(pk=pk)
    form = forms.PublicClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.claim_request_submit(
                project=project, claimant=data["claimant"], credit_code=data["credit_code"],
                contact_name=data["contact_name"], contact_phone=data["contact_phone"], note=data["note"],
                thank_publicly=data["thank_publicly"], contributions=form.contributions())
        except DomainError as exc:
            if "contributions" in exc.errors:
                exc.errors["description"] = exc.errors.pop("contributions")
            form_add_domain_error(form, exc)
        else:
            return render(request, "socialorgs/claim_public.html", {"project": project, "done": claim})
    return render(request, "socialorgs/claim_public.html", {"project": project, "form": form})


def _claim(request, project, form):
    data = form.cleaned_data
    try:
        services.claim_record(actor=request.user, project=project, claimant=data["claimant"],
                              contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                              thank_publicly=data["thank_publicly"], contributions=form.contributions())
    except DomainError as exc:  # the contributions are asked as two rows: their refusal goes by the first
        if "contributions" in exc.errors:
            exc.errors["description"] = exc.errors.pop("contributions")
        raise


def thanks(request):
    """The public thank-you list (鸣谢名单): no login; only the names of the units that agreed to be named."""
    return render(request, "socialorgs/thanks.html", {"projects": selectors.thanks_list(),
                                                      "open": selectors.open_claim_projects()[:50]})
