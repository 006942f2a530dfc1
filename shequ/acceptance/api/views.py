"""The acceptance API's views: thin adapters over the same selectors and services as the HTML pages. Each
viewset declares the capability its actions need (`HasCapability`, refusals audited); objects outside the
caller's jurisdiction are 404."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.api_permissions import HasCapability, require_capability
from shequ.core.choices import NodeKind
from shequ.core.errors import DomainError
from shequ.core.scoping import scope_node_ids

from .. import selectors, services
from ..choices import RECTIFICATION_ACTIONS, DeviceKind, ReviewChannel
from ..models import ArchiveRequest, Case, Device, QueueCategory, Rectification, Review, ServiceItem, Ticket, Window
from ..filtersets import CaseFilterSet, CatalogueAPIFilterSet
from .auth import DeviceTokenAuthentication
from .serializers import (AcceptanceCaseCreateSerializer, AcceptanceCaseDetailSerializer, AcceptanceCaseSerializer,
                          ArchiveCreateSerializer, ArchiveIssueSerializer, ArchiveRequestSerializer,
                          ArchiveResultSerializer, CompleteSerializer, DeliverSerializer, ExpectedSerializer,
                          ItemSerializer, NoteSerializer, ReasonSerializer, ReasonsSerializer,
                          RectificationSerializer, RectificationStepSerializer, ReturnSerializer,
                          ReviewCreateSerializer, ReviewSerializer, RongqueSerializer, SupplementSerializer,
                          TicketCategorySerializer, TicketCreateSerializer, TicketSerializer, TransferSerializer,
                          WindowSerializer)


# --- catalogue ----------------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(responses={200: TicketCategorySerializer(many=True), **error_responses(401)}))
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Ticket categories (取号类别)."""

    serializer_class = TicketCategorySerializer
    pagination_class = None
    queryset = QueueCategory.objects.filter(is_active=True)


@extend_schema_view(list=extend_schema(responses={200: ItemSerializer(many=True),
                                                 **error_responses(400, 401, 403, 404)}),
                    retrieve=extend_schema(responses={200: ItemSerializer, **error_responses(401, 403, 404)}))
class ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The service catalogue (事项目录) with each item's materials."""

    serializer_class = ItemSerializer
    permission_classes = [HasCapability]
    capability = "acceptance.catalogue"
    filter_backends = [DjangoFilterBackend]
    filterset_class = CatalogueAPIFilterSet
    queryset = ServiceItem.objects.none()

    def get_queryset(self):
        return selectors.catalogue_list().prefetch_related("materials").order_by("-id")


# --- queue --------------------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(responses={200: TicketSerializer(many=True), **error_responses(401, 403, 404)}),
                    retrieve=extend_schema(responses={200: TicketSerializer, **error_responses(401, 403, 404)}))
