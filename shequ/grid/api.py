"""REST API of the 大联动 module under /api/v1/grid/. Transitions are POST actions on a case
(`/cases/{id}/dispatch/` …); an action out of order is 409, another unit's case 403, bad input 400."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view,
                                   inline_serializer)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.api_fields import ChoiceLabelField
from shequ.core.choices import NodeKind
from shequ.core.errors import DomainError
from shequ.core.inputs import parse_date, period_errors
from shequ.core.scoping import scope_node_ids, scoped_nodes
from shequ.core import api_fields

from . import selectors, services, spatial, stats
from .choices import ContactMethod, Decision, Resolution, Satisfaction, Source, Urgency
from .filtersets import CaseFilterSet
from .forms import HotlineFiguresForm
from .models import Case, HotlineOrder, HotlineRequest, HotlineTask
from .workflows import CASE, HOTLINE, HOTLINE_TASK


def _require(request, capability):
    if not request.user.can(capability):
        raise PermissionDenied(_("您没有执行该操作的权限。"))


class CaseSerializer(api_fields.ModelSerializer):
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    grid = serializers.CharField(source="grid.code", read_only=True, default=None, allow_null=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True, default=None, allow_null=True)
    committee = serializers.CharField(source="committee.code", read_only=True, default=None, allow_null=True)
    unit = serializers.CharField(source="unit.code", read_only=True, default=None, allow_null=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None, allow_null=True)
    status_label = ChoiceLabelField(Case._meta.get_field("status").choices, source="status", read_only=True)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, allow_blank=True, read_only=True)
    light = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "number", "kind", "category", "category_name", "source", "urgency", "status", "status_label",
                  "grid", "grid_name", "committee", "lat", "lng", "address", "description", "external_no", "unit",
                  "unit_name", "reported_at", "filed_at", "dispatched_at", "deadline", "fed_back_at", "closed_at",
                  "closed_on_time", "rework_count", "extension_count", "return_count", "satisfaction", "light",
                  "photos", "version", "updated_at"]
        read_only_fields = fields

    def get_light(self, obj) -> str:
        return obj.light()

    def get_photos(self, obj) -> list[str]:
        return [f"/grid/photos/{p.pk}/" for p in obj.photos.all()]


class CaseCreateSerializer(api_fields.Serializer):
    category = serializers.CharField(max_length=8, required=False, allow_blank=True, help_text="小类代码，如 E0102")
    police_item = serializers.CharField(max_length=12, required=False, allow_blank=True,
                                        help_text="110移交：110非警务事项代码（按清单归入小类，可代替 category）")
    description = serializers.CharField(max_length=4000)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    external_no = serializers.CharField(max_length=40, required=False, allow_blank=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=6)
    keep_location = serializers.BooleanField(required=False, default=False)


class ActionSerializer(api_fields.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text="乐观锁：案件当前版本")
    unit = serializers.CharField(max_length=32, required=False, help_text="派遣/改派：单位代码")
    hours = serializers.FloatField(required=False, help_text="延期申请：延长的工作时")
    review_on = serializers.DateField(required=False, help_text="批准挂账：复核日期")
    target = serializers.CharField(max_length=32, required=False, help_text="合并：主案件编号")
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False)
    category = serializers.CharField(max_length=8, required=False, help_text="立案时改类")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=6)


AVAILABLE_ACTIONS = inline_serializer("AvailableAction", {
    "name": serializers.CharField(), "label": serializers.CharField(), "path": serializers.CharField(),
    "fields": serializers.ListField(child=serializers.CharField())}, many=True)


def _available(workflow, user, obj, base: str) -> list[dict]:
    return [{"name": a.name, "label": str(a.label), "path": f"{base}{a.name.replace('_', '-')}/",
             "fields": [a.rename.get(i, i) for i in a.inputs if i not in ("expected_version", "keep_location")]
             + (["version"] if "expected_version" in a.inputs else [])}
            for a in workflow.available(user, obj)]


CASE_FILTER_PARAMETERS = [
    OpenApiParameter("search", str, description="案件编号、工单号（前缀）或地址、描述中的文字"),
    OpenApiParameter("q", str, description="同 search"),
    OpenApiParameter("status", str, description="状态代码，或 open（未办结）、closed（已办结）"),
    OpenApiParameter("light", str, enum=["red", "yellow", "green"]),
    OpenApiParameter("source", str, enum=list(Source.values)),
    OpenApiParameter("kind", str, enum=["component", "event"]),
    OpenApiParameter("urgency", str, enum=list(Urgency.values)),
    OpenApiParameter("committee", int, description="居委会节点 id"),
    OpenApiParameter("unit", int, description="责任单位 id"),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="上报日期起（含）"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="上报日期止（含）；跨度不超过两年"),
]


@extend_schema_view(list=extend_schema(parameters=CASE_FILTER_PARAMETERS, responses={
                        200: CaseSerializer(many=True), **error_responses(400, 401, 403, 404)}),
                    retrieve=extend_schema(responses={200: CaseSerializer, **error_responses(401, 403, 404)}))
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Grid cases within the caller's jurisdiction (a department handler: the cases of their department)."""

    serializer_class = CaseSerializer
    queryset = Case.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        _require(self.request, "grid.view")
        filters = CaseFilterSet(self.request.query_params or None, user=self.request.user)
        if self.action == "list":
            filters.check()
        return filters.qs.prefetch_related("photos").order_by("-id")

    def get_object(self):
        _require(self.request, "grid.view")
        return selectors.case_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer,
                                                            **error_responses(400, 401, 403, 415)})
    def create(self, request, *args, **kwargs):
        """上报 a case; with `lat`/`lng` (WGS84) the answer carries the grid found by point-in-polygon."""
        _require(request, "grid.report")
        payload = CaseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        if not d.get("category") and not d.get("police_item"):
            raise DomainError(_("请填写问题类别。"), {"category": [_("请填写小类代码，或110移交的110非警务事项代码。")]})
        case = services.case_report(actor=request.user, category=d.get("category"),
                                    police_item=d.get("police_item"),
                                    source=d.get("source") or services.report_sources(request.user)[0],
                                    description=d["description"], lat=d.get("lat"), lng=d.get("lng"),
                                    address=d.get("address", ""), urgency=d.get("urgency"),
                                    photos=d.get("photos", []), keep_location=d.get("keep_location", False),
                                    external_no=d.get("external_no", ""))
        # The case as the service saved it (the reporter is in its scope: the service refused otherwise).
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    def _act(self, request, name, pk=None):
        case = self.get_object()
        payload = ActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        try:
            CASE.perform(request.user, case, name, note=d.get("note", ""), expected_version=d.get("version"),
                         unit=d.get("unit"), hours=d.get("hours"), target=d.get("target"),
                         review_on=d.get("review_on"), satisfaction=d.get("satisfaction", ""),
                         category=d.get("category"),
                         urgency=d.get("urgency", ""), photos=d.get("photos", []))
        except services.CaseNotFound:
            raise Http404
        return Response(CaseSerializer(Case.objects.select_related("category", "grid", "committee", "unit")
                                       .prefetch_related("photos").get(pk=case.pk)).data)

    @extend_schema(responses={200: AVAILABLE_ACTIONS, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["get"], url_path="actions", url_name="actions", pagination_class=None)
    def available_actions(self, request, pk=None):
        """The actions the caller may take on this case now (the same rules the actions themselves check)."""
        return Response(_available(CASE, request.user, self.get_object(), f"/api/v1/grid/cases/{pk}/"))

    @extend_schema(responses={200: inline_serializer("Duplicate", {
        "id": serializers.IntegerField(), "number": serializers.CharField(), "status": serializers.CharField(),
        "distance_m": serializers.IntegerField()}, many=True), **error_responses(401, 403, 404)})
    @action(detail=True, methods=["get"], pagination_class=None)  # a short plain list, never paged
    def duplicates(self, request, pk=None):
        """Possible duplicates: same category, within the category's radius, reported in the last 72 hours."""
        case = self.get_object()
        found = services.suggest_duplicates(category=case.category, lat=case.lat, lng=case.lng,
                                            when=case.reported_at, exclude_id=case.pk)
        return Response([{"id": c.pk, "number": c.number, "status": c.status, "distance_m": d} for c, d in found])


def _make_action(name):
    def handler(self, request, pk=None):
        return self._act(request, name, pk)

    handler.__name__ = f"act_{name}"
    handler.__doc__ = f"{CASE.action(name).label}（{name}）"
    handler = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name)(handler)
    # After @action, which replaces the function's `kwargs` (where extend_schema keeps its override).
    return extend_schema(request=ActionSerializer, responses={
        200: CaseSerializer, **error_responses(400, 401, 403, 404, 409, 412, 415)})(handler)


