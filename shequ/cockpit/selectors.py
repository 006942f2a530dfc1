"""The figures of the leader's cockpit and the monthly brief, read from every module's selectors and scoped to
the leader's tree; a committee narrows them (drill-down 街道 → 居委会). One function assembles a period's figures
(`overview`); it is cached per scope, period and committee and served while it is at most `FRESHNESS` seconds old,
and the page says when the figures were computed. The schedule refills the current month's overview of every
leader who signed in lately ahead of time (`overview_prefill`, every `PREFILL_MINUTES`), so a leader opening the
cockpit reads prepared figures instead of waiting for every module's counts. The targets panel reads `shequ.targets.selectors.target_progress` when that module offers
it (`targets_progress`, the one place that looks)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.html import json_script

from shequ.acceptance import selectors as acceptance
from shequ.core.choices import NodeKind, Role
from shequ.core.models import Node, User
from shequ.core.scoping import scope_paths, scoped_nodes
from shequ.core.text import pinyin_key
from shequ.core.workcal import month_bounds  # noqa: F401  (also read as selectors.month_bounds)
from shequ.eldercare import selectors as eldercare
from shequ.events import selectors as events
from shequ.facilities import selectors as facilities
from shequ.grid import selectors as grid
from shequ.health import selectors as health

FRESHNESS = 300  # seconds a computed overview is served from the cache
PREFILL_MINUTES = 4  # the schedule refills the leaders' overviews this often, inside FRESHNESS
PREFILL_RECENT_DAYS = 14  # leaders who signed in within this many days get their overview refilled
TREND_MONTHS = 12


@functools.lru_cache(maxsize=8192)
def _name_key(name: str) -> str:
    """The pinyin order of a committee's name, computed once per name and process (170 names on every page of a
    district leader took 70 ms)."""
    return pinyin_key(name)


def committees(*, user) -> list[Node]:
    rows = list(scoped_nodes(user, NodeKind.COMMITTEE).filter(is_active=True))
    rows.sort(key=lambda n: _name_key(n.name))
    return rows


def committee_get(*, user, pk) -> Node:
    for node in committees(user=user):
        if node.pk == pk:
            return node
    raise Http404


def subdistrict_of(user) -> Node | None:
    return scoped_nodes(user, NodeKind.SUBDISTRICT).first()


def _pct(a, b):
    return round(a * 100.0 / b, 1) if b else None


def _acceptance(user, start, end) -> dict:
    """The centre's month: aggregates in the database (`acceptance.month_totals`), not a walk over every case."""
    return acceptance.month_totals(user=user, date_from=start, date_to=end)


EMPTY_ACCEPTANCE = {"received": 0, "accepted": 0, "completed": 0, "completion_rate": None, "on_time_rate": None,
                    "reviews": 0, "good_rate": None, "poor": 0}


def _acceptance_by_committee(user, start, end) -> tuple[dict, dict]:
    """The acceptance figures of each committee (by the applicant's registered committee) and what is not
    attributable: {"received": cases with no registered applicant, "share": their % of all received}."""
    rows = acceptance.committee_figures(user=user, date_from=start, date_to=end)
    total = sum(r["received"] for r in rows.values())
    unattributed = rows.pop(None, EMPTY_ACCEPTANCE)["received"]
    return rows, {"received": unattributed, "total": total, "share": _pct(unattributed, total)}


def _acceptance_committee(rows: dict, unattributed: dict, committee) -> dict:
    """A committee's drill-down: its residents' cases, with the share of the centre's cases that no committee
    carries (the page states it: those cases are in no committee's figures)."""
    return {**EMPTY_ACCEPTANCE, **rows.get(committee.pk, {}), "by_committee": True, "unattributed": unattributed}


def _services(user, start, end, committee) -> dict:
    lo, hi = _bounds(start, end)
    bookings = facilities.booking_list(user=user).filter(start__gte=lo, start__lt=hi)
    meals = eldercare.order_list(user=user, date_from=start, date_to=end)
    if committee is not None:
        bookings = bookings.filter(room__facility__node=committee)
        meals = meals.filter(canteen__facility__node=committee)
    b = bookings.aggregate(total=Count("id"), held=Count("id", filter=Q(status="checked_in")))
    cov = health.coverage(user=user)
    if committee is not None:
        row = next((r for r in cov["rows"] if r["committee"].pk == committee.pk), None)
        doctor = {"signed": row["signed"], "population": row["population"], "rate": row["rate"]} if row else {}
    else:
        doctor = {"signed": cov["total"]["signed"], "population": cov["total"]["population"],
                  "rate": cov["total"]["rate"]}
    return {"bookings": b["total"], "bookings_held": b["held"], "meals": meals.order_by().count(),
            "doctor_signed": doctor.get("signed", 0), "doctor_rate": doctor.get("rate")}


