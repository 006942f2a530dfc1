"""/api/v1/events/: events and registration. An event is {id, title, node, organiser, venue, start, end,
capacity, taken, waiting, status}; a registration {id, event, name, status}. An event outside the caller's scope
is 404; a full event with a full wait-list is 409."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.api_permissions import HasCapability
from shequ.core import api_fields

from . import selectors, services
from .choices import RegistrationAction
from .models import Event, Registration
from .workflows import REGISTRATION


class EventSerializer(api_fields.ModelSerializer):
    node = serializers.CharField(source="node.name")
    taken = serializers.SerializerMethodField()
    waiting = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "title", "node", "organiser", "venue", "start", "end", "capacity", "taken", "waiting",
                  "status", "series", "festival"]

    def get_taken(self, obj) -> int:
        return selectors.counts(obj)["taken"]

    def get_waiting(self, obj) -> int:
        return selectors.counts(obj)["waiting"]


class RegistrationSerializer(api_fields.ModelSerializer):
    class Meta:
        model = Registration
        fields = ["id", "event", "name", "status"]


class RegisterSerializer(api_fields.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    phone = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(list=extend_schema(responses={200: EventSerializer(many=True), **error_responses(401, 403)}),
                    retrieve=extend_schema(responses={200: EventSerializer, **error_responses(401, 403, 404)}))
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Events: staff see their jurisdiction's (and the 街道's own), a resident the open ones."""

    serializer_class = EventSerializer
    permission_classes = [HasCapability]
    capability = "events.register"
    capabilities = {"list": "events.register", "retrieve": "events.register"}
    queryset = Event.objects.none()

    def get_queryset(self):
        return selectors.event_list(user=self.request.user)

    def get_object(self):
        return selectors.event_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=RegisterSerializer,
                   responses={201: RegistrationSerializer, **error_responses(400, 401, 403, 404, 409, 415)})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """Register: a resident for himself; the event's organisers for a walk-in (`name`, `phone`). A full event
        puts the registration on the wait-list (`status` = "waitlisted")."""
        event = self.get_object()
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = services.registration_create(actor=request.user, event=event, **serializer.validated_data)
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


@extend_schema_view(retrieve=extend_schema(responses={200: RegistrationSerializer, **error_responses(401, 403, 404)}))
class RegistrationViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RegistrationSerializer
    permission_classes = [HasCapability]
    capability = "events.register"
    capabilities = {"check_in": "events.manage"}
    queryset = Registration.objects.none()

    def get_object(self):
        return selectors.registration_get(user=self.request.user, pk=self.kwargs["pk"])

    def _perform(self, request, name):
        registration = REGISTRATION.perform(request.user, self.get_object(), name)
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(request=None, responses={200: RegistrationSerializer, **error_responses(401, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._perform(request, RegistrationAction.CANCEL)

    @extend_schema(request=None, responses={200: RegistrationSerializer, **error_responses(401, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        return self._perform(request, RegistrationAction.CHECK_IN)