for _declared in CASE.actions:
    setattr(CaseViewSet, f"act_{_declared.name}", _make_action(_declared.name))


class HotlineRequestSerializer(api_fields.ModelSerializer):
    reason_label = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = HotlineRequest
        fields = ["id", "kind", "reason", "reason_label", "note", "days", "status", "status_label",
                  "requested_by_name", "requested_at", "decided_by_name", "decided_at", "decision_note", "imported"]
        read_only_fields = fields


class HotlineTaskSerializer(api_fields.ModelSerializer):
    order = serializers.CharField(source="order.order_no", read_only=True)
    order_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(source="order.title", read_only=True)
    assignee = serializers.CharField(source="assignee_name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = HotlineTask
        fields = ["id", "order", "order_id", "title", "assignee", "instruction", "due", "status", "status_label",
                  "assigned_at", "result", "done_by_name", "done_at"]
        read_only_fields = fields


class HotlineSerializer(api_fields.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    case = serializers.CharField(source="case.number", read_only=True, default=None, allow_null=True)
    category = serializers.CharField(source="category.code", read_only=True, default=None, allow_null=True)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, allow_blank=True, read_only=True)
    contact_method = serializers.ChoiceField(choices=ContactMethod.choices, allow_blank=True, read_only=True)
    resolution = serializers.ChoiceField(choices=Resolution.choices, allow_blank=True, read_only=True)
    requests = HotlineRequestSerializer(many=True, read_only=True)
    tasks = HotlineTaskSerializer(many=True, read_only=True)

    class Meta:
        model = HotlineOrder
        fields = ["id", "order_no", "hotline_type", "title", "content", "category", "caller_name",
                  "caller_phone_masked", "address", "lat", "lng", "urgency", "status", "status_label", "received_at",
                  "sign_due", "reply_due", "signed_at", "case", "return_reason", "extension_days", "reply_text",
                  "replied_at", "visited_at", "satisfaction", "visit_note", "reopen_count", "closed_at",
                  "platform_due", "contact_at", "contact_by", "contact_method", "resolution", "requests", "tasks"]
        read_only_fields = fields


class HotlineCreateSerializer(api_fields.Serializer):
    order_no = serializers.CharField(max_length=40)
    hotline_type = serializers.CharField(max_length=16, required=False)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    content = serializers.CharField(max_length=4000)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    caller_name = serializers.CharField(max_length=32, required=False, allow_blank=True)
    caller_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    urgency = serializers.CharField(max_length=16, required=False)
    received_at = serializers.DateTimeField(required=False)
    platform_due = serializers.DateTimeField(required=False, allow_null=True, help_text="平台办结时限")
    lat = serializers.FloatField(required=False, allow_null=True)
    lng = serializers.FloatField(required=False, allow_null=True)
    category = serializers.CharField(max_length=8, required=False, allow_blank=True)


class HotlineActionSerializer(api_fields.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=24, required=False, allow_blank=True,
                                   help_text="退单理由（territory 属地不符、ownership 权属不清、overlap 职能交叉、not_duty、"
                                             "incomplete）或延期理由（coordination、works、season、procedure、party）")
    decision = serializers.ChoiceField(choices=Decision.choices, required=False,
                                       help_text="平台审核结果（record-decision）")
    assignee = serializers.CharField(max_length=40, required=False, help_text="内部交办：dept:<科室代码> 或 committee:<居委会代码>")
    due = serializers.DateField(required=False, help_text="内部交办的承办时限（不晚于工单答复时限）")
    days = serializers.IntegerField(required=False)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False)
    category = serializers.CharField(max_length=8, required=False)
    target = serializers.CharField(max_length=40, required=False)
    contact_method = serializers.ChoiceField(choices=ContactMethod.choices, required=False,
                                             help_text="先行联系方式")
    contact_at = serializers.DateTimeField(required=False, help_text="先行联系时间（默认现在）")
    contact_by = serializers.CharField(max_length=32, required=False, allow_blank=True, help_text="先行联系人")
    resolution = serializers.ChoiceField(choices=Resolution.choices, required=False, help_text="解决情况（答复时必填）")


