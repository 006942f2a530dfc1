from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.api_permissions import HasCapability
from shequ.core.choices import NodeKind
from shequ.core.inputs import BoundedSerializerDateField
from shequ.core.idempotency import personal_data
from shequ.core.models import Node
from shequ.core import api_fields

from . import selectors, services
from .choices import Gender, HukouType, Relation
from .filtersets import ResidentAPIFilterSet
from .models import Resident, Tag


class ResidentSerializer(api_fields.ModelSerializer):
    """A resident as the API shows it: the ID number and phone are always masked."""

    committee = serializers.CharField(source="committee.code", read_only=True)
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    household = serializers.CharField(source="household.number", read_only=True, default=None, allow_null=True)
    relation = serializers.ChoiceField(choices=Relation.choices, read_only=True, allow_blank=True)
    id_number = serializers.CharField(source="id_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    age = serializers.IntegerField(read_only=True)

    class Meta:
        model = Resident
        fields = ["id", "name", "gender", "birth_date", "age", "id_number", "phone", "committee", "committee_name",
                  "address", "household", "relation", "hukou_type", "tags", "note", "version", "updated_at"]
        read_only_fields = fields


class ResidentWriteSerializer(api_fields.Serializer):
    name = serializers.CharField(max_length=32)
    id_number = serializers.CharField(max_length=18, min_length=15)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    birth_date = BoundedSerializerDateField(required=False)
    committee = serializers.CharField(max_length=24, help_text="居委会统计代码")
    address = serializers.CharField(max_length=128)
    household = serializers.CharField(max_length=32, required=False, allow_blank=True, help_text="户号")
    relation = serializers.ChoiceField(choices=Relation.choices, required=False, allow_blank=True)
    hukou_type = serializers.ChoiceField(choices=HukouType.choices, required=False)
    tags = serializers.ListField(child=serializers.SlugField(max_length=32), required=False, max_length=20)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate_committee(self, code):
        node = Node.objects.filter(code=code, kind=NodeKind.COMMITTEE).first()
        if node is None:
            raise serializers.ValidationError(_("居委会代码 %(c)s 不存在。") % {"c": code})
        return node

    def validate_tags(self, codes):
        tags = list(Tag.objects.filter(code__in=codes))
        unknown = set(codes) - {t.code for t in tags}
        if unknown:
            raise serializers.ValidationError(_("未知标签：%(t)s") % {"t": "、".join(sorted(unknown))})
        return tags


class RevealSerializer(api_fields.Serializer):
    reason = serializers.CharField(max_length=100, min_length=2)


@extend_schema_view(
    list=extend_schema(responses={200: ResidentSerializer(many=True), **error_responses(400, 401, 403, 404)}),
    retrieve=extend_schema(responses={200: ResidentSerializer, **error_responses(401, 403, 404)}),
    create=extend_schema(request=ResidentWriteSerializer, responses={201: ResidentSerializer,
                                                                     **error_responses(400, 401, 403, 409, 415)}),
    update=extend_schema(request=ResidentWriteSerializer, responses={
        200: ResidentSerializer, **error_responses(400, 401, 403, 404, 409, 412, 415)}),
    partial_update=extend_schema(request=ResidentWriteSerializer(partial=True),
                                 responses={200: ResidentSerializer,
                                            **error_responses(400, 401, 403, 404, 409, 412, 415)}),
)
class ResidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Residents within the caller's jurisdiction. Objects outside it are 404. Updates honour `If-Match`
    with the resident's `version`."""

    serializer_class = ResidentSerializer
    queryset = Resident.objects.none()
    permission_classes = [HasCapability]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ResidentAPIFilterSet
    capability = "people.view"
    capabilities = {"create": "people.edit", "update": ("people.view", "people.edit"),
                    "partial_update": ("people.view", "people.edit"), "reveal": ("people.view", "people.reveal")}

    def get_queryset(self):
        return (selectors.resident_list(user=self.request.user)
                .select_related("committee", "household").prefetch_related("tags").order_by("-id"))

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)  # the filters are valid here (else 400)
        services.audit_search(actor=request.user, search=request.query_params.get("search", "").strip())
        return response

    def get_object(self):
        return selectors.resident_get(user=self.request.user, pk=self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        resident = self.get_object()
        services.resident_record_view(actor=request.user, resident=resident)
        return self._respond(resident)

    def _respond(self, resident, status=200, *, created_with_tags=None):
        if created_with_tags is None:
            resident = selectors.resident_get(user=self.request.user, pk=resident.pk)
        else:
            # A resident just created is answered as created (committee, household and tags are known):
            # reading it back through the scoped selector would cost three more queries for the same data.
            known = Tag.objects.filter(pk__in=[t.pk for t in created_with_tags]).order_by("pk")
            known._result_cache, known._prefetch_done = sorted(created_with_tags, key=lambda t: t.pk), True
            resident._prefetched_objects_cache = {"tags": known}
        response = Response(ResidentSerializer(resident).data, status=status)
        response["ETag"] = f'"{resident.version}"'
        return response

    def create(self, request, *args, **kwargs):
        payload = ResidentWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        tags = list(d.get("tags", []))
        resident = services.resident_create(
            actor=request.user, data=_service_data(d), committee=d["committee"],
            household_number=d.get("household", ""), tags=tags)
        return self._respond(resident, status=201, created_with_tags=tags)

    def update(self, request, *args, **kwargs):
        resident = self.get_object()
        partial = kwargs.get("partial", False)
        payload = ResidentWriteSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        resident = services.resident_update(
            actor=request.user, resident=resident, data=_service_data(d), committee=d.get("committee"),
            household_number=d.get("household"), tags=d.get("tags"),
            expected_version=_if_match(request))
        return self._respond(resident)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=RevealSerializer, responses={
        200: inline_serializer("Revealed", {"id_number": serializers.CharField(), "phone": serializers.CharField()}),
        **error_responses(400, 401, 403, 404, 415)})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The clear ID number and phone, with a reason; the access is audited."""
        resident = self.get_object()
        payload = RevealSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return personal_data(Response(services.resident_reveal(actor=request.user, resident=resident,
                                                               reason=payload.validated_data["reason"])))


def _service_data(d: dict) -> dict:
    return {k: d[k] for k in ("name", "id_number", "phone", "gender", "birth_date", "address", "relation",
                              "hukou_type", "note") if k in d}


def _if_match(request) -> int | None:
    header = request.headers.get("If-Match", "").strip().strip('W/').strip('"')
    if not header:
        return None
    if not header.isdigit():
        from shequ.core.errors import DomainError

        raise DomainError(_("If-Match 必须是居民的版本号。"), {"If-Match": [_("格式无效。")]})
    return int(header)