class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Queue tickets. A paired kiosk (`Authorization: Device …`) or a clerk takes numbers with POST; numbers are
    unique and gapless per category and day."""

    serializer_class = TicketSerializer
    permission_classes = [HasCapability]
    capability = "acceptance.window"
    queryset = Ticket.objects.none()

    def get_authenticators(self):
        return [DeviceTokenAuthentication(), *super().get_authenticators()]

    def get_permissions(self):
        return [AllowAny()] if self.action == "create" else super().get_permissions()

    def get_queryset(self):
        qs = Ticket.objects.filter(node_id__in=scope_node_ids(self.request.user, NodeKind.SUBDISTRICT),
                                   day=timezone.localdate()).select_related("category", "window")
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return qs

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketSerializer,
                                                              **error_responses(400, 401, 403, 415)})
    def create(self, request, *args, **kwargs):
        device = request.auth if isinstance(request.auth, Device) else None
        if device is not None:
            if device.kind != DeviceKind.KIOSK:
                raise PermissionDenied(_("只有取号机可以取号。"))
            node, actor = device.node, None
        elif request.user.is_authenticated:
            require_capability(request, "acceptance.kiosk")
            node, actor = services.centre_for(request.user), request.user
        else:
            raise NotAuthenticated(_("请以取号机设备令牌或工作人员身份调用。"))
        payload = TicketCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        ticket = services.ticket_issue(node=node, category=d["category"], priority=d["priority"],
                                       priority_reason=d.get("priority_reason", ""), actor=actor, device=device)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


WINDOW_RESPONSES = {200: WindowSerializer, **error_responses(400, 401, 403, 404, 409, 415)}


@extend_schema_view(list=extend_schema(responses={200: WindowSerializer(many=True), **error_responses(401, 403)}),
                    retrieve=extend_schema(responses={200: WindowSerializer, **error_responses(401, 403, 404)}))
class WindowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Windows and the window actions (叫号). Each action answers with the window's state. call-next is refused
    with 409 while the window has a called or served ticket, so a double click never calls two tickets."""

    serializer_class = WindowSerializer
    permission_classes = [HasCapability]
    capability = "acceptance.window"
    queryset = Window.objects.none()
    pagination_class = None
    lookup_field = "number"

    def get_queryset(self):
        return Window.objects.filter(pk__in=[w.pk for w in selectors.windows_for(user=self.request.user)])\
            .select_related("current_clerk").order_by("number")

    def get_object(self):
        return selectors.window_get(user=self.request.user, number=self.kwargs["number"])

    def _state(self, window, message: str = ""):
        window.refresh_from_db()
        data = WindowSerializer(window).data
        if message:
            data["detail"] = message
        return Response(data)

    def _simple(self, request, fn):
        window = self.get_object()
        payload = ExpectedSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fn(actor=request.user, window=window, expected=payload.validated_data.get("expected"))
        return self._state(window)

    @extend_schema(request=None, responses=WINDOW_RESPONSES)
    @action(detail=True, methods=["post"], url_path="call-next")
    def call_next(self, request, number=None):
        window = self.get_object()
        ticket = services.safe_call_next(actor=request.user, window=window)
        return self._state(window, "" if ticket else _("当前没有等候的号。"))

    @extend_schema(request=ExpectedSerializer, responses=WINDOW_RESPONSES)
    @action(detail=True, methods=["post"])
    def recall(self, request, number=None):
        return self._simple(request, services.window_recall)

    @extend_schema(request=ExpectedSerializer, responses=WINDOW_RESPONSES)
    @action(detail=True, methods=["post"])
    def start(self, request, number=None):
        return self._simple(request, services.window_start)

    @extend_schema(request=ExpectedSerializer, responses=WINDOW_RESPONSES)
    @action(detail=True, methods=["post"])
    def finish(self, request, number=None):
        return self._simple(request, services.window_finish)

    @extend_schema(request=ExpectedSerializer, responses=WINDOW_RESPONSES)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, number=None):
        return self._simple(request, services.window_no_show)

    @extend_schema(request=TransferSerializer, responses=WINDOW_RESPONSES)
    @action(detail=True, methods=["post"])
    def transfer(self, request, number=None):
        window = self.get_object()
        payload = TransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        to_window = to_category = None
        if d.get("to_window") is not None:
            to_window = Window.objects.filter(node=window.node, number=d["to_window"]).first()
            if to_window is None:
                raise DomainError(_("目标窗口不存在。"), {"to_window": [_("窗口不存在。")]})
        if d.get("to_category"):
            to_category = QueueCategory.objects.filter(letter=d["to_category"].upper()).first()
            if to_category is None:
                raise DomainError(_("未知的取号类别。"), {"to_category": [_("未知的类别。")]})
        services.window_transfer(actor=request.user, window=window, to_window=to_window, to_category=to_category,
                                 expected=d.get("expected"), note=d.get("note", ""))
        return self._state(window)

    @extend_schema(request=None, responses=WINDOW_RESPONSES)
    @action(detail=True, methods=["post"], url_path="sign-in")
    def sign_in(self, request, number=None):
        window = self.get_object()
        services.window_sign_in(actor=request.user, window=window)
        return self._state(window)

    @extend_schema(request=None, responses=WINDOW_RESPONSES)
    @action(detail=True, methods=["post"], url_path="sign-out")
    def sign_out(self, request, number=None):
        window = self.get_object()
        services.window_sign_out(actor=request.user, window=window)
        return self._state(window)

    @extend_schema(request=None, responses=WINDOW_RESPONSES)
    @action(detail=True, methods=["post"])
    def pause(self, request, number=None):
        window = self.get_object()
        services.window_set_paused(actor=request.user, window=window, paused=True)
        return self._state(window)

    @extend_schema(request=None, responses=WINDOW_RESPONSES)
    @action(detail=True, methods=["post"])
    def resume(self, request, number=None):
        window = self.get_object()
        services.window_set_paused(actor=request.user, window=window, paused=False)
        return self._state(window)


# --- cases --------------------------------------------------------------------------------------------------


CASE_RESPONSES = {200: AcceptanceCaseDetailSerializer, **error_responses(400, 401, 403, 404, 409, 415)}