HOTLINE_BATCH = inline_serializer("HotlineBatchResult", {
    "created": serializers.IntegerField(), "skipped": serializers.IntegerField(),
    "errors": serializers.ListField(child=serializers.DictField())})


@extend_schema_view(list=extend_schema(responses={200: HotlineSerializer(many=True), **error_responses(401, 403, 404)}),
                    retrieve=extend_schema(responses={200: HotlineSerializer, **error_responses(401, 403, 404)}))
class HotlineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """12345 work orders: intake with the hotline order number, then 签收/退单/延期/答复/回访/重办/并单."""

    serializer_class = HotlineSerializer
    queryset = HotlineOrder.objects.none()

    def get_queryset(self):
        _require(self.request, "grid.hotline_view")
        return selectors.hotline_list(user=self.request.user,
                                      status=self.request.query_params.get("status", "")[:16]).order_by(
            "-id").prefetch_related("requests", "tasks__department", "tasks__committee")

    def get_object(self):
        _require(self.request, "grid.hotline_view")
        return selectors.hotline_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=HotlineCreateSerializer(many=True), responses={
        201: PolymorphicProxySerializer("HotlineCreated", [HotlineSerializer, HOTLINE_BATCH], None),
        200: HOTLINE_BATCH, **error_responses(400, 401, 403, 409, 415)})
    def create(self, request, *args, **kwargs):
        """One order (an object) or a batch (an array: answers a summary with per-row errors)."""
        _require(request, "grid.hotline")
        subdistrict = scoped_nodes(request.user, NodeKind.SUBDISTRICT).first()
        if subdistrict is None:
            raise DomainError(_("您的管辖范围不含街道，不能接收工单。"), {})
        if isinstance(request.data, list):
            rows = HotlineCreateSerializer(data=request.data, many=True)
            rows.is_valid(raise_exception=True)
            result = services.hotline_import(actor=request.user, rows=rows.validated_data, subdistrict=subdistrict)
            return Response(result, status=status.HTTP_201_CREATED if result["created"] else status.HTTP_200_OK)
        payload = HotlineCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        order = services.hotline_receive(actor=request.user, data=payload.validated_data, subdistrict=subdistrict)
        return Response(HotlineSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: AVAILABLE_ACTIONS, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["get"], url_path="actions", url_name="actions", pagination_class=None)
    def available_actions(self, request, pk=None):
        """The actions the caller may take on this order now."""
        return Response(_available(HOTLINE, request.user, self.get_object(), f"/api/v1/grid/hotline/{pk}/"))

    @extend_schema(operation_id="grid_hotline_act", request=HotlineActionSerializer,
                   parameters=[OpenApiParameter("act", str, OpenApiParameter.PATH,
                                                enum=[n.replace("_", "-") for n in HOTLINE.names])],
                   responses={200: HotlineSerializer, **error_responses(400, 401, 403, 404, 409, 415)})
    @action(detail=True, methods=["post"], url_path=r"(?P<act>%s)" % "|".join(
        n.replace("_", "-") for n in HOTLINE.names))
    def act(self, request, pk=None, act=None):
        """签收 sign · 申请退单 return (reason, note) · 申请延期 extend (days, reason, note) · 先行联系 contact
        (contact_method, contact_at, contact_by, note) · 内部交办 assign (assignee, due, note) · 答复 reply
        (resolution, note; after contact) · 回访 visit (satisfaction) · 重办 reopen (note) · 并单 merge (target) ·
        区12345热线办: approve-return / reject-return / approve-extend / reject-extend (note) · 登记平台审核结果
        record-decision (decision, note)."""
        name = act.replace("-", "_")
        if not HOTLINE.action(name).allows(request.user):
            raise PermissionDenied(_("您没有执行该操作的权限。"))
        order = self.get_object()
        payload = HotlineActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        order = HOTLINE.perform(request.user, order, name, **payload.validated_data)
        return Response(HotlineSerializer(order).data)


