"""The 全市通办 transfer API (`/api/v1/acceptance/transfers/`, `/api/v1/acceptance/transfer-batches/`): the same
selectors, filters, declared steps and services as the 通办转递 pages."""

from __future__ import annotations

from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.api_permissions import HasCapability
from shequ.core import api_fields

from .. import selectors, services
from ..choices import TransferOutcome
from ..filtersets import TransferFilterSet
from ..models import Transfer, TransferBatch
from ..workflows import TRANSFER

CAP = "acceptance.transfer"


class CaseTransferSerializer(api_fields.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    item = serializers.CharField(source="case.item.code", read_only=True)
    item_name = serializers.CharField(source="case.item.name", read_only=True)
    applicant_name = serializers.CharField(source="case.applicant_name", read_only=True)
    applicant_id_masked = serializers.CharField(source="case.applicant_id_masked", read_only=True)
    accepted_at = serializers.DateTimeField(source="case.accepted_at", read_only=True, allow_null=True)
    due_date = serializers.DateField(source="case.due_date", read_only=True, allow_null=True)
    centre = serializers.CharField(source="node.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    batch_number = serializers.CharField(source="batch.number", read_only=True, default=None, allow_null=True)
    outcome = serializers.ChoiceField(choices=TransferOutcome.choices, read_only=True, allow_blank=True,
                                      help_text="approved / refused; empty until reviewed")

    class Meta:
        model = Transfer
        fields = ["id", "case_number", "item", "item_name", "applicant_name", "applicant_id_masked", "accepted_at",
                  "due_date", "centre", "home_node", "home_name", "home_basis", "status", "status_label", "scans",
                  "batch", "batch_number", "created_at", "sent_at", "received_at", "reviewed_at", "outcome",
                  "review_note", "returned_at", "result_note"]
        read_only_fields = fields


class TransferDetailSerializer(CaseTransferSerializer):
    actions = serializers.SerializerMethodField()

    class Meta(CaseTransferSerializer.Meta):
        fields = CaseTransferSerializer.Meta.fields + ["actions"]
        read_only_fields = fields

    def get_actions(self, obj) -> list[str]:
        return [a.name for a in TRANSFER.available(self.context["request"].user, obj)]


class TransferStepSerializer(api_fields.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    outcome = serializers.ChoiceField(choices=TransferOutcome.choices, required=False)
    result_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    courier_name = serializers.CharField(required=False, allow_blank=True, max_length=32)
    courier_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)


class BatchSerializer(api_fields.ModelSerializer):
    transfers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    centre = serializers.CharField(source="node.name", read_only=True)

    class Meta:
        model = TransferBatch
        fields = ["id", "number", "centre", "home_node", "home_name", "courier_name", "courier_phone_masked", "note",
                  "created_at", "transfers"]
        read_only_fields = fields


class BatchCreateSerializer(api_fields.Serializer):
    transfers = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200)
    courier_name = serializers.CharField(max_length=32)
    courier_phone = serializers.CharField(max_length=20)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


STEP_RESPONSES = {200: TransferDetailSerializer, **error_responses(400, 401, 403, 404, 409, 415)}


@extend_schema_view(
    list=extend_schema(responses={200: CaseTransferSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: TransferDetailSerializer, **error_responses(401, 403, 404)}))
class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """全市通办 transfers (通办转递) seen from the sending and from the home centre. `POST {id}/{step}/` takes a
    declared step (receive, review, return-result, cancel, send); a step out of order is a 409."""

    serializer_class = CaseTransferSerializer
    permission_classes = [HasCapability]
    capability = CAP
    filter_backends = [DjangoFilterBackend]
    filterset_class = TransferFilterSet
    queryset = Transfer.objects.none()

    def get_queryset(self):
        return selectors.transfer_list(user=self.request.user)

    def get_object(self):
        return selectors.transfer_get(user=self.request.user, pk=self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        return Response(TransferDetailSerializer(self.get_object(), context={"request": request}).data)

    @extend_schema(responses={200: serializers.ListSerializer(child=serializers.CharField()),
                              **error_responses(401, 403, 404)})
    @action(detail=True, methods=["get"], url_path="actions", url_name="actions", pagination_class=None)
    def available_actions(self, request, pk=None):
        """The steps the caller may take on this transfer now."""
        return Response([a.name for a in TRANSFER.available(request.user, self.get_object())])

    @extend_schema(request=TransferStepSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path=r"(?P<step>send|receive|review|return-result|cancel)")
    def step(self, request, pk=None, step=None):
        transfer = self.get_object()
        payload = TransferStepSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        TRANSFER.perform(request.user, transfer, step.replace("-", "_"), **payload.validated_data)
        fresh = selectors.transfer_get(user=request.user, pk=transfer.pk)
        return Response(TransferDetailSerializer(fresh, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(responses={200: BatchSerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(responses={200: BatchSerializer, **error_responses(401, 403, 404)}))
class TransferBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Paper batches: `POST` sends the listed transfers to one home centre with a courier; `{id}/pdf/` is the
    hand-over sheet."""

    serializer_class = BatchSerializer
    permission_classes = [HasCapability]
    capability = CAP
    queryset = TransferBatch.objects.none()

    def get_queryset(self):
        return selectors.batch_list(user=self.request.user).prefetch_related("transfers")

    def get_object(self):
        return selectors.batch_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=BatchCreateSerializer,
                   responses={201: BatchSerializer, **error_responses(400, 401, 403, 404, 409, 415)})
    def create(self, request, *args, **kwargs):
        payload = BatchCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        batch = services.batch_create(actor=request.user, transfers=d["transfers"], courier_name=d["courier_name"],
                                      courier_phone=d["courier_phone"], note=d.get("note", ""))
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): bytes, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def pdf(self, request, pk=None):
        batch = self.get_object()
        response = HttpResponse(services.batch_print(actor=request.user, batch=batch), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{batch.number}.pdf"'
        return response
