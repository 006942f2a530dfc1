"""REST API of the family-doctor contracts under /api/v1/health/: the contract list and the renewal-due list
(keyset pagination, the page's FilterSet), one contract, and its actions (续约, 改签, 解约) from the declared
workflow. Health data (the chronic conditions) is never in these answers."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.api_pagination import KeysetPagination
from shequ.core.api_permissions import HasCapability
from shequ.core import api_fields
from shequ.people import services as people_services

from . import selectors
from .choices import ContractStatus, TerminateReason
from .filtersets import STATUS_CHOICES, ContractFilterSet
from .models import Contract, Doctor, Institution
from .workflows import CONTRACT


class ContractSerializer(api_fields.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    id_masked = serializers.CharField(source="resident.id_masked", read_only=True)
    committee = serializers.CharField(source="committee.name", read_only=True)
    doctor = serializers.CharField(source="doctor.name", read_only=True)
    team = serializers.CharField(source="doctor.team", read_only=True)
    health_centre = serializers.CharField(source="doctor.institution.name", read_only=True)
    district_hospital = serializers.CharField(source="district_hospital.name", read_only=True, default=None)
    city_hospital = serializers.CharField(source="city_hospital.name", read_only=True, default=None)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    days_left = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = ["id", "number", "resident_name", "id_masked", "committee", "doctor", "team", "health_centre",
                  "district_hospital", "city_hospital", "start_date", "end_date", "status", "status_label",
                  "days_left", "version"]

    def get_days_left(self, obj) -> int | None:
        if obj.status != ContractStatus.ACTIVE:
            return None
        return (obj.end_date - timezone.localdate()).days


class ContractActionSerializer(api_fields.Serializer):
    action = serializers.ChoiceField(choices=[(a.name, str(a.label)) for a in CONTRACT.actions])
    years = serializers.IntegerField(required=False, min_value=1, max_value=5, default=1)
    doctor = serializers.PrimaryKeyRelatedField(queryset=Doctor.objects.filter(is_active=True), required=False)
    district_hospital = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.filter(is_active=True),
                                                           required=False, allow_null=True)
    city_hospital = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.filter(is_active=True),
                                                       required=False, allow_null=True)
    reason = serializers.ChoiceField(choices=TerminateReason.choices, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1)


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="姓名开头、完整身份证号或协议编号"),
    OpenApiParameter("status", str, enum=[v for v, _l in STATUS_CHOICES]),
    OpenApiParameter("committee", int, description="居委会节点 id"),
    OpenApiParameter("doctor", int, description="家庭医生 id"),
    OpenApiParameter("due", bool, description="只列60天内到期（含已到期）的在约签约"),
]


class DuePagination(KeysetPagination):
    ordering = ("end_date", "id")


@extend_schema_view(
    list=extend_schema(parameters=FILTER_PARAMETERS,
                       responses={200: ContractSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: ContractSerializer, **error_responses(401, 403, 404)}))
class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Family-doctor contracts within the caller's jurisdiction (newest first); `due/` lists those ending within
    60 days, soonest first."""

    serializer_class = ContractSerializer
    permission_classes = [HasCapability]
    capability = "health.view"
    capabilities = {"act": ("health.view", "health.manage")}
    queryset = Contract.objects.none()

    def _filtered(self, *, due: bool):
        filters = ContractFilterSet(self.request.query_params or None, user=self.request.user, due=due)
        filters.check()
        people_services.audit_search(actor=self.request.user, search=filters.selector_kwargs()["search"])
        return filters.qs

    def get_queryset(self):
        return self._filtered(due=False).order_by("-id")

    def get_object(self):
        return selectors.contract_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=FILTER_PARAMETERS,
                   responses={200: ContractSerializer(many=True), **error_responses(400, 401, 403)})
    @action(detail=False, methods=["get"], pagination_class=DuePagination)
    def due(self, request):
        page = self.paginate_queryset(self._filtered(due=True).order_by("end_date", "id"))
        return self.get_paginated_response(ContractSerializer(page, many=True).data)

    @extend_schema(request=ContractActionSerializer,
                   responses={200: ContractSerializer, **error_responses(400, 401, 403, 404, 409, 412, 415)})
    @action(detail=True, methods=["post"], url_path="act")
    def act(self, request, pk=None):
        """续约 (`renew`, `years`), 改签 (`switch`, `doctor`, hospitals, `years`) or 解约 (`terminate`, `reason`,
        `note`); `version` guards against a concurrent change."""
        contract = self.get_object()
        body = ContractActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        name = data.pop("action")
        result = CONTRACT.perform(request.user, contract, name, **data)
        return Response(ContractSerializer(Contract.objects.select_related(*selectors.LIST_FIELDS)
                                           .get(pk=result.pk)).data)

    @extend_schema(responses={200: serializers.ListSerializer(child=serializers.CharField()),
                              **error_responses(401, 403, 404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def actions(self, request, pk=None):
        return Response([a.name for a in CONTRACT.available(request.user, self.get_object())])

