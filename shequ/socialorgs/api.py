"""/api/v1/socialorgs/: the registry of social organisations, purchased-service projects (with the experts'
scoring) and the claim projects (with their claims). Outside the caller's scope a record is 404 (named in a body:
a 400 field error); a rule of the domain refuses with 400/409 and a Chinese message per field."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.api_permissions import HasCapability
from shequ.core.choices import NodeKind
from shequ.core.errors import DomainError
from shequ.core.inputs import BoundedSerializerDateField
from shequ.core.scoping import scoped_nodes
from shequ.core import api_fields

from . import selectors, services
from .choices import ContributionKind, OrgKind, Rating
from .models import Claim, ClaimProject, Organisation, Project
from .workflows import PROJECT


class OrganisationSerializer(api_fields.ModelSerializer):
    contact_phone = serializers.CharField(source="contact_phone_masked", read_only=True)
    rating_current = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "registration_number", "rating", "rating_valid_until", "rating_current",
                  "contact_name", "contact_phone", "committees", "description"]

    def get_rating_current(self, obj) -> str:
        return obj.rating_current()


class OrganisationCreateSerializer(api_fields.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    registration_number = serializers.CharField(required=False, allow_blank=True, default="")
    rating = serializers.ChoiceField(choices=Rating.choices, required=False, allow_blank=True, default="")
    rating_valid_until = BoundedSerializerDateField(required=False, allow_null=True, default=None)
    contact_name = serializers.CharField(required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="")
    committees = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                       max_length=50)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ProposalSerializer(api_fields.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    budget = serializers.DecimalField(max_digits=12, decimal_places=2)
    result = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


class ProjectSerializer(api_fields.ModelSerializer):
    awarded_organisation = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "title", "category", "status", "budget", "combination", "call_deadline",
                  "awarded_organisation", "appraisal_grade", "appraisal_score"]

    def get_awarded_organisation(self, obj) -> int | None:
        return obj.awarded.organisation_id if obj.awarded_id else None


class ProjectDetailSerializer(ProjectSerializer):
    proposals = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "need", "proposals", "actions"]

    def get_proposals(self, obj) -> list[dict]:
        # Results only once awarded: before, each expert sees only his own scores (on the page).
        rows = ProposalSerializer(selectors.proposals_of(project=obj), many=True).data
        return rows

    def get_actions(self, obj) -> list[str]:
        return [a.name for a in PROJECT.available(self.context["request"].user, obj)]


class ScoreSerializer(api_fields.Serializer):
    proposal = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScoreAnswerSerializer(api_fields.Serializer):
    proposal = serializers.IntegerField(source="proposal_id")
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    comment = serializers.CharField()


class ContributionSerializer(api_fields.Serializer):
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                      default=None)


class ClaimSerializer(api_fields.ModelSerializer):
    contributions = serializers.SerializerMethodField()
    contact_phone = serializers.CharField(source="contact_phone_masked", read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "claimant", "contact_name", "contact_phone", "claimed_on", "thank_publicly",
                  "contributions"]

    def get_contributions(self, obj) -> list[dict]:
        return [{"kind": c.kind, "description": c.description,
                 "amount": None if c.amount is None else str(c.amount)} for c in obj.contributions.all()]


class ClaimCreateSerializer(api_fields.Serializer):
    claimant = serializers.CharField(allow_blank=True, trim_whitespace=False)
    contact_name = serializers.CharField(required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="")
    thank_publicly = serializers.BooleanField(required=False, default=True)
    contributions = ContributionSerializer(many=True, allow_empty=False, max_length=10)


class ClaimProjectSerializer(api_fields.ModelSerializer):
    class Meta:
        model = ClaimProject
        fields = ["id", "title", "event", "description", "needs", "status", "published_on", "node"]


class ClaimProjectDetailSerializer(ClaimProjectSerializer):
    claims = serializers.SerializerMethodField()

    class Meta(ClaimProjectSerializer.Meta):
        fields = [*ClaimProjectSerializer.Meta.fields, "claims"]

    def get_claims(self, obj) -> list[dict]:
        return ClaimSerializer(obj.claims.prefetch_related("contributions"), many=True).data


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(responses={200: OrganisationSerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(responses={200: OrganisationSerializer, **error_responses(401, 403, 404)}),
    create=extend_schema(request=OrganisationCreateSerializer,
                         responses={201: OrganisationSerializer, **error_responses(400, 401, 403, 409, 415)}),
)
class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    """The social organisations of the caller's jurisdiction (a committee worker: those serving his
    committee). Phones are masked."""

    serializer_class = OrganisationSerializer
    permission_classes = [HasCapability]
    capability = "socialorgs.view"
    capabilities = {"create": "socialorgs.manage"}
    queryset = Organisation.objects.none()

    def get_queryset(self):
        return selectors.organisation_list(user=self.request.user).prefetch_related("committees")

    def get_object(self):
        return selectors.organisation_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        data = dict(_valid(OrganisationCreateSerializer, request))
        committees = list(scoped_nodes(request.user, NodeKind.COMMITTEE).filter(pk__in=data["committees"]))
        if len(committees) != len(set(data["committees"])):
            message = _("居委会不存在或不在您的辖区内。")
            raise DomainError(message, {"committees": [message]})
        data["committees"] = committees
        node = scoped_nodes(request.user, NodeKind.SUBDISTRICT).first()
        org = services.organisation_create(actor=request.user, node=node, **data)
        return Response(OrganisationSerializer(org).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: ProjectSerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(responses={200: ProjectDetailSerializer, **error_responses(401, 403, 404)}),
)
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Purchased-service projects: the 街道's, and those whose review panel the caller sits on."""

    serializer_class = ProjectSerializer
    permission_classes = [HasCapability]
    capability = "socialorgs.score"
    queryset = Project.objects.none()

    def get_queryset(self):
        return selectors.project_list(user=self.request.user)

    def get_object(self):
        return selectors.project_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectSerializer

    @extend_schema(request=ScoreSerializer,
                   responses={201: ScoreAnswerSerializer, **error_responses(400, 401, 403, 404, 409, 415)})
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """An expert of the project's panel scores one proposal (0–100), alone; sending again changes his
        score until the award."""
        project = self.get_object()
        data = _valid(ScoreSerializer, request)
        proposal = project.proposals.filter(pk=data["proposal"]).first()
        if proposal is None:
            message = _("本项目没有该申报方案。")
            raise DomainError(message, {"proposal": [message]})
        row = services.score_submit(actor=request.user, proposal=proposal, score=data["score"],
                                    comment=data["comment"])
        return Response(ScoreAnswerSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: ClaimProjectSerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(responses={200: ClaimProjectDetailSerializer, **error_responses(401, 403, 404)}),
)
class ClaimProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Community service projects published for units and companies to claim, with their claims."""

    serializer_class = ClaimProjectSerializer
    permission_classes = [HasCapability]
    capability = "socialorgs.view"
    capabilities = {"claims": ("socialorgs.view", "socialorgs.claims")}
    queryset = ClaimProject.objects.none()

    def get_queryset(self):
        return selectors.claim_project_list(user=self.request.user).order_by("-published_on", "id")

    def get_object(self):
        return selectors.claim_project_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return ClaimProjectDetailSerializer if self.action == "retrieve" else ClaimProjectSerializer

    @extend_schema(request=ClaimCreateSerializer,
                   responses={201: ClaimSerializer, **error_responses(400, 401, 403, 404, 409, 415)})
    @action(detail=True, methods=["post"])
    def claims(self, request, pk=None):
        """A unit or company claims the project, with what it gives."""
        project = self.get_object()
        data = _valid(ClaimCreateSerializer, request)
        claim = services.claim_record(actor=request.user, project=project, **data)
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)
