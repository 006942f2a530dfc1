"""/api/v1/targets/: the targets the caller sees with their live figures. The shape is a published contract:
[{code, name, unit, baseline, target, actual, progress, period, source: "computed"|"entered"}], numbers as JSON
numbers (null where there is no figure yet), scoped like every other list (a worker of another 街道 gets [])."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shequ.core.api import error_responses
from shequ.core.api_permissions import HasCapability
from shequ.core.errors import DomainError
from shequ.core import api_fields

from . import selectors
from .choices import Source


class TargetSerializer(api_fields.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    baseline = serializers.FloatField(allow_null=True)
    target = serializers.FloatField()
    actual = serializers.FloatField(allow_null=True)
    progress = serializers.FloatField(allow_null=True, help_text="实际值占目标值的百分比（越低越好的指标为目标÷实际）")
    period = serializers.CharField(help_text="2026，或三年计划 2025-2027")
    source = serializers.ChoiceField(choices=Source.values)


class PeriodQuery(api_fields.Serializer):
    period = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                      error_messages={"invalid": gettext_lazy("请填写四位年份，如 2026。"),
                                                      "min_value": gettext_lazy("年份须在2000到2100之间。"),
                                                      "max_value": gettext_lazy("年份须在2000到2100之间。")})


def _number(value):
    return None if value is None else float(value)


class TargetList(APIView):
    permission_classes = [HasCapability]
    capability = "targets.view"

    @extend_schema(operation_id="targets_list",
                   parameters=[OpenApiParameter("period", int, description="年份；不填为指标全周期至今")],
                   responses={200: TargetSerializer(many=True), **error_responses(400, 401, 403)})
    def get(self, request):
        query = PeriodQuery(data=request.query_params)
        if not query.is_valid():
            raise DomainError(_("查询参数有误。"), query.errors)
        rows = selectors.target_progress(user=request.user, period=query.validated_data.get("period"))
        return Response([{"code": r["code"], "name": r["name"], "unit": r["unit"], "baseline": _number(r["baseline"]),
                          "target": _number(r["target"]), "actual": _number(r["actual"]),
                          "progress": _number(r["progress"]), "period": r["period"], "source": r["source"]}
                         for r in rows])


target_list = TargetList.as_view()