@extend_schema_view(
    list=extend_schema(responses={200: AcceptanceCaseSerializer(many=True), **error_responses(400, 401, 403, 404)}),
    retrieve=extend_schema(responses={200: AcceptanceCaseDetailSerializer, **error_responses(401, 403, 404)}))
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases (办件). POST creates a case with its intake decision and returns `number`, `status` and `due_date`;
    every later step is an action; a step out of order is refused with 409 and a message."""

    serializer_class = AcceptanceCaseSerializer
    permission_classes = [HasCapability]
    capability = "acceptance.case_view"
    capabilities = {"create": "acceptance.intake"}
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilterSet
    queryset = Case.objects.none()

    def get_queryset(self):
        return selectors.case_list(user=self.request.user)

    def get_object(self):
        return selectors.case_get(user=self.request.user, pk=self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        services.case_record_view(actor=request.user, case=case)
        return Response(AcceptanceCaseDetailSerializer(case, context={"request": request}).data)

    def _detail(self, case, code=200):
        case = selectors.case_get(user=self.request.user, pk=case.pk)
        return Response(AcceptanceCaseDetailSerializer(case, context={"request": self.request}).data, status=code)

    @extend_schema(request=AcceptanceCaseCreateSerializer,
                   responses={201: AcceptanceCaseDetailSerializer, **error_responses(400, 401, 403, 409, 415)})
    def create(self, request, *args, **kwargs):
        payload = AcceptanceCaseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        case = services.case_intake(
            actor=request.user, item=d["item"], decision=d["decision"], applicant_resident=d.get("applicant_resident"),
            applicant=d.get("applicant"), agent=d.get("agent"), ticket=d.get("ticket"), provided=d.get("materials", []),
            rongque_deadline=d.get("rongque_deadline"), promise_signed=d["promise_signed"],
            reasons=d.get("reasons", ""), note=d.get("note", ""), situations=d.get("situations", []),
            home=d.get("home"))
        # The case as the service wrote it (in the clerk's own centre: the service refused otherwise).
        return Response(AcceptanceCaseDetailSerializer(case, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    def _run(self, request, serializer_class, fn, **fixed):
        case = self.get_object()
        kwargs = {}
        if serializer_class is not None:
            payload = serializer_class(data=request.data)
            payload.is_valid(raise_exception=True)
            kwargs = dict(payload.validated_data)
        return self._detail(fn(actor=request.user, case=case, **kwargs, **fixed))

    @extend_schema(request=SupplementSerializer, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def supplement(self, request, pk=None):
        return self._run(request, SupplementSerializer, services.case_supplement)

    @extend_schema(request=None, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._run(request, None, services.case_accept)

    @extend_schema(request=RongqueSerializer, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def rongque(self, request, pk=None):
        case = self.get_object()
        payload = RongqueSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        return self._detail(services.case_rongque(actor=request.user, case=case, deadline=d["rongque_deadline"],
                                                  promise_signed=d["promise_signed"]))

    @extend_schema(request=ReasonsSerializer, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._run(request, ReasonsSerializer, services.case_reject)

    @extend_schema(request=ReasonSerializer, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        return self._run(request, ReasonSerializer, services.case_terminate)

    @extend_schema(request=None, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        return self._run(request, None, services.case_resubmit)

    @extend_schema(request=None, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        return self._run(request, None, services.case_claim)

    @extend_schema(request=NoteSerializer, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._run(request, NoteSerializer, services.case_approve)

    @extend_schema(request=ReasonsSerializer, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._run(request, ReasonsSerializer, services.case_refuse)

    @extend_schema(request=ReturnSerializer, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_supplement(self, request, pk=None):
        return self._run(request, ReturnSerializer, services.case_return)

    @extend_schema(request=CompleteSerializer, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._run(request, CompleteSerializer, services.case_complete)

    @extend_schema(request=DeliverSerializer, responses=CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        return self._run(request, DeliverSerializer, services.case_deliver)

    @extend_schema(responses={(200, "application/pdf"): bytes, **error_responses(401, 403, 404, 409)},
                   parameters=[OpenApiParameter("kind", str, location=OpenApiParameter.PATH,
                                                enum=list(services.DOCUMENTS))])
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<kind>receipt|notice|rongque|refusal)")
    def document(self, request, pk=None, kind=None):
        """A printable document (PDF). Printing is audited."""
        case = self.get_object()
        filename, content = services.case_print(actor=request.user, case=case, kind=kind)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response


# --- reviews and rectification ------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(responses={200: ReviewSerializer(many=True), **error_responses(401, 403, 404)}))
class ReviewViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """好差评. Staff record a rating taken by phone call-back (channel `staff`)."""

    serializer_class = ReviewSerializer
    permission_classes = [HasCapability]
    capability = "acceptance.reviews"
    capabilities = {"create": "acceptance.intake"}
    queryset = Review.objects.none()

    def get_queryset(self):
        return selectors.review_list(user=self.request.user, score=self.request.query_params.get("score", "")[:4])

    @extend_schema(request=ReviewCreateSerializer, responses={201: ReviewSerializer,
                                                              **error_responses(400, 401, 403, 404, 409, 415)})
    def create(self, request, *args, **kwargs):
        payload = ReviewCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        case = ticket = None
        if d.get("case"):
            case = selectors.case_queryset(user=request.user).filter(number=d["case"].upper()).first()
            if case is None:
                raise DomainError(_("办件不存在。"), {"case": [_("办件不存在或不在您的管辖范围内。")]})
        if d.get("ticket"):
            ticket = selectors.ticket_get(user=request.user, pk=d["ticket"])
        review = services.review_submit(score=d["score"], channel=ReviewChannel.STAFF, case=case, ticket=ticket,
                                        tags=d.get("tags", []), comment=d.get("comment", ""),
                                        contact_phone=d.get("contact_phone", ""), actor=request.user)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: RectificationSerializer(many=True), **error_responses(401, 403, 404)}),
    retrieve=extend_schema(responses={200: RectificationSerializer, **error_responses(401, 403, 404)}))
class RectificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rectification of 差评: contact, rectify, close (call-back), reopen, appeal; uphold/dismiss (supervisor)."""

    serializer_class = RectificationSerializer
    permission_classes = [HasCapability]
    capability = "acceptance.reviews"
    capabilities = {"step": ("acceptance.rectify", "acceptance.reviews")}
    queryset = Rectification.objects.none()

    def get_queryset(self):
        status_ = self.request.query_params.get("status", "pending")[:10]
        return selectors.rectification_list(user=self.request.user, status=status_).order_by("-id")

    def get_object(self):
        return selectors.rectification_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=RectificationStepSerializer,
                   responses={200: RectificationSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
                   parameters=[OpenApiParameter("step", str, location=OpenApiParameter.PATH,
                                                enum=list(RECTIFICATION_ACTIONS))])
    @action(detail=True, methods=["post"], url_path=r"(?P<step>contact|rectify|close|reopen|appeal|uphold|dismiss)")
    def step(self, request, pk=None, step=None):
        rect = self.get_object()
        payload = RectificationStepSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rect = services.rectification_act(actor=request.user, rectification=rect, action=step,
                                          **payload.validated_data)
        return Response(RectificationSerializer(rect).data)


