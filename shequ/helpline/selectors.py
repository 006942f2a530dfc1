"""Reads of the 96980 line, scoped by the call's committee (or 街道): outside the user's jurisdiction is 404."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractHour
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import crypto, idcard
from shequ.core.choices import NodeKind
from shequ.core.hooks import ChartData, Series
from shequ.core.scoping import filter_by_scope, scoped_nodes

from .choices import CallCategory, CallStatus, Satisfaction
from .models import Call


def call_list(*, user) -> QuerySet[Call]:
    return (filter_by_scope(Call.objects.all(), user, "node")
            .select_related("node", "taken_by", "grid_case").defer("caller_phone"))


def call_filter(qs: QuerySet, *, search: str = "", status: str = "", category: str = "", outcome: str = "") -> QuerySet:
    search = (search or "").strip()[:64]
    if search:
        if idcard.looks_like_phone(search):
            qs = qs.filter(caller_phone_hash=crypto.keyed_hash(search))
        else:
            qs = qs.filter(number__startswith=search) if search[:1].isdigit() else qs.filter(
                caller_name__contains=search)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs


def call_get(*, user, pk) -> Call:
    try:
        return (filter_by_scope(Call.objects.all(), user, "node")
                .select_related("node", "taken_by", "grid_case", "service_item", "facility").get(pk=int(pk)))
    except (Call.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def calls_for_case(*, user, case_id: int) -> list[Call]:
    return list(call_list(user=user).filter(grid_case_id=case_id))


def call_history(*, call: Call) -> list:
    return list(call.events.select_related("actor"))


def same_caller(*, user, call: Call, limit: int = 5) -> list[Call]:
    """Earlier calls from the same number (through its keyed hash), within the user's scope."""
    return list(call_list(user=user).filter(caller_phone_hash=call.caller_phone_hash).exclude(pk=call.pk)[:limit])


def committees(*, user) -> QuerySet:
    return scoped_nodes(user, NodeKind.COMMITTEE).filter(is_active=True)


def callbacks_due(*, user) -> QuerySet[Call]:
    return call_list(user=user).filter(status=CallStatus.CALLBACK).order_by("callback_due", "id")


def count_callbacks_due(user) -> int:
    return callbacks_due(user=user).filter(callback_due__lte=timezone.now()).count()


def volume(*, user, start: dt.date, end: dt.date) -> tuple[ChartData, ChartData, dict]:
    """Calls between two dates (inclusive) by category and by hour of the day, and the satisfaction counts."""
    tz = timezone.get_current_timezone()
    qs = call_list(user=user).filter(
        received_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        received_at__lt=timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)))
    by_category = dict(qs.order_by().values_list("category").annotate(n=Count("id")))
    categories = ChartData(labels=[str(label) for _code, label in CallCategory.choices],
                           series=[Series(_("来电"), [by_category.get(code, 0) for code in CallCategory.values])])
    by_hour = dict(qs.order_by().annotate(h=ExtractHour("received_at", tzinfo=tz)).values_list("h")
                   .annotate(n=Count("id")))
    hours = ChartData(labels=[f"{h}时" for h in range(24)],
                      series=[Series(_("来电"), [by_hour.get(h, 0) for h in range(24)])])
    counts = dict(qs.exclude(satisfaction="").order_by().values_list("satisfaction").annotate(n=Count("id")))
    satisfaction = [(str(label), counts.get(code, 0)) for code, label in Satisfaction.choices]
    return categories, hours, {"total": qs.count(), "satisfaction": satisfaction}
