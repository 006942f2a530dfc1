"""Reads of the social-organisation module, scoped. 街道 staff (the leader, the 民政 officers) see their 街道's
registry, projects and claim projects; a committee worker sees the organisations serving his committee and his
committee's claim projects; an expert also sees the projects whose panel he sits on. Anything else is 404."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from shequ.core.scoping import filter_by_scope, scope_node_ids

from .choices import ProjectStatus
from .models import Claim, ClaimProject, ClaimRequest, Incubation, Organisation, Project, Proposal, Score


def _staff(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.can("socialorgs.view")


def organisation_list(*, user) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("node")
    if not _staff(user):
        return qs.none()
    mine = filter_by_scope(Organisation.objects.all(), user, "node").values("pk")
    serving = Organisation.objects.filter(committees__in=scope_node_ids(user)).values("pk")
    return qs.filter(Q(pk__in=mine) | Q(pk__in=serving))


def organisation_get(*, user, pk) -> Organisation:
    try:
        return organisation_list(user=user).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def incubation_list(*, user) -> QuerySet[Incubation]:
    return Incubation.objects.select_related("organisation").filter(organisation__in=organisation_list(user=user))


def incubation_get(*, user, pk) -> Incubation:
    try:
        return incubation_list(user=user).get(pk=pk)
    except (Incubation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def project_list(*, user) -> QuerySet[Project]:
    qs = Project.objects.select_related("node", "awarded__organisation")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    panel = Project.objects.filter(experts=user).values("pk")
    if user.can("socialorgs.view"):
        scoped = filter_by_scope(Project.objects.all(), user, "node").values("pk")
        return qs.filter(Q(pk__in=scoped) | Q(pk__in=panel))
    if user.can("socialorgs.score"):
        return qs.filter(pk__in=panel)
    return qs.none()


def project_get(*, user, pk) -> Project:
    try:
        return project_list(user=user).get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_expert(*, user, project: Project) -> bool:
    return project.experts.filter(pk=user.pk).exists()


def missing_scores(*, project: Project) -> int:
    """How many (expert, proposal) scores the panel still owes."""
    expected = project.experts.count() * project.proposals.count()
    given = Score.objects.filter(proposal__project=project, expert__in=project.experts.all()).count()
    return max(0, expected - given)


def my_scores(*, user, project: Project) -> dict[int, Score]:
    """The expert's own scores by proposal id: each expert scores alone and sees only his own."""
    return {s.proposal_id: s for s in Score.objects.filter(proposal__project=project, expert=user)}


def proposals_of(*, project: Project) -> QuerySet[Proposal]:
    return project.proposals.select_related("organisation").order_by("-result", "submitted_at", "id")


def past_appraisals(*, organisation: Organisation, before: Project | None = None) -> QuerySet[Project]:
    """The organisation's appraised projects: what the next call's panel reads about it."""
    qs = Project.objects.filter(status=ProjectStatus.APPRAISED, awarded__organisation=organisation)
    if before is not None:
        qs = qs.exclude(pk=before.pk)
    return qs.order_by("-appraised_on", "-id")


def claim_project_list(*, user) -> QuerySet[ClaimProject]:
    if not _staff(user):
        return ClaimProject.objects.none()
    return filter_by_scope(ClaimProject.objects.select_related("node"), user, "node").annotate(
        claim_count=Count("claims"))


def claim_project_get(*, user, pk) -> ClaimProject:
    try:
        return claim_project_list(user=user).get(pk=pk)
    except (ClaimProject.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def claims_of(*, project: ClaimProject) -> QuerySet[Claim]:
    return project.claims.prefetch_related("contributions", "activities").annotate(
        participants=Sum("activities__participants"))


def thanks_list() -> list[dict]:
    """The public thank-you list (鸣谢): per project, the units that claimed it and agreed to be named, with what
    they gave (kinds only, never amounts or contacts)."""
    claims = (Claim.objects.filter(thank_publicly=True).select_related("project")
              .prefetch_related("contributions").order_by("project__published_on", "project_id", "claimed_on", "id"))
    projects: dict[int, dict] = {}
    for claim in claims:
        entry = projects.setdefault(claim.project_id, {"project": claim.project, "claims": []})
        kinds = []
        for c in claim.contributions.all():
            label = c.get_kind_display()
            if label not in kinds:
                kinds.append(label)
        entry["claims"].append({"claimant": claim.claimant, "kinds": kinds})
    return list(projects.values())


def open_claim_project(*, pk) -> ClaimProject:
    """A project open for claiming, as the public claim form shows it (404 otherwise)."""
    try:
        return open_claim_projects().select_related("node").get(pk=int(pk))
    except (ClaimProject.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def claim_requests_pending(*, project: ClaimProject) -> QuerySet[ClaimRequest]:
    return project.requests.filter(status="pending").order_by("submitted_at", "id")


def claim_requests_decided(*, project: ClaimProject) -> QuerySet[ClaimRequest]:
    return project.requests.exclude(status="pending").select_related("decided_by").order_by("-decided_at", "id")


def open_claim_projects() -> QuerySet[ClaimProject]:
    return ClaimProject.objects.filter(status="open").order_by("-published_on", "id")
