"""/api/v1/volunteers/: teams, activities, sign-up, check-in and check-out. The shapes are a published contract:
a team is {id, name, kind, committee}; an activity {id, title, team, start, end, place, slots, confirmed,
waitlisted, status, …}; a sign-up answers 201 {"status": "confirmed"|"waitlisted", "position": n}, a second one
409, and DELETE on the same URL cancels it (the first on the wait-list moves up). Check-in and check-out take
{"code": "123456"}; a wrong, foreign or expired code is 400. An activity or team outside the caller's 街道 is 404
(in a request body: a 400 field error on `team`)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.api_permissions import HasCapability
from shequ.core import api_fields

from . import selectors, services
from .models import Activity, Team


class TeamSerializer(api_fields.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "kind", "committee"]


class ActivitySerializer(api_fields.ModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "title", "team", "start", "end", "place", "slots", "confirmed", "waitlisted", "status",
                  "signup_deadline", "min_age", "max_age", "skills", "booking"]


class ActivityCreateSerializer(api_fields.Serializer):
    title = serializers.CharField(allow_blank=True, trim_whitespace=False)
    team = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    place = serializers.CharField(allow_blank=True, trim_whitespace=False)
    slots = serializers.IntegerField(min_value=1, max_value=500)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    min_age = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=119)
    max_age = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=119)
    skills = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list,
                                   max_length=20)
    signup_deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)
    room = serializers.IntegerField(required=False, allow_null=True, default=None,
                                    help_text="a bookable room (facilities): the activity books it for its time")


SignupResult = inline_serializer("SignupResult", {
    "status": serializers.ChoiceField(choices=["confirmed", "waitlisted", "cancelled"]),
    "position": serializers.IntegerField(),
})


class CodeSerializer(api_fields.Serializer):
    code = serializers.CharField(max_length=6, min_length=6)


RecordResult = inline_serializer("RecordResult", {
    "id": serializers.IntegerField(), "status": serializers.CharField(),
    "check_in": serializers.DateTimeField(), "check_out": serializers.DateTimeField(allow_null=True),
    "stay_minutes": serializers.IntegerField(), "credited_minutes": serializers.IntegerField(),
})


def _record(record) -> dict:
    return {"id": record.pk, "status": record.status, "check_in": record.check_in, "check_out": record.check_out,
            "stay_minutes": record.stay_minutes, "credited_minutes": record.credited_minutes}


@extend_schema_view(list=extend_schema(responses={200: TeamSerializer(many=True), **error_responses(401, 403)}))
class TeamViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The teams of the caller's 街道 ("3+1+X"): standing, brand (one per committee) and skill teams."""

    serializer_class = TeamSerializer
    permission_classes = [HasCapability]
    capability = "volunteers.view"
    pagination_class = None  # a 街道 has a few dozen teams
    queryset = Team.objects.none()

    def get_queryset(self):
        return selectors.team_list(user=self.request.user).order_by("name_pinyin", "id")


@extend_schema_view(
    list=extend_schema(responses={200: ActivitySerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(responses={200: ActivitySerializer, **error_responses(401, 403, 404)}),
    create=extend_schema(request=ActivityCreateSerializer,
                         responses={201: ActivitySerializer, **error_responses(400, 401, 403, 415)}),
)
class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    serializer_class = ActivitySerializer
    permission_classes = [HasCapability]
    capability = "volunteers.view"
    capabilities = {"create": "volunteers.organise", "signup": "volunteers.serve", "checkin": "volunteers.serve",
                    "checkout": "volunteers.serve"}
    queryset = Activity.objects.none()

    def get_queryset(self):
        return selectors.activity_list(user=self.request.user).order_by("-start", "id")

    def get_object(self):
        return selectors.activity_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        data = _valid(ActivityCreateSerializer, request)
        try:
            team = selectors.team_get(user=request.user, pk=data.pop("team"))
        except Http404:
            raise ValidationError({"team": [_("未找到该队伍。")]}) from None
        activity = services.activity_create(actor=request.user, team=team, **data)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["POST"], request=None,
                   responses={201: SignupResult, **error_responses(400, 401, 403, 404, 409)})
    @extend_schema(methods=["DELETE"], request=None,
                   responses={200: SignupResult, **error_responses(400, 401, 403, 404, 409)})
    @action(detail=True, methods=["post", "delete"])
    def signup(self, request, pk=None):
        """POST: sign up (confirmed while slots remain, else wait-listed). DELETE: cancel one's sign-up."""
        activity = self.get_object()
        if request.method == "DELETE":
            signup = services.signup_cancel(actor=request.user, activity=activity)
            return Response({"status": signup.status, "position": 0})
        signup, position = services.signup_create(actor=request.user, activity=activity)
        return Response({"status": signup.status, "position": position}, status=status.HTTP_201_CREATED)

    @extend_schema(request=CodeSerializer, responses={200: RecordResult, **error_responses(400, 401, 403, 404, 409,
                                                                                         415)})
    @action(detail=True, methods=["post"])
    def checkin(self, request, pk=None):
        activity = self.get_object()
        data = _valid(CodeSerializer, request)
        return Response(_record(services.record_check_in(actor=request.user, activity=activity, code=data["code"])))

    @extend_schema(request=CodeSerializer, responses={200: RecordResult, **error_responses(400, 401, 403, 404, 409,
                                                                                         415)})
    @action(detail=True, methods=["post"])
    def checkout(self, request, pk=None):
        activity = self.get_object()
        data = _valid(CodeSerializer, request)
        return Response(_record(services.record_check_out(actor=request.user, activity=activity,
                                                          code=data["code"])))


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
