"""/api/v1/reports/monthly-brief.pdf?month=YYYY-MM: the monthly brief as application/pdf (text contains the
街道's name and the month; a month without data still renders; a malformed month is 400).
/api/v1/cockpit/overview/?month=YYYY-MM[&committee=id]: the cockpit's headline figures as JSON."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from shequ.core.api import error_responses
from shequ.core.api_permissions import HasCapability
from shequ.core.inputs import parse_month, query_int

from . import selectors, services


class PDFRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _month(request):
    """`?month=YYYY-MM` (this month when absent); anything else, a full date included, is a 400."""
    try:
        return parse_month(request.query_params.get("month"), timezone.localdate().replace(day=1), allow_day=False)
    except ValueError as exc:
        raise ValidationError({"month": [str(exc)]}) from None


MONTH = OpenApiParameter("month", str, description="YYYY-MM")


class MonthlyBriefView(APIView):
    permission_classes = [HasCapability]
    capability = "cockpit.view"
    renderer_classes = [JSONRenderer, PDFRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response):  # an error: always JSON, whatever was asked for
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(parameters=[MONTH], responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                                                  **error_responses(400, 401, 403, 404)})
    def get(self, request):
        """月度工作简报: the month's figures of the caller's jurisdiction as a PDF (audited)."""
        month = _month(request)
        pdf = services.brief_pdf(user=request.user, month=month)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="monthly-brief-{month:%Y-%m}.pdf"'
        return response


OVERVIEW = inline_serializer("CockpitOverview", {
    "month": serializers.CharField(), "computed_at": serializers.DateTimeField(),
    "freshness": serializers.IntegerField(), "acceptance": serializers.DictField(allow_null=True),
    "grid": serializers.DictField(), "hotline": serializers.DictField(), "services": serializers.DictField(),
    "events": serializers.DictField(), "committees": serializers.ListField(child=serializers.DictField())})


class OverviewView(APIView):
    permission_classes = [HasCapability]
    capability = "cockpit.view"

    @extend_schema(parameters=[MONTH, OpenApiParameter("committee", int)],
                   responses={200: OVERVIEW, **error_responses(400, 401, 403, 404)})
    def get(self, request):
        """The cockpit's headline figures (cached, `freshness` seconds)."""
        month = _month(request)
        committee = None
        raw = request.query_params.get("committee")
        if raw:
            pk = query_int(raw)
            if pk is None:
                raise ValidationError({"committee": [_("居委会编号无效。")]})
            committee = selectors.committee_get(user=request.user, pk=pk)
        d = selectors.overview(user=request.user, month=month, committee=committee)
        return Response({"month": f"{month:%Y-%m}", "computed_at": d["computed_at"], "freshness": d["freshness"],
                         "committee": committee.name if committee else None, "acceptance": d["acceptance"],
                         "grid": d["grid"], "hotline": d["hotline"], "services": d["services"], "events": d["events"],
                         "committees": d["committees"], "targets": d["targets"]})
