"""/api/v1/governance/: the tasks decided at joint meetings and the 顽症 ledger, scoped like the pages (a
department officer sees only his department's tasks; anything else is 404). A task is {id, number, title, meeting,
committee, department, due_date, working_days, status, overdue}; its actions (`actions/`) come from the declared
workflow, and `act/` performs one (`close` needs evidence photos, sent as multipart `evidence`)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.api_permissions import HasCapability
from shequ.core import api_fields

from . import selectors
from .models import Problem, Task
from .workflows import TASK


class TaskSerializer(api_fields.ModelSerializer):
    number = serializers.CharField(read_only=True)
    meeting = serializers.CharField(source="meeting.title", read_only=True)
    meeting_date = serializers.DateField(source="meeting.date", read_only=True)
    committee = serializers.CharField(source="meeting.committee.name", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "number", "title", "meeting", "meeting_date", "committee", "department", "working_days",
                  "due_date", "status", "status_label", "overdue", "closed_at"]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class TaskActionSerializer(api_fields.Serializer):
    action = serializers.ChoiceField(choices=[(a.name, str(a.label)) for a in TASK.actions])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ProblemSerializer(api_fields.ModelSerializer):
    category = serializers.CharField(source="category.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    link_count = serializers.IntegerField(read_only=True)
    monthly = serializers.SerializerMethodField()

    class Meta:
        model = Problem
        fields = ["id", "title", "place", "category", "description", "first_seen", "status", "status_label",
                  "link_count", "monthly"]

    def get_monthly(self, obj) -> dict:
        return selectors.monthly_counts(problem=obj) if self.context.get("detail") else {}


@extend_schema_view(list=extend_schema(responses={200: TaskSerializer(many=True), **error_responses(400, 401, 403)}),
                    retrieve=extend_schema(responses={200: TaskSerializer, **error_responses(401, 403, 404)}))
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TaskSerializer
    permission_classes = [HasCapability]
    capability = "governance.view"
    queryset = Task.objects.none()

    def get_queryset(self):
        return selectors.task_list(user=self.request.user).order_by("-id")

    def get_object(self):
        return selectors.task_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(responses={200: serializers.ListSerializer(child=serializers.CharField()),
                              **error_responses(401, 403, 404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def actions(self, request, pk=None):
        return Response([a.name for a in TASK.available(request.user, self.get_object())])

    @extend_schema(request=TaskActionSerializer,
                   responses={200: TaskSerializer, **error_responses(400, 401, 403, 404, 409, 415)})
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """开始办理 (`start`), 记录进展 (`note`), 办结 (`close`: `note` and multipart `evidence` photos) or 退回重办
        (`reopen`, the committee's office)."""
        task = self.get_object()
        body = TaskActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        TASK.perform(request.user, task, body.validated_data["action"], note=body.validated_data["note"],
                     uploads=request.FILES.getlist("evidence") if hasattr(request, "FILES") else [])
        return Response(TaskSerializer(selectors.task_get(user=request.user, pk=task.pk)).data)


@extend_schema_view(
    list=extend_schema(responses={200: ProblemSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: ProblemSerializer, **error_responses(401, 403, 404)}))
class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The 顽症 ledger; one problem's answer carries its monthly counts of linked cases and orders."""

    serializer_class = ProblemSerializer
    permission_classes = [HasCapability]
    capability = "governance.view"
    queryset = Problem.objects.none()

    def get_queryset(self):
        return selectors.problem_list(user=self.request.user).order_by("-id")

    def get_object(self):
        return selectors.problem_get(user=self.request.user, pk=self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(ProblemSerializer(self.get_object(), context={"detail": True}).data)