@extend_schema_view(list=extend_schema(responses={200: HotlineTaskSerializer(many=True), **error_responses(401, 403)}),
                    retrieve=extend_schema(responses={200: HotlineTaskSerializer, **error_responses(401, 403, 404)}))
class HotlineTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """内部交办: the 12345 work handed to the caller's 科室, committee or work station; `finish` reports back."""

    serializer_class = HotlineTaskSerializer
    queryset = HotlineTask.objects.none()

    def get_queryset(self):
        _require(self.request, "grid.hotline_task")
        return selectors.hotline_tasks_for(user=self.request.user).order_by("-id")

    def get_object(self):
        _require(self.request, "grid.hotline_task")
        return selectors.hotline_task_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=inline_serializer("HotlineTaskFinish", {"note": serializers.CharField(max_length=2000)}),
                   responses={200: HotlineTaskSerializer, **error_responses(400, 401, 403, 404, 409, 415)})
    @action(detail=True, methods=["post"], url_path="finish", url_name="finish")
    def finish(self, request, pk=None):
        """承办反馈 (note: the result, required)."""
        task = self.get_object()
        payload = HotlineTaskFinishSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        task = HOTLINE_TASK.perform(request.user, task, "finish", **payload.validated_data)
        return Response(HotlineTaskSerializer(task).data)