def _bounds(start, end):
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def targets_progress(*, user) -> list[dict] | None:
    """The targets panel: `shequ.targets.selectors.target_progress(user=…)` when the targets module is installed
    and offers it, else None (the panel then says the targets are not yet kept here)."""
    if not apps.is_installed("shequ.targets"):
        return None
    try:
        module = importlib.import_module("shequ.targets.selectors")
    except ImportError:
        return None
    progress = getattr(module, "target_progress", None)
    if not callable(progress):
        return None
    return list(progress(user=user))


def _trend(user, end: dt.date, committee) -> dict:
    first = (end.replace(day=1) - dt.timedelta(days=31 * (TREND_MONTHS - 1))).replace(day=1)
    ids = [committee.pk] if committee is not None else None
    months, m = [], first
    while m <= end:
        months.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    g = {r["key"]: r for r in grid.indicators(user=user, start=first, end=end, by="month", committee_ids=ids)}
    acc = acceptance.received_by_month(user=user, months=months, date_to=end) if committee is None else {}
    parts = events.participation_by_month(user=user, months=months, date_to=end, node_ids=ids)

    def key(d):
        return d if isinstance(d, dt.date) and not isinstance(d, dt.datetime) else d.date()

    g = {key(k): v for k, v in g.items()}
    return {"labels": [f"{m.year}年{m.month}月" for m in months],
            "months": [m.isoformat() for m in months],
            "acceptance": [acc.get(m, 0) for m in months] if committee is None else [],
            "grid_reported": [g.get(m, {}).get("reported", 0) for m in months],
            "close_rate": [g.get(m, {}).get("close_rate") for m in months],
            "on_time_rate": [g.get(m, {}).get("on_time_rate") for m in months],
            "participations": [parts.get(m, 0) for m in months]}


def _committee_rows(user, start, end, acc: dict) -> list[dict]:
    nodes = committees(user=user)
    ind = {r["key"]: r for r in grid.indicators(user=user, start=start, end=end, by="committee")}
    open_cases = grid.open_by_committee(user=user)
    _total, parts = events.participation_by_committee(user=user, start=start, end=end)
    rows = []
    for node in nodes:
        r = ind.get(node.pk, {})
        rows.append({"id": node.pk, "code": node.code, "name": node.name, "reported": r.get("reported", 0),
                     "closed": r.get("closed", 0), "close_rate": r.get("close_rate"),
                     "on_time_rate": r.get("on_time_rate"), "open": open_cases.get(node.pk, 0),
                     "participations": parts.get(node.pk, 0),
                     "acc_received": acc.get(node.pk, EMPTY_ACCEPTANCE)["received"],
                     "acc_completion_rate": acc.get(node.pk, EMPTY_ACCEPTANCE)["completion_rate"],
                     "acc_poor": acc.get(node.pk, EMPTY_ACCEPTANCE)["poor"]})
    return rows


def subdistrict_rows(*, user, data: dict) -> list[dict] | None:
    """The brief's table for a scope over several 街道: one row per 街道, its rates taken from the grid's own
    totals over its committees (never averaged from the committees' rates). None when the scope is one 街道, whose
    brief lists its committees."""
    groups: dict[int, list[int]] = {}
    for node in committees(user=user):
        groups.setdefault(node.parent_id, []).append(node.pk)
    if len(groups) <= 1:
        return None
    by_id = {r["id"]: r for r in data["committees"]}
    parents = Node.objects.in_bulk(list(groups))
    rows = []
    for parent_id, ids in groups.items():
        g = grid.indicators(user=user, start=data["start"], end=data["end"], committee_ids=ids)[0]
        rows.append({"name": parents[parent_id].name, "reported": g.get("reported", 0),
                     "closed": g.get("closed", 0), "close_rate": g.get("close_rate"),
                     "on_time_rate": g.get("on_time_rate"),
                     "open": sum(by_id[i]["open"] for i in ids if i in by_id),
                     "participations": sum(by_id[i]["participations"] for i in ids if i in by_id)})
    rows.sort(key=lambda r: pinyin_key(r["name"]))
    return rows