# --- 民生档案 ---------------------------------------------------------------------------------------------------


ARCHIVE_RESPONSES = {200: ArchiveRequestSerializer, **error_responses(400, 401, 403, 404, 409, 415)}


@extend_schema_view(
    list=extend_schema(responses={200: ArchiveRequestSerializer(many=True), **error_responses(401, 403, 404)}),
    retrieve=extend_schema(responses={200: ArchiveRequestSerializer, **error_responses(401, 403, 404)}))
class ArchiveRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """民生档案查询. A request by someone who may not query the type is stored as `refused` with the reason (the
    attempt is logged); every access is in the append-only access log."""

    serializer_class = ArchiveRequestSerializer
    permission_classes = [HasCapability]
    capability = "acceptance.archive"
    queryset = ArchiveRequest.objects.none()

    def get_queryset(self):
        return selectors.archive_list(user=self.request.user)

    def get_object(self):
        return selectors.archive_get(user=self.request.user, pk=self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        req = self.get_object()
        services.archive_record_view(actor=request.user, request=req)
        return Response(ArchiveRequestSerializer(req, context={"request": request}).data)

    @extend_schema(request=ArchiveCreateSerializer, responses={201: ArchiveRequestSerializer,
                                                               **error_responses(400, 401, 403, 415)})
    def create(self, request, *args, **kwargs):
        payload = ArchiveCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        req = services.archive_request_create(
            actor=request.user, record_type=d["record_type"], relation=d["relation"], id_check=d["id_check"],
            purpose=d["purpose"], requester_resident=d.get("requester_resident"), requester=d.get("requester"),
            subject_name=d.get("subject_name", ""), subject_id_number=d.get("subject_id_number", ""))
        return Response(ArchiveRequestSerializer(req, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=ArchiveResultSerializer, responses=ARCHIVE_RESPONSES)
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        req = self.get_object()
        payload = ArchiveResultSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        req = services.archive_record_result(actor=request.user, request=req, **payload.validated_data)
        return Response(ArchiveRequestSerializer(req, context={"request": request}).data)

    @extend_schema(request=ArchiveIssueSerializer, responses=ARCHIVE_RESPONSES)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        req = self.get_object()
        payload = ArchiveIssueSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        req = services.archive_issue(actor=request.user, request=req, copies=payload.validated_data["copies"])
        return Response(ArchiveRequestSerializer(req, context={"request": request}).data)
