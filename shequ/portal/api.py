"""/api/v1/portal/: slots, my appointments and my 随手拍 reports. The shapes are a published contract."""

import datetime as dt

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.errors import DomainError
from shequ.core import api_fields

from . import selectors, services


class IsResident(permissions.BasePermission):
    """Only resident logins act in the portal; a staff login gets 403 (a person who is both uses two accounts)."""

    message = _("请使用居民账号。")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.can("portal.use"))


class SlotSerializer(api_fields.Serializer):
    id = serializers.IntegerField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    category = serializers.CharField(source="category.letter")
    capacity = serializers.IntegerField()
    booked = serializers.IntegerField()

    def get_start(self, obj) -> str:
        return f"{obj.start:%H:%M}"

    def get_end(self, obj) -> str:
        return f"{obj.end:%H:%M}"


@extend_schema(tags=["portal"], parameters=[OpenApiParameter("date", OpenApiTypes.DATE, required=True)],
               responses={200: SlotSerializer(many=True), **error_responses(400, 401, 403)})
@api_view(["GET"])
def slots(request):
    """Published appointment slots of one day, with their capacity and how many are booked."""
    raw = request.query_params.get("date", "")
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(_("日期格式应为 YYYY-MM-DD。"), {"date": [_("日期无效。")]}) from None
    return Response(SlotSerializer(selectors.slots_for_day(day=day), many=True).data)


class BookSerializer(api_fields.Serializer):
    slot = serializers.IntegerField()
    item = serializers.IntegerField()
    for_resident = serializers.IntegerField(required=False, allow_null=True)


class AppointmentSerializer(api_fields.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    slot = serializers.IntegerField(source="slot_id")


class AppointmentDetailSerializer(AppointmentSerializer):
    item = serializers.IntegerField(source="item_id")
    status = serializers.CharField()
    date = serializers.DateField(source="slot.date")
    for_resident = serializers.IntegerField(source="for_resident_id", allow_null=True)


@extend_schema(tags=["portal"], methods=["POST"], request=BookSerializer,
               responses={201: AppointmentSerializer, **error_responses(400, 401, 403, 409, 415)})
@extend_schema(tags=["portal"], methods=["GET"], responses={200: AppointmentDetailSerializer(many=True),
                                                            **error_responses(401, 403)})
@api_view(["GET", "POST"])
@permission_classes([IsResident])
def appointments(request):
    """My appointments (GET), or book a slot for an item (POST): a full slot is 409, a past slot or an unknown
    item 400."""
    account = services.account_for(request.user)
    if request.method == "GET":
        return Response(AppointmentDetailSerializer(selectors.appointments(account=account)[:100], many=True).data)
    data = BookSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    appointment = services.appointment_book(account=account, slot_id=data.validated_data["slot"],
                                            item_id=data.validated_data["item"],
                                            for_resident_id=data.validated_data.get("for_resident"))
    return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["portal"], methods=["GET"], responses={200: AppointmentDetailSerializer,
                                                            **error_responses(401, 403, 404)})
@extend_schema(tags=["portal"], methods=["DELETE"], responses={204: None, **error_responses(401, 403, 404, 409)})
@api_view(["GET", "DELETE"])
@permission_classes([IsResident])
def appointment_detail(request, pk):
    account = services.account_for(request.user)
    appointment = selectors.appointment_get(account=account, pk=pk)
    if request.method == "GET":
        return Response(AppointmentDetailSerializer(appointment).data)
    services.appointment_cancel(account=account, appointment=appointment)
    return Response(status=status.HTTP_204_NO_CONTENT)


class ReportCreateSerializer(api_fields.Serializer):
    category = serializers.CharField(max_length=8)
    description = serializers.CharField(max_length=4000)
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    share_location = serializers.BooleanField(required=False, default=False)


class ReportSerializer(api_fields.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="case.number")
    status = serializers.CharField(source="case.status")


class ReportDetailSerializer(ReportSerializer):
    category = serializers.CharField(source="case.category.code")
    created_at = serializers.DateTimeField()
    rating = serializers.CharField()


@extend_schema(tags=["portal"], methods=["POST"], request=ReportCreateSerializer,
               responses={201: ReportSerializer, **error_responses(400, 401, 403, 415)})
@extend_schema(tags=["portal"], methods=["GET"], responses={200: ReportDetailSerializer(many=True),
                                                            **error_responses(401, 403)})
@api_view(["GET", "POST"])
@permission_classes([IsResident])
@parser_classes([JSONParser, MultiPartParser, FormParser])
def reports(request):
    """随手拍: report a problem (JSON or multipart with `photos`), or list my own reports."""
    account = services.account_for(request.user)
    if request.method == "GET":
        return Response(ReportDetailSerializer(selectors.reports(account=account)[:100], many=True).data)
    data = ReportCreateSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    d = data.validated_data
    report = services.report_create(account=account, category=d["category"], description=d["description"],
                                    lat=d["lat"], lng=d["lng"], address=d.get("address", ""),
                                    photos=request.FILES.getlist("photos"), share_location=d["share_location"])
    return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)
