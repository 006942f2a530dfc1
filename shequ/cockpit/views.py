"""Pages of the leader's cockpit: the overview (drill-down to a committee with ?committee=), Excel exports of its
lists, the monthly brief as PDF, and the residents' public headline page."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import NodeKind
from shequ.core.errors import DomainError
from shequ.core.inputs import month_arg, query_int
from shequ.core.models import Node
from shequ.core.web import require, xlsx_response

from . import selectors, services


def _month(request) -> tuple:
    """`?month=YYYY-MM` (this month when absent) and the message of a malformed one: the page then shows this
    month with the message and answers 400, never another month as if it had been asked for."""
    return month_arg(request, default=timezone.localdate().replace(day=1), allow_day=False)


def _committee(request):
    raw = request.GET.get("committee")
    if not raw:
        return None
    pk = query_int(raw)
    if pk is None:
        raise Http404
    return selectors.committee_get(user=request.user, pk=pk)


def _chart(labels, series):
    return {"labels": labels, "series": series}


@require("cockpit.view")
def index(request):
    (month, month_error), committee = _month(request), _committee(request)
    d = selectors.overview(user=request.user, month=month, committee=committee)
    t = d["trend"]
    series = [{"name": _("网格上报"), "values": t["grid_reported"], "kind": "bar"},
              {"name": _("结案率"), "values": t["close_rate"], "kind": "line", "percent": True},
              {"name": _("按期结案率"), "values": t["on_time_rate"], "kind": "line", "percent": True}]
    charts = {"grid": _chart(t["labels"], series),
              "participations": _chart(t["labels"], [{"name": _("活动参与人次"), "values": t["participations"],
                                                      "kind": "bar"}])}
    if t["acceptance"]:
        charts["acceptance"] = _chart(t["labels"], [{"name": _("受理件数"), "values": t["acceptance"],
                                                     "kind": "bar"}])
    if d["committees"]:
        charts["committees"] = _chart([r["name"] for r in d["committees"]],
                                      [{"name": _("在办案件"), "values": [r["open"] for r in d["committees"]],
                                        "kind": "bar"}])
    return render(request, "cockpit/index.html", {
        "d": d, "month": month, "month_value": f"{month:%Y-%m}", "committee": committee, "charts": charts,
        # Called by the template only when its cached list of committees is rendered afresh.
        "committees": lambda: selectors.committees(user=request.user),
        "subdistrict": selectors.subdistrict_of(request.user),
        "trend_rows": list(zip(t["labels"], t["acceptance"] or [None] * len(t["labels"]), t["grid_reported"],
                               t["close_rate"], t["on_time_rate"], t["participations"])),
        "tiles": getattr(settings, "MAP_TILE_URL", ""), "month_error": month_error},
        status=400 if month_error else 200)


@require("cockpit.view")
def export(request, name):
    (month, month_error), committee = _month(request), _committee(request)
    if month_error:
        return HttpResponseBadRequest(month_error, content_type="text/plain; charset=utf-8")
    try:
        filename, content = services.cockpit_export(user=request.user, month=month, name=name, committee=committee)
    except DomainError:
        raise Http404
    return xlsx_response(content, filename)


@require("cockpit.view")
def brief(request):
    month, month_error = _month(request)
    if month_error:
        return HttpResponseBadRequest(month_error, content_type="text/plain; charset=utf-8")
    pdf = services.brief_pdf(user=request.user, month=month)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="monthly-brief-{month:%Y-%m}.pdf"'
    return response


def public(request):
    """居民端: this month's headline figures of a 街道, no login, no personal data."""
    subdistricts = list(Node.objects.filter(kind=NodeKind.SUBDISTRICT, is_active=True).order_by("path"))
    code = request.GET.get("street", "")
    chosen = next((s for s in subdistricts if s.code == code), subdistricts[0] if subdistricts else None)
    month = timezone.localdate().replace(day=1)
    data = selectors.public_headline(subdistrict=chosen, month=month) if chosen else None
    return render(request, "cockpit/public.html", {"data": data, "subdistricts": subdistricts, "chosen": chosen})
