"""/api/v1/facilities/: rooms and bookings. The shapes are a published contract (the 96980 hotline and outside
checks rely on them): a room is {id, name, facility, capacity, bookable, needs_approval}; a booking
{id, status, room, start, end}. A room or booking outside the caller's scope is 404 (in a request body: a 400
field error on `room`); the slot already taken is 409."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.api_permissions import HasCapability
from shequ.core import api_fields

from . import selectors, services
from .choices import AgeGroup, BookingAction
from .models import Booking, Room
from .workflows import BOOKING


class RoomSerializer(api_fields.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "facility", "capacity", "bookable", "needs_approval"]


class BookingSerializer(api_fields.ModelSerializer):
    class Meta:
        model = Booking
        fields = ["id", "status", "room", "start", "end"]


class BookingDetailSerializer(api_fields.ModelSerializer):
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = ["id", "status", "room", "start", "end", "purpose", "team", "attendees", "age_group", "note",
                  "series", "actions"]

    def get_actions(self, obj) -> list[str]:
        return [a.name for a in BOOKING.available(self.context["request"].user, obj)]


class BookingCreateSerializer(api_fields.Serializer):
    room = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    # No max_length here: the service refuses an over-long text with the field's limit in Chinese.
    purpose = serializers.CharField(allow_blank=True, trim_whitespace=False)
    team = serializers.CharField(required=False, allow_blank=True, default="")
    attendees = serializers.IntegerField(required=False, allow_null=True, default=None)
    age_group = serializers.ChoiceField(choices=AgeGroup.choices, required=False, default=AgeGroup.MIXED)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SeriesCreateSerializer(BookingCreateSerializer):
    weeks = serializers.IntegerField(min_value=2, max_value=52)
    skip = serializers.ListField(child=serializers.DateField(), required=False, default=list, max_length=52)


class BookingReasonSerializer(api_fields.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(list=extend_schema(responses={200: RoomSerializer(many=True), **error_responses(401, 403)}),
                    retrieve=extend_schema(responses={200: RoomSerializer, **error_responses(401, 403, 404)}))
class RoomViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The rooms the caller may book: an operator's own facility, a committee worker's committee, the whole
    街道 for its staff, the rooms open to residents for a resident."""

    serializer_class = RoomSerializer
    permission_classes = [HasCapability]
    capability = "facilities.book"
    pagination_class = None  # a 街道 has a few dozen rooms: the list is the whole answer
    queryset = Room.objects.none()

    def get_queryset(self):
        return selectors.room_list(user=self.request.user)


def _booking_inputs(data) -> dict:
    return {k: data[k] for k in ("start", "end", "purpose", "team", "attendees", "age_group", "note")}


@extend_schema_view(
    list=extend_schema(responses={200: BookingSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: BookingDetailSerializer, **error_responses(401, 403, 404)}),
    create=extend_schema(request=BookingCreateSerializer,
                         responses={201: BookingSerializer, **error_responses(400, 401, 403, 409, 415)}),
)
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """Room bookings: a resident sees his own, staff those of the facilities in their scope."""

    serializer_class = BookingSerializer
    permission_classes = [HasCapability]
    capability = "facilities.book"
    capabilities = {"approve": "facilities.operate", "reject": "facilities.operate",
                    "check_in": "facilities.operate", "no_show": "facilities.operate"}
    queryset = Booking.objects.none()

    def get_queryset(self):
        return selectors.booking_list(user=self.request.user)

    def get_object(self):
        return selectors.booking_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return BookingDetailSerializer if self.action == "retrieve" else BookingSerializer

    def create(self, request, *args, **kwargs):
        data = _valid(BookingCreateSerializer, request)
        booking = services.booking_create(actor=request.user, room=data["room"], **_booking_inputs(data))
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SeriesCreateSerializer,
                   responses={201: BookingSerializer(many=True), **error_responses(400, 401, 403, 409, 415)})
    @action(detail=False, methods=["post"])
    def series(self, request):
        """A weekly booking. Dates that cannot be booked give 409 with `errors.dates`; send them back in `skip`
        to book the other dates."""
        data = _valid(SeriesCreateSerializer, request)
        _series, bookings = services.booking_series_create(actor=request.user, room=data["room"],
                                                           weeks=data["weeks"], skip=data["skip"],
                                                           **_booking_inputs(data))
        return Response(BookingSerializer(bookings, many=True).data, status=status.HTTP_201_CREATED)

    def _perform(self, request, name):
        booking = self.get_object()
        inputs = _valid(BookingReasonSerializer, request) if "reason" in BOOKING.action(name).inputs else {}
        booking = BOOKING.perform(request.user, booking, name, **inputs)
        return Response(BookingSerializer(booking).data)

    @extend_schema(request=BookingReasonSerializer,
                   responses={200: BookingSerializer, **error_responses(400, 401, 403, 404, 409, 415)})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._perform(request, BookingAction.CANCEL)

    @extend_schema(request=None, responses={200: BookingSerializer, **error_responses(401, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._perform(request, BookingAction.APPROVE)

    @extend_schema(request=BookingReasonSerializer,
                   responses={200: BookingSerializer, **error_responses(400, 401, 403, 404, 409, 415)})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._perform(request, BookingAction.REJECT)

    @extend_schema(request=None, responses={200: BookingSerializer, **error_responses(401, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        return self._perform(request, BookingAction.CHECK_IN)

    @extend_schema(request=None, responses={200: BookingSerializer, **error_responses(401, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        return self._perform(request, BookingAction.NO_SHOW)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