def _map(user, committee) -> dict:
    """Open cases on the map: the grids of the scope (or the committee) with their open-case counts."""
    features = grid.grid_features(user=user, open_counts=True)
    if committee is not None:
        features["features"] = [f for f in features["features"]
                                if f["properties"]["committee_code"] == committee.code]
    return features


def overview(*, user, month: dt.date, committee: Node | None = None, use_cache: bool = True) -> dict:
    """Every figure of the cockpit for `month` (the month to date when it is the current one)."""
    key = _overview_key(user, month, committee)
    if use_cache:
        cached = cache.get(key)
        if cached is not None and (timezone.now() - cached["computed_at"]).total_seconds() <= FRESHNESS:
            return cached
    start, end = month_bounds(month)
    today = timezone.localdate()
    end = min(end, today) if start <= today else end
    ids = [committee.pk] if committee is not None else None
    g = grid.indicators(user=user, start=start, end=end, committee_ids=ids)[0]
    acc_rows, unattributed = _acceptance_by_committee(user, start, end)
    data = {
        "month": start, "start": start, "end": end, "committee": committee, "cache_key": key,
        "computed_at": timezone.now(), "freshness": FRESHNESS,
        "acceptance": ({**_acceptance(user, start, end), "unattributed": unattributed} if committee is None
                       else _acceptance_committee(acc_rows, unattributed, committee)),
        "grid": {"reported": g.get("reported", 0), "closed": g.get("closed", 0), "close_rate": g.get("close_rate"),
                 "on_time_rate": g.get("on_time_rate"), "overdue_open": g.get("overdue_open", 0),
                 "open": sum(grid.open_by_committee(user=user, committee_ids=ids).values())},
        "hotline": grid.hotline_rates(user=user, start=start, end=end,
                                      node_ids=None if committee is None else [committee.pk]),
        "services": _services(user, start, end, committee),
        "events": events.figures(user=user, start=start, end=end, node_ids=ids),
        "trend": _trend(user, end, committee),
        "committees": _committee_rows(user, start, end, acc_rows) if committee is None else [],
        "targets": targets_progress(user=user),
    }
    # The map's GeoJSON (720 grids for a district leader) is kept serialised, as the page embeds it: a warm page
    # then neither unpickles the features nor encodes them again (the largest part of the warm page's time).
    data["map_script"] = json_script(_map(user, committee), "cockpit-map-data")
    if use_cache:
        # Kept past its freshness so a refill can replace it without a gap; a read older than FRESHNESS recomputes.
        cache.set(key, data, 2 * FRESHNESS)
    return data


def _overview_key(user, month: dt.date, committee: Node | None) -> str:
    scope = hashlib.sha1("|".join(sorted(scope_paths(user))).encode()).hexdigest()[:16]
    return f"cockpit:v4:{scope}:{user.role}:{month:%Y-%m}:{committee.pk if committee else 0}"


def overview_prefill(*, now: dt.datetime | None = None) -> int:
    """Compute and cache this month's overview for every active leader who signed in within
    `PREFILL_RECENT_DAYS`, once per scope (two leaders of one 街道 share it); returns how many were computed."""
    now = now or timezone.now()
    month = timezone.localtime(now).date().replace(day=1)
    leaders = (User.objects.filter(role=Role.LEADER, is_active=True,
                                   last_login__gte=now - dt.timedelta(days=PREFILL_RECENT_DAYS))
               .order_by("-last_login"))
    done = set()
    for user in leaders:
        key = _overview_key(user, month, None)
        if key in done:
            continue
        done.add(key)
        cache.set(key, overview(user=user, month=month, use_cache=False), 2 * FRESHNESS)
    return len(done)


def public_headline(*, subdistrict: Node, month: dt.date) -> dict:
    """The residents' page: counts and rates only, no names, no personal data, for one 街道."""
    key = f"cockpit:public:v1:{subdistrict.pk}:{month:%Y-%m}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    start, end = month_bounds(month)
    ids = list(Node.objects.filter(path__startswith=subdistrict.path, kind=NodeKind.COMMITTEE)
               .values_list("id", flat=True))
    g = grid.indicators(user=None, start=start, end=end, committee_ids=ids)[0]
    ev = events.figures(user=None, start=start, end=end, node_ids=ids + [subdistrict.pk])
    data = {"subdistrict": subdistrict.name, "month": start, "computed_at": timezone.now(),
            "grid_closed": g.get("closed", 0), "grid_close_rate": g.get("close_rate"),
            "events": ev["events"], "participations": ev["participations"], "delegations": ev["delegations"]}
    cache.set(key, data, FRESHNESS)
    return data