class HotlineTaskFinishSerializer(api_fields.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


@extend_schema(parameters=[OpenApiParameter("month", str, description="YYYY-MM，默认本月"),
                           OpenApiParameter("rank", str, enum=[r.code for r in selectors.HOTLINE_RATES])],
               responses={200: inline_serializer("HotlineFigures", {
                   "month": serializers.CharField(), "rank_by": serializers.CharField(),
                   "formulas": serializers.DictField(), "total": serializers.DictField(),
                   "committees": serializers.ListField(child=serializers.DictField()),
                   "units": serializers.ListField(child=serializers.DictField())}),
                          **error_responses(400, 401, 403)})
@api_view(["GET"])
def hotline_figures(request):
    """12345 monthly figures by committee and by handling unit, ranked; each rate with its formula (null: 无数据)."""
    _require(request, "grid.hotline_view")
    form = HotlineFiguresForm(request.query_params, rates=selectors.HOTLINE_RATES)
    if not form.is_valid():
        errors = {k: [str(e) for e in v] for k, v in form.errors.items()}
        raise DomainError(next(iter(errors.values()))[0], errors)
    figures = selectors.hotline_figures(user=request.user, month=form.cleaned_data["month"],
                                        rank_by=form.cleaned_data.get("rank") or "reply")

    def row(r):
        return {"key": r["key"], "name": r["name"], "rank": r.get("rank"), "orders": r["due"], "rates": r["rates"]}

    return Response({"month": figures["month"].strftime("%Y-%m"), "rank_by": figures["rank_by"],
                     "formulas": {r.code: {"label": str(r.label), "formula": str(r.formula)} for r in figures["rates"]},
                     "total": row(figures["total"]), "committees": [row(r) for r in figures["committees"]],
                     "units": [row(r) for r in figures["units"]]})


@extend_schema(responses={200: inline_serializer("Category", {
    "code": serializers.CharField(), "name": serializers.CharField(), "kind": serializers.CharField(),
    "main": serializers.CharField(), "limit": serializers.CharField(),
    "department": serializers.CharField(allow_null=True)}, many=True), **error_responses(401, 403)})
@api_view(["GET"])
def category_list(request):
    """The 部件/事件 catalogue with filing/closing conditions and time limits."""
    _require(request, "grid.view")
    return Response([{"code": c.code, "name": c.name, "kind": c.main.kind, "main": c.main.name,
                      "filing_condition": c.filing_condition, "closing_condition": c.closing_condition,
                      "limit": c.limit_display, "urgent_limit_hours": float(c.urgent_limit_hours),
                      "urgency": c.urgency, "department": c.department.code if c.department else None}
                     for c in selectors.categories()])


@extend_schema(responses={200: inline_serializer("GridCollection", {"type": serializers.CharField()}),
                          **error_responses(401, 403)})
@api_view(["GET"])
def grid_list(request):
    """Grids of the caller's jurisdiction as a GeoJSON FeatureCollection."""
    _require(request, "grid.view")
    return Response(selectors.grid_features(user=request.user))


@extend_schema(parameters=[OpenApiParameter("lat", float, required=True), OpenApiParameter("lng", float,
                                                                                          required=True)],
               responses={200: inline_serializer("Located", {"grid": serializers.CharField(allow_null=True),
                                                             "name": serializers.CharField(allow_null=True)}),
                          **error_responses(400, 401, 403)})
@api_view(["GET"])
def grid_locate(request):
    """Point-in-polygon: the grid containing a WGS84 point (null outside every grid)."""
    _require(request, "grid.view")
    lat, lng = request.query_params.get("lat"), request.query_params.get("lng")
    if not spatial.valid_point(lat, lng):
        raise DomainError(_("坐标无效。"), {"lat": [_("请提供 WGS84 经纬度。")]})
    hit = spatial.locate(float(lat), float(lng))
    return Response({"grid": hit.code if hit else None, "name": hit.name if hit else None})


@extend_schema(responses={200: inline_serializer("OnDuty", {"shift": serializers.CharField(allow_null=True),
                                                            "day": serializers.DateField(allow_null=True),
                                                            "team": serializers.CharField(allow_null=True)}),
                          **error_responses(401, 403)})
@api_view(["GET"])
def on_duty(request):
    """Who is on duty now (四班三运转)."""
    _require(request, "grid.roster")
    duty = selectors.on_duty()
    return Response({"shift": duty["shift"].name if duty["shift"] else None, "day": duty["day"],
                     "team": duty["team"].name if duty["team"] else None,
                     "members": [{"name": m.name, "post": m.post} for m in duty["members"]]})


@extend_schema(parameters=[OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("end", OpenApiTypes.DATE),
                           OpenApiParameter("by", str, enum=["total", "committee", "unit", "month", "day"])],
               responses={200: inline_serializer("Indicators", {"rows": serializers.ListField()}),
                          **error_responses(400, 401, 403)})
@api_view(["GET"])
def indicator_list(request):
    """Evaluation indicators (立案数, 结案率, 按期结案率, 返工率, 延期率, 超期…) for a period."""
    _require(request, "grid.stats")
    p = request.query_params
    today = timezone.localdate()
    bounds = {}
    for name, default in (("start", today.replace(day=1)), ("end", today)):
        try:
            bounds[name] = parse_date(p.get(name)) or default
        except ValueError as exc:
            raise DomainError(str(exc), {name: [str(exc)]}) from None
    start, end = bounds["start"], bounds["end"]
    errors = period_errors(start, end, end_field="end")
    if errors:
        raise DomainError(str(errors["end"][0]), errors)
    by = p.get("by", "total")
    if by not in ("total", "committee", "unit", "month", "day"):
        raise DomainError(_("by 参数无效。"), {"by": [_("可选 total、committee、unit、month、day。")]})
    rows = stats.indicators(start=start, end=end, by=by,
                            node_ids=sorted(scope_node_ids(request.user, NodeKind.COMMITTEE)))
    for r in rows:
        if isinstance(r.get("key"), dt.date):
            r["key"] = r["key"].isoformat()
    return Response({"start": start, "end": end, "by": by, "rows": rows})
