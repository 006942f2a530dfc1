"""Evaluation (综合评价): the summary tables and the indicator formulas.

Two cohorts, as the evaluation standard counts them (reference §5; GB/T 30428.4 practice):
- the *report* figures (上报, 立案, 作废, 延期率, 监督举报率, 自处置率, 满意率) count the cases reported in the
  period, from the summary rows, so they do not move once the period is over;
- the *closing* figures (应结案, 结案, 按期结案, 缓办, 超时, 返工率, and the urgent ones) count the cases due or
  closed in the period, not those reported in it: 应结案数 = dispatched cases whose deadline fell in the period
  (up to now) and were not closed before it, plus the cases closed in it. A case due in March and closed in
  April is March's unclosed 应结案 and April's 结案. Read from the cohort rows (`CaseCohort` by day and committee,
  `CaseCohortMonth` by month), which every step of a case recounts for its deadline's and closing day; today
  (whose deadlines count only up to now) and the grouping by unit are counted live over `deadline` and
  `closed_at` (indexed).

Definitions (reference §5, 金华/福州 rules):
- 立案数 = cases filed (report cohort); 结案数 = cohort cases closed (结案 or 已评价) by the end of the period
- 缓办数 = cohort cases currently parked (挂账)
- 超时未处置 = cohort cases still with a unit past their deadline; 超时处置 = cohort cases closed, not on time
- 结案率 = 结案数 ÷ (应结案数 − 缓办数) × 100 %
- 按期结案率 = 按期结案数 ÷ (应结案数 − 缓办数) × 100 %; on time = the (passed) feedback was before the deadline
  (after a failed check, before the rework limit, and not already late before it)
- 返工率 = cohort cases closed after at least one rework ÷ 结案数 × 100 %
- 延期率 = filed cases extended at least once ÷ 立案数 × 100 %
- 监督举报率 = patrol/supervision reports ÷ (patrol + public reports) × 100 %
- 自处置数 = cases a residential-area work station solved itself (工作站自处置, reference §6 "居民区网格工作站");
  自处置率 = 自处置数 ÷ 立案数 × 100 %. They are not cases the centre dispatched, so they are kept out of the
  closing cohort (结案数, 按期结案数, 结案率, 按期结案率 and the urgent rates) and reported on their own.
- 综合指标值 = the composite of `CompositeRule` (configuration data; reference §5 "综合指标值 … weights are
  local"), its formula shown on the page.
- posts: 按时核实率 = on-time verifications ÷ verifications, 按时核查率, 按时派遣率, 准确派遣率 = 1 − wrong ÷ dispatches…

`CaseStat` rows (day × committee × unit × urgent) are recomputed for the buckets a step touches; a new report
is counted after its request (`catch_up`); `PostStat` rows are incremented by the services. A year of report
figures over a million cases reads the summary, not the cases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .choices import CaseStatus, Source, Urgency

S = CaseStatus
CLOSED = [S.CLOSED, S.EVALUATED]
PATROL_SOURCES = [Source.PATROL, Source.SUPERVISION, Source.VIDEO]
PUBLIC_SOURCES = [Source.RESIDENT, Source.HOTLINE, Source.POLICE_110]
STAT_FIELDS = ["reported", "patrol_reported", "public_reported", "filed", "voided", "dispatched", "closed",
               "closed_on_time", "closed_late", "reworked", "rework_total", "extended", "returned", "parked",
               "self_handled", "satisfied", "evaluated"]
# A summary row's bucket: (field, the alias the grouped queries select it as).
_BUCKET = [("day", "day"), ("committee", "committee_id"), ("unit", "unit_id"), ("urgent", "urgent")]
COHORT_KEYS = ["due", "closed", "closed_on_time", "closed_late", "parked", "reworked", "overdue_open",
               "urgent_closed", "urgent_on_time", "urgent_due"]


def _local_day(moment) -> dt.date:
    return timezone.localtime(moment).date()


def case_key(case) -> tuple:
    return (_local_day(case.reported_at), case.committee_id, case.unit_id, case.urgency != Urgency.NORMAL)


def _aggregates():
    """Aggregate expressions keyed `n_<field>` (an alias may not shadow a model field used in a filter)."""
    return {f"n_{k}": v for k, v in _raw_aggregates().items()}


def _raw_aggregates():
    return dict(
        reported=Count("id"),
        patrol_reported=Count("id", filter=Q(source__in=PATROL_SOURCES)),
        public_reported=Count("id", filter=Q(source__in=PUBLIC_SOURCES)),
        filed=Count("id", filter=Q(filed_at__isnull=False)),
        voided=Count("id", filter=Q(status=S.VOID)),
        dispatched=Count("id", filter=Q(first_dispatched_at__isnull=False)),
        closed=Count("id", filter=Q(status__in=CLOSED)),
        closed_on_time=Count("id", filter=Q(status__in=CLOSED, closed_on_time=True)),
        closed_late=Count("id", filter=Q(status__in=CLOSED, closed_on_time=False)),
        reworked=Count("id", filter=Q(status__in=CLOSED, rework_count__gt=0)),
        rework_total=Sum("rework_count"),
        extended=Count("id", filter=Q(filed_at__isnull=False, extension_count__gt=0)),
        returned=Count("id", filter=Q(return_count__gt=0)),
        parked=Count("id", filter=Q(status=S.PARKED)),
        self_handled=Count("id", filter=Q(self_handled=True)),
        satisfied=Count("id", filter=Q(satisfaction="satisfied")),
        evaluated=Count("id", filter=~Q(satisfaction="")),
    )


def _insert_grouped(model, qs, keys: list[tuple[str, str]], counts: list[tuple[str, str]]) -> int:
    """Write the rows of the grouped `qs` into `model`'s table in one `INSERT … SELECT` on the primary: `keys` and
    `counts` pair each target field with the alias `qs` selects it as (a count that is a SUM over no row is NULL:
    written as 0). A rebuild of millions of summary rows then never builds them in Python, as `bulk_create`
    would (three quarters of a rebuild's time). Returns the rows written."""
    from django.db import connections, router

    db = router.db_for_write(model)
    sql, params = qs.using(db).query.get_compiler(using=db).as_sql()
    quote = connections[db].ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(f).column) for f, _ in keys + counts)
    values = ", ".join([f"s.{quote(alias)}" for _, alias in keys]
                       + [f"COALESCE(s.{quote(alias)}, 0)" for _, alias in counts])
    with connections[db].cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {values} FROM ({sql}) s",
                       params)
        return cursor.rowcount


def _day_bounds(day: dt.date):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


_LOCK_CLASS = 0x5351  # PostgreSQL advisory locks of the summary refresh: (class, committee id)


def _serialise(committee_id) -> None:
    """A refresh counts the cases, then writes the summary row. Under PostgreSQL's READ COMMITTED two concurrent
    steps in one committee would each count without the other's uncommitted change, and the later write would
    leave a stale count (or a second row for a bucket whose unit is NULL, which the UNIQUE constraint does not
    catch). A transaction-scoped advisory lock per committee, taken before counting, makes them take turns, as
    SQLite's IMMEDIATE transactions already do."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, committee_id or 0])


def refresh_bucket(key: tuple) -> None:
    from .models import Case, CaseStat

    day, committee_id, unit_id, urgent = key
    _serialise(committee_id)
    start, end = _day_bounds(day)
    qs = Case.objects.filter(reported_at__gte=start, reported_at__lt=end, committee_id=committee_id, unit_id=unit_id)
    qs = qs.exclude(urgency=Urgency.NORMAL) if urgent else qs.filter(urgency=Urgency.NORMAL)
    values = qs.aggregate(**_aggregates())
    values = {k[2:]: v or 0 for k, v in values.items()}
    if not values["reported"]:
        CaseStat.objects.filter(day=day, committee_id=committee_id, unit_id=unit_id, urgent=urgent).delete()
    else:
        CaseStat.objects.update_or_create(day=day, committee_id=committee_id, unit_id=unit_id, urgent=urgent,
                                          defaults=values)
    _refresh_month(day.replace(day=1), committee_id, unit_id, urgent)


def _month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _refresh_month(first: dt.date, committee_id, unit_id, urgent) -> None:
    """Roll the month's (≤ 31) daily rows of one bucket up into `CaseStatMonth`."""
    from .models import CaseStat, CaseStatMonth

    key = dict(committee_id=committee_id, unit_id=unit_id, urgent=urgent)
    values = CaseStat.objects.filter(day__gte=first, day__lte=_month_end(first), **key).aggregate(
        **{f"s_{f}": Sum(f) for f in STAT_FIELDS})
    values = {_strip(k): v or 0 for k, v in values.items()}
    if not values["reported"]:
        CaseStatMonth.objects.filter(month=first, **key).delete()
    else:
        CaseStatMonth.objects.update_or_create(month=first, **key, defaults=values)
    _refresh_committee_month(first, committee_id, urgent)


def _refresh_committee_month(first: dt.date, committee_id, urgent) -> None:
    """Add the month's rows of one committee and urgency up over the units (`CaseStatCommitteeMonth`)."""
    from .models import CaseStatCommitteeMonth, CaseStatMonth

    key = dict(month=first, committee_id=committee_id, urgent=urgent)
    values = CaseStatMonth.objects.filter(**key).aggregate(**{f"s_{f}": Sum(f) for f in STAT_FIELDS})
    values = {_strip(k): v or 0 for k, v in values.items()}
    existing = CaseStatCommitteeMonth.objects.filter(**key)
    if not values["reported"]:
        existing.delete()
    elif not existing.update(**values):
        CaseStatCommitteeMonth.objects.create(**key, **values)


_CATCH_UP_LOCK = -1  # the advisory lock (class _LOCK_CLASS) one catch-up holds at a time


def catch_up(*, limit: int = 5000) -> int:
    """Count the reports not yet in the summary rows (`Case.stats_pending`): a report's request writes no summary
    row, so that its cost does not grow with the summaries it feeds. Each bucket a pending report falls in is
    recounted (as a step of an existing case recounts it) and the reporter's day of reports likewise, so running
    twice, or after a step already recounted the bucket, counts nothing twice. Called by the periodic task and by
    every indicator read before it reads: the figures never lag. Returns how many reports it counted."""
    from .models import Case

    if not Case.objects.filter(stats_pending=True).exists():  # the partial index: one probe when nothing waits
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, _CATCH_UP_LOCK])
        # The pending cases' rows are locked first (a case a step holds right now is skipped: the step recounts its
        # bucket itself, and the flag is cleared next time), then the buckets' advisory locks: the order a step
        # takes them in (its case row, then `_serialise`), so the two never wait on each other in a circle.
        rows = list(Case.objects.filter(stats_pending=True).select_for_update(skip_locked=True, of=("self",))
                    .order_by("id").values("id", "reported_at", "committee_id", "unit_id", "urgency",
                                           "reporter_id")[:limit])
        if not rows:
            return 0
        Case.objects.filter(pk__in=[r["id"] for r in rows]).update(stats_pending=False)
        keys = {(_local_day(r["reported_at"]), r["committee_id"], r["unit_id"], r["urgency"] != Urgency.NORMAL)
                for r in rows}
        for key in sorted(keys, key=lambda k: (k[1] or 0, k[2] or 0, k[3], k[0])):  # one lock order (_serialise)
            refresh_bucket(key)
        for day, user_id in sorted({(_local_day(r["reported_at"]), r["reporter_id"]) for r in rows
                                    if r["reporter_id"]}):
            _recount_reports(day, user_id)
    return len(rows)


def _recount_reports(day: dt.date, user_id: int) -> None:
    """The 上报 figure of one person's day: the cases they reported that day (a staff report names its reporter)."""
    from .models import Case, PostStat

    start, end = _day_bounds(day)
    count = Case.objects.filter(reporter_id=user_id, reported_at__gte=start, reported_at__lt=end).count()
    if not PostStat.objects.filter(day=day, user_id=user_id, action="report").update(count=count):
        try:
            with transaction.atomic():
                PostStat.objects.create(day=day, user_id=user_id, action="report", count=count)
        except IntegrityError:  # created meanwhile (a rebuild): set it
            PostStat.objects.filter(day=day, user_id=user_id, action="report").update(count=count)


def refresh_case(case, before_key: tuple | None = None, before_days=None) -> None:
    """Recount the summary rows a step of the case touched: its report bucket before and after, and the cohort
    rows (`cohort_days`) of its deadline's and closing day before and after (`before_days`, taken before the
    step changed the case)."""
    keys = {case_key(case)}
    if before_key:
        keys.add(before_key)
    for key in sorted(keys, key=lambda k: (k[1] or 0, k[2] or 0, k[3])):  # one lock order (see _serialise)
        refresh_bucket(key)
    days = cohort_days(case) | set(before_days or ())
    for committee_id, day in sorted(days, key=lambda k: (k[0] or 0, k[1])):  # the committees locked above
        refresh_cohort(committee_id, day)


def post_bump(*, action: str, when, user=None, user_id=None, count: int = 1, on_time=False, wrong: int = 0) -> None:
    from .models import PostStat

    user_id = user_id or getattr(user, "pk", None)
    if not user_id:
        return
    day = _local_day(when)
    row = PostStat.objects.filter(day=day, user_id=user_id, action=action)
    increments = dict(count=F("count") + count, on_time=F("on_time") + (1 if on_time else 0), wrong=F("wrong") + wrong)
    if not row.update(**increments):
        try:
            with transaction.atomic():
                PostStat.objects.create(day=day, user_id=user_id, action=action, count=count,
                                        on_time=1 if on_time else 0, wrong=wrong)
        except IntegrityError:  # a concurrent first step of the day created the row meanwhile: add to it
            row.update(**increments)


def rebuild(*, since: dt.date | None = None, stdout=None) -> int:
    """Recompute `CaseStat` from the cases (after a bulk load or a repair) with one grouped query per month."""
    from django.db.models.functions import TruncDate

    from .models import Case, CaseStat

    qs = Case.objects.all()
    stat_qs = CaseStat.objects.all()
    if since:
        start, _end = _day_bounds(since)
        qs = qs.filter(reported_at__gte=start)
        stat_qs = stat_qs.filter(day__gte=since)
    stat_qs.delete()
    tz = timezone.get_current_timezone()
    from django.db.models import BooleanField, ExpressionWrapper

    urgent = ExpressionWrapper(~Q(urgency=Urgency.NORMAL), output_field=BooleanField())
    rows = (qs.annotate(day=TruncDate("reported_at", tzinfo=tz), urgent=urgent)
            .values("day", "committee_id", "unit_id", "urgent").annotate(**_aggregates()).order_by())
    total = _insert_grouped(CaseStat, rows, _BUCKET, [(f, f"n_{f}") for f in STAT_FIELDS])
    _rebuild_months(since)
    cohort_rows = rebuild_cohort(since=since)
    if stdout:
        stdout.write(f"  指标汇总：{total} 行；结案口径汇总：{cohort_rows} 行")
    return total


def _rebuild_months(since: dt.date | None) -> None:
    _rebuild_daily_months(since)
    rebuild_committee_months(since=since)


def rebuild_committee_months(*, since: dt.date | None = None, month_model=None, committee_model=None) -> int:
    """Recompute `CaseStatCommitteeMonth` from `CaseStatMonth` (the models may be a migration's historical ones)."""
    if month_model is None:
        from .models import CaseStatMonth as month_model
    if committee_model is None:
        from .models import CaseStatCommitteeMonth as committee_model
    months, rows = month_model.objects.all(), committee_model.objects.all()
    if since:
        months = months.filter(month__gte=since.replace(day=1))
        rows = rows.filter(month__gte=since.replace(day=1))
    rows.delete()
    sums = (months.values("month", "committee_id", "urgent").annotate(**{f"s_{f}": Sum(f) for f in STAT_FIELDS})
            .order_by())
    return _insert_grouped(committee_model, sums, [("month", "month"), ("committee", "committee_id"),
                                                   ("urgent", "urgent")], [(f, f"s_{f}") for f in STAT_FIELDS])


def _rebuild_daily_months(since: dt.date | None) -> None:
    from django.db.models.functions import TruncMonth

    from .models import CaseStat, CaseStatMonth

    daily = CaseStat.objects.all()
    months = CaseStatMonth.objects.all()
    if since:
        daily = daily.filter(day__gte=since.replace(day=1))
        months = months.filter(month__gte=since.replace(day=1))
    months.delete()
    rows = (daily.annotate(m=TruncMonth("day")).values("m", "committee_id", "unit_id", "urgent")
            .annotate(**{f"s_{f}": Sum(f) for f in STAT_FIELDS}).order_by())
    _insert_grouped(CaseStatMonth, rows, [("month", "m"), *_BUCKET[1:]], [(f, f"s_{f}") for f in STAT_FIELDS])


# --- the closing cohort by day (`CaseCohort`) ----------------------------------------------------------------
# A dispatched case (not a work station's own, not void or merged) counts in the cohort of a period when it closed
# in it, or when its deadline fell in it and it was not closed before the period. For a period [s, e) that is:
# closed in [s, e), or due in [s, e) and still open (or closed at e or later). So a closed case is counted on its
# closing day and any other on its deadline's day; the cases due in a period that is over and closed after its end
# are counted on their deadline's day apart (`due_after_month`, `due_after_year`, or live for another period).

COHORT_ROW_KEYS = COHORT_KEYS + ["due_after_month", "urgent_after_month", "due_after_year", "urgent_after_year"]


def _date(moment) -> dt.date:
    return timezone.localtime(moment).date()


def _day_start(moment) -> dt.datetime:
    return _day_bounds(_date(moment))[0]


def _next_month(day: dt.date) -> dt.date:
    return _month_end(day.replace(day=1)) + dt.timedelta(days=1)


def _cohort_base(filters: dict, model=None, before=None):
    """The cases the closing cohort counts; `before`, the end of the period read, bounds their report time. A case
    due or closed before that moment was reported before it: a deadline is always set to a moment after the step
    setting it (dispatch, rework, reopening) or moved later (extension, end of 挂账), and a case closes after its
    report. So the bound changes no count, and on PostgreSQL the plan skips the year partitions after the period
    (grid_case is partitioned by reported_at). No lower bound follows: a case may wait any time before dispatch, be
    extended again and again (400 working hours at most each time) or parked for months before it falls due, and
    be closed any time later."""
    from .models import Case

    qs = ((model or Case).objects.filter(first_dispatched_at__isnull=False, self_handled=False, **filters)
          .exclude(status__in=[S.VOID, S.MERGED]))
    return qs if before is None else qs.filter(reported_at__lt=before)


def _not_closed() -> list:
    return [value for value in S.values if value not in CLOSED]


def _closed_cases(qs):
    """Closed, with a closing time ("closed" written as none of the other statuses: see `_cohort_parts`)."""
    return qs.filter(closed_at__isnull=False).exclude(status__in=_not_closed())


def _late_aggregates():
    urgent = ~Q(urgency=Urgency.NORMAL)
    return {"c_due": Count("id"), "c_urgent_due": Count("id", filter=urgent)}


def _late_cases(start, end, filters: dict):
    """The cases due in [start, end) and closed at its end or later (counted due, not closed)."""
    return _closed_cases(_cohort_base(filters, before=end)).filter(deadline__gte=start, deadline__lt=end,
                                                                   closed_at__gte=end)


def _cohort_sums():
    return {f"c_{k}": Sum(k) for k in COHORT_KEYS}


def _summary_rows(totals: dict, start, end, group_field, filters: dict, sums=None) -> None:
    """Add the cohort rows of the days [start, end) up, per group: whole months from `CaseCohortMonth`, the
    partial months at either end from `CaseCohort`."""
    from .models import CaseCohort, CaseCohortMonth

    sums = sums or _cohort_sums()
    for model, field, lo, hi in _segments(_date(start), _date(end) - dt.timedelta(days=1), CaseCohort,
                                          CaseCohortMonth):
        qs = model.objects.filter(**{f"{field}__gte": lo, f"{field}__lte": hi}, **filters)
        if group_field:
            for r in qs.values(g=F(group_field)).annotate(**sums).order_by():
                _add_rows(totals, r["g"], r)
        else:
            _add_rows(totals, None, qs.aggregate(**sums))


def _add_late(totals: dict, start, end, group_field, filters: dict) -> None:
    """A period that is over: its cases due in it but closed after its end count as due (and not closed). From the
    cohort rows when the period lies in one month or one year (ending with it), else counted from the cases."""
    first, last_day = _date(start), _date(end) - dt.timedelta(days=1)
    end_day = _date(end)
    field = None
    if end_day.day == 1 and first >= last_day.replace(day=1):
        field = "month"
    elif end_day.day == 1 and end_day.month == 1 and first >= last_day.replace(month=1, day=1):
        field = "year"
    if field:
        _summary_rows(totals, start, end, group_field, filters,
                      sums={"c_due": Sum(f"due_after_{field}"), "c_urgent_due": Sum(f"urgent_after_{field}")})
        return
    qs = _late_cases(start, end, filters)
    if group_field:
        for r in qs.values(g=F(group_field)).annotate(**_late_aggregates()).order_by():
            _add_rows(totals, r["g"], r)
    else:
        _add_rows(totals, None, qs.aggregate(**_late_aggregates()))


def cohort_days(case) -> set:
    """The cohort rows (committee, day) a case counts in: its deadline's day and its closing day."""
    days = set()
    for moment in (case.deadline, case.closed_at):
        if moment is not None:
            days.add((case.committee_id, _local_day(moment)))
    return days


def refresh_cohort(committee_id, day: dt.date) -> None:
    """Recount one committee's cohort row of one day from its cases (along the committee's deadline and closing
    indexes): the cases due that day and not closed with a closing time, the cases closed that day, and the
    closed cases due that day that closed in a later month or year."""
    from .models import CaseCohort

    _serialise(committee_id)
    start, end = _day_bounds(day)
    filters = {"committee_id": committee_id} if committee_id is not None else {"committee_id__isnull": True}
    base = _cohort_base(filters, before=end)
    row = {k: 0 for k in COHORT_ROW_KEYS}
    by_deadline = base.filter(deadline__gte=start, deadline__lt=end).exclude(status__in=CLOSED,
                                                                             closed_at__isnull=False)
    closing = _closed_cases(base).filter(closed_at__gte=start, closed_at__lt=end)
    for qs in (by_deadline, closing):
        for k, v in _uncohort(qs.aggregate(**_cohort_aggregates(end))).items():
            row[k] += v or 0
    next_month, next_year = _next_month(day), dt.date(day.year + 1, 1, 1)
    urgent = ~Q(urgency=Urgency.NORMAL)
    after_year = Q(closed_at__gte=_day_bounds(next_year)[0])
    late = _closed_cases(base).filter(deadline__gte=start, deadline__lt=end,
                                      closed_at__gte=_day_bounds(next_month)[0]).aggregate(
        due_after_month=Count("id"), urgent_after_month=Count("id", filter=urgent),
        due_after_year=Count("id", filter=after_year), urgent_after_year=Count("id", filter=after_year & urgent))
    row.update({k: v or 0 for k, v in late.items()})
    existing = CaseCohort.objects.filter(day=day, committee_id=committee_id)
    if not any(row.values()):
        existing.delete()
    elif not existing.update(**row):
        CaseCohort.objects.create(day=day, committee_id=committee_id, **row)
    _refresh_cohort_month(committee_id, day.replace(day=1))


def _refresh_cohort_month(committee_id, first: dt.date) -> None:
    """Roll one committee's (≤ 31) daily cohort rows of a month up into `CaseCohortMonth`."""
    from .models import CaseCohort, CaseCohortMonth

    values = CaseCohort.objects.filter(committee_id=committee_id, day__gte=first,
                                       day__lte=_month_end(first)).aggregate(
        **{f"s_{k}": Sum(k) for k in COHORT_ROW_KEYS})
    values = {_strip(k): v or 0 for k, v in values.items()}
    existing = CaseCohortMonth.objects.filter(month=first, committee_id=committee_id)
    if not any(values.values()):
        existing.delete()
    elif not existing.update(**values):
        CaseCohortMonth.objects.create(month=first, committee_id=committee_id, **values)


def cohort_contributions(*, committee_id, status, deadline, closed_at, closed_on_time, rework_count, urgency,
                         tz=None) -> list:
    """The cohort rows one (counted) case adds to, as [((committee, day), {field: 1…})]: the same rules as
    `refresh_cohort`, case by case (the rebuild)."""
    tz = tz or timezone.get_current_timezone()
    urgent = urgency != Urgency.NORMAL
    closed = status in CLOSED
    dday = deadline.astimezone(tz).date() if deadline is not None else None
    out = []
    if closed:
        row = {"due": 1, "closed": 1, "closed_on_time": int(closed_on_time is True),
               "closed_late": int(closed_on_time is not True), "reworked": int((rework_count or 0) > 0),
               "urgent_closed": int(urgent), "urgent_on_time": int(urgent and closed_on_time is True),
               "urgent_due": int(urgent)}
        if closed_at is None:
            if dday is not None:
                out.append(((committee_id, dday), row))
            return out
        cday = closed_at.astimezone(tz).date()
        out.append(((committee_id, cday), row))
        if dday is not None and (cday.year, cday.month) > (dday.year, dday.month):
            later = {"due_after_month": 1, "urgent_after_month": int(urgent)}
            if cday.year > dday.year:
                later.update(due_after_year=1, urgent_after_year=int(urgent))
            out.append(((committee_id, dday), later))
        return out
    if dday is not None:
        out.append(((committee_id, dday), {
            "due": 1, "parked": int(status == S.PARKED),
            "overdue_open": int(status in (S.DISPATCHED, S.HANDLING, S.RETURNED)), "urgent_due": int(urgent)}))
    return out


def rebuild_cohort(*, since: dt.date | None = None, case_model=None, cohort_model=None, month_model=None) -> int:
    """Recompute the cohort rows (`CaseCohort`, `CaseCohortMonth`) from the cases, from `since` on (all when
    None): one pass over the counted cases. The models may be a migration's historical ones."""
    from django.db.models.functions import TruncMonth

    if cohort_model is None:
        from .models import CaseCohort as cohort_model
    if month_model is None:
        from .models import CaseCohortMonth as month_model
    rows = cohort_model.objects.all()
    months = month_model.objects.all()
    qs = _cohort_base({}, model=case_model)
    if since:
        rows = rows.filter(day__gte=since)
        months = months.filter(month__gte=since.replace(day=1))
        start = _day_bounds(since)[0]
        # a row of a day from `since` on counts cases due or closed from then on
        qs = qs.filter(Q(deadline__gte=start) | Q(closed_at__gte=start))
    rows.delete()
    months.delete()
    tz = timezone.get_current_timezone()
    table: dict = {}
    for values in qs.values("committee_id", "status", "deadline", "closed_at", "closed_on_time", "rework_count",
                            "urgency").order_by().iterator(chunk_size=5000):
        for key, counts in cohort_contributions(tz=tz, **values):
            if since and key[1] < since:
                continue
            target = table.setdefault(key, dict.fromkeys(COHORT_ROW_KEYS, 0))
            for k, v in counts.items():
                target[k] += v
    objs = [cohort_model(committee_id=committee_id, day=day, **counts)
            for (committee_id, day), counts in table.items() if any(counts.values())]
    cohort_model.objects.bulk_create(objs, batch_size=5000)
    daily = cohort_model.objects.all()
    if since:
        daily = daily.filter(day__gte=since.replace(day=1))
    sums = (daily.annotate(m=TruncMonth("day")).values("m", "committee_id")
            .annotate(**{f"s_{k}": Sum(k) for k in COHORT_ROW_KEYS}).order_by())
    _insert_grouped(month_model, sums, [("month", "m"), ("committee", "committee_id")],
                    [(k, f"s_{k}") for k in COHORT_ROW_KEYS])
    return len(objs)


# --- indicators ----------------------------------------------------------------------------------------------

def pct(num, den) -> float | None:
    return round(num * 100.0 / den, 1) if den else None


def _period_bounds(start: dt.date, end: dt.date):
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def composite_rule():
    """The 综合指标值 rule (configuration data), or the default weights when none was saved."""
    from .models import CompositeRule

    return CompositeRule.objects.order_by("id").first() or CompositeRule()


def _finish(row: dict, rule=None) -> dict:
    """Apply the formulas to one row of counts (already split by `_urgent`: 自处置 out of 结案)."""
    closed = row.get("closed", 0)
    parked = row.get("parked", 0)
    row["due"] = row.get("due", 0)
    denominator = row["due"] - parked
    row["close_rate"] = pct(closed, denominator)
    row["on_time_rate"] = pct(row.get("closed_on_time", 0), denominator)
    row["rework_rate"] = pct(row.get("reworked", 0), closed)
    row["extension_rate"] = pct(row.get("extended", 0), row.get("filed", 0))
    row["patrol_share"] = pct(row.get("patrol_reported", 0),
                              row.get("patrol_reported", 0) + row.get("public_reported", 0))
    row["satisfaction_rate"] = pct(row.get("satisfied", 0), row.get("evaluated", 0))
    rate = row["on_time_rate"]
    row["light"] = "" if rate is None else ("green" if rate >= 90 else "yellow" if rate >= 70 else "red")
    row["self_handle_rate"] = pct(row.get("self_handled", 0), row.get("filed", 0))
    score = (rule or composite_rule()).score(row)
    row["score"] = score if denominator or row.get("filed") else None
    return row


def _cohort_aggregates(end):
    closed = Q(status__in=CLOSED) & (Q(closed_at__lt=end) | Q(closed_at__isnull=True))  # null: rows loaded without it
    urgent = ~Q(urgency=Urgency.NORMAL)
    # Keyed `c_<name>`: an alias may not shadow a model field used in a filter (closed_on_time).
    return {f"c_{k}": v for k, v in dict(
        due=Count("id"),
        closed=Count("id", filter=closed),
        closed_on_time=Count("id", filter=closed & Q(closed_on_time=True)),
        closed_late=Count("id", filter=closed & ~Q(closed_on_time=True)),
        parked=Count("id", filter=Q(status=S.PARKED)),
        reworked=Count("id", filter=closed & Q(rework_count__gt=0)),
        overdue_open=Count("id", filter=Q(status__in=[S.DISPATCHED, S.HANDLING, S.RETURNED])),
        urgent_closed=Count("id", filter=closed & urgent),
        urgent_on_time=Count("id", filter=closed & urgent & Q(closed_on_time=True)),
        urgent_due=Count("id", filter=urgent),
    ).items()}


def _uncohort(row: dict) -> dict:
    return {(k[2:] if k.startswith("c_") else k): v for k, v in row.items()}


def _cohort_parts(start, end, now, filters: dict) -> tuple:
    """The closing cohort of [start, end): dispatched cases (not a work station's own) due in the period up to
    now and not closed before it, or closed in it — as two disjoint parts whose counts add up: the cases due in
    the period (read along the deadline index) and the cases closed in it that were not due in it (along the
    closing-time index). One query with the OR of both could use neither index and read every case (3 s a month
    at a million cases)."""
    base = _cohort_base(filters, before=end)
    due_in_period = Q(deadline__gte=start, deadline__lt=min(end, now))
    due = base.filter(due_in_period).exclude(status__in=CLOSED, closed_at__lt=start)
    # "Closed" written as "none of the other statuses": a NOT IN cannot lead an index, so the planner takes the
    # closing-time range instead of the status index (most cases are closed: 865,000 index entries to walk).
    not_closed = [value for value in S.values if value not in CLOSED]
    closed = (base.filter(closed_at__gte=start, closed_at__lt=end).exclude(status__in=not_closed)
              .exclude(due_in_period))
    return due, closed


def _add_rows(totals: dict, key, row: dict) -> None:
    target = totals.setdefault(key, {k: 0 for k in COHORT_KEYS})
    for k, v in _uncohort(row).items():
        if k != "g":
            target[k] = target.get(k, 0) + (v or 0)


def _cohort(start, end, now, group_field: str | None, filters: dict) -> dict:
    """Closing-cohort counts per group (committee or unit id), or {None: counts}: the days before today from the
    cohort rows (`CaseCohort`), today (whose deadlines count only up to now) live; by unit, live."""
    if group_field not in (None, "committee_id"):
        return _cohort_live(start, end, now, group_field, filters)
    totals: dict = {}
    today = _day_start(now)
    if start < min(end, today):
        _summary_rows(totals, start, min(end, today), group_field, filters)
    if end > today:
        for key, row in _cohort_today(max(start, today), end, now, group_field, filters).items():
            _add_rows(totals, key, row)
    elif end <= now:
        _add_late(totals, start, end, group_field, filters)
    return totals if group_field else {None: totals.get(None) or {k: 0 for k in COHORT_KEYS}}


_OVERDUE_OPEN = (S.DISPATCHED, S.HANDLING, S.RETURNED)


def _cohort_today(start, end, now, group_field: str | None, filters: dict) -> dict:
    """The cohort of today's part of a period (a few hundred cases due or closed today): the cases read and counted
    here as `_cohort_aggregates` counts them, which costs less than building and running its aggregates."""
    totals: dict = {}
    for qs in _cohort_parts(start, end, now, filters):
        for group, status, closed_at, on_time, rework, urgency in qs.values_list(
                group_field or "id", "status", "closed_at", "closed_on_time", "rework_count", "urgency"):
            t = totals.setdefault(group if group_field else None, dict.fromkeys(COHORT_KEYS, 0))
            urgent = urgency != Urgency.NORMAL
            t["due"] += 1
            t["urgent_due"] += urgent
            if status in CLOSED and (closed_at is None or closed_at < end):
                t["closed"] += 1
                t["closed_on_time"] += on_time is True
                t["closed_late"] += on_time is not True
                t["reworked"] += (rework or 0) > 0
                t["urgent_closed"] += urgent
                t["urgent_on_time"] += urgent and on_time is True
            t["parked"] += status == S.PARKED
            t["overdue_open"] += status in _OVERDUE_OPEN
    return totals


def _cohort_live(start, end, now, group_field: str | None, filters: dict) -> dict:
    """Closing-cohort counts per group counted from the cases (`_cohort_parts`)."""
    totals: dict = {}
    for qs in _cohort_parts(start, end, now, filters):
        if group_field:
            for r in qs.values(g=F(group_field)).annotate(**_cohort_aggregates(end)).order_by():
                _add_rows(totals, r["g"], r)
        else:
            _add_rows(totals, None, qs.aggregate(**_cohort_aggregates(end)))
    return totals if group_field else {None: totals.get(None) or {k: 0 for k in COHORT_KEYS}}


def _cohort_by_day(start, end, now, filters: dict) -> dict:
    """Per day: a case counts on its closing day if it closed in the period, else on its deadline's day. The days
    before today from the cohort rows, today live."""
    from .models import CaseCohort

    totals: dict = {}
    today = _day_start(now)
    if start < min(end, today):
        qs = CaseCohort.objects.filter(day__gte=_date(start), day__lt=_date(min(end, today)), **filters)
        for r in qs.values("day").annotate(**_cohort_sums()).order_by():
            _add_rows(totals, r.pop("day"), r)
    if end > today:
        for key, row in _cohort_by_day_live(max(start, today), end, now, filters).items():
            _add_rows(totals, key, row)
    elif end <= now:
        late = _late_cases(start, end, filters).annotate(
            g=TruncDate("deadline", tzinfo=timezone.get_current_timezone()))
        for r in late.values("g").annotate(**_late_aggregates()).order_by():
            _add_rows(totals, r["g"], r)
    return totals


def _cohort_by_day_live(start, end, now, filters: dict) -> dict:
    from django.db.models import Case as CaseWhen, DateField, When
    from django.db.models.functions import TruncDate

    tz = timezone.get_current_timezone()
    bucket = CaseWhen(When(Q(status__in=CLOSED, closed_at__gte=start, closed_at__lt=end),
                        then=TruncDate("closed_at", tzinfo=tz)),
                   default=TruncDate("deadline", tzinfo=tz), output_field=DateField())
    totals: dict = {}
    for qs in _cohort_parts(start, end, now, filters):
        for r in qs.annotate(g=bucket).values("g").annotate(**_cohort_aggregates(end)).order_by():
            _add_rows(totals, r["g"], r)
    return totals


def _months(start: dt.date, end: dt.date):
    first = start.replace(day=1)
    while first <= end:
        yield first, min(_month_end(first), end)
        first = _month_end(first) + dt.timedelta(days=1)


def _segments(start: dt.date, end: dt.date, daily=None, monthly=None):
    """Split [start, end] into (model, date field, from, to) parts: whole months read the monthly rollup, the
    partial months at either end read the daily summary (`CaseStat` and `CaseStatMonth` unless given)."""
    from .models import CaseStat, CaseStatMonth

    CaseStat, CaseStatMonth = daily or CaseStat, monthly or CaseStatMonth  # noqa: N806
    first_full = start if start.day == 1 else _month_end(start) + dt.timedelta(days=1)
    last_full_end = end if end == _month_end(end.replace(day=1)) else end.replace(day=1) - dt.timedelta(days=1)
    if first_full > last_full_end:
        return [(CaseStat, "day", start, end)]
    parts = [(CaseStatMonth, "month", first_full, last_full_end.replace(day=1))]
    if start < first_full:
        parts.append((CaseStat, "day", start, first_full - dt.timedelta(days=1)))
    if end > last_full_end:
        parts.append((CaseStat, "day", last_full_end + dt.timedelta(days=1), end))
    return parts


SUM_KEYS = STAT_FIELDS + ["urgent_closed", "urgent_on_time", "urgent_filed", "urgent_self"]


def _sums():
    sums = {f"s_{f}": Sum(f) for f in STAT_FIELDS}
    sums.update({"urgent_closed": Sum("closed", filter=Q(urgent=True)),
                 "urgent_on_time": Sum("closed_on_time", filter=Q(urgent=True)),
                 "urgent_filed": Sum("filed", filter=Q(urgent=True)),
                 "urgent_self": Sum("self_handled", filter=Q(urgent=True))})
    return sums


def _grouped(start, end, group_key, node_ids) -> dict:
    """Summed counts per group key over the period, combining monthly and daily summary rows."""
    from django.db.models.functions import TruncMonth

    from .models import CaseStat, CaseStatCommitteeMonth

    totals: dict = {}
    # Whole months from the units' totals per committee, unless the rows are grouped by unit.
    monthly = None if group_key == "unit_id" else CaseStatCommitteeMonth
    for model, field, lo, hi in _segments(start, end, CaseStat, monthly):
        qs = model.objects.filter(**{f"{field}__gte": lo, f"{field}__lte": hi})
        if node_ids is not None:
            qs = qs.filter(committee_id__in=node_ids)
        if group_key == "month":
            qs = qs.annotate(g=TruncMonth(field)) if field == "day" else qs.annotate(g=F("month"))
            rows = qs.values("g").annotate(**_sums()).order_by()
        elif group_key == "day":
            rows = qs.annotate(g=F(field)).values("g").annotate(**_sums()).order_by()
        elif group_key:
            rows = qs.annotate(g=F(group_key)).values("g").annotate(**_sums()).order_by()
        else:
            rows = [dict(qs.aggregate(**_sums()), g=None)]
        for r in rows:
            target = totals.setdefault(r["g"], {k: 0 for k in SUM_KEYS})
            for k, v in r.items():
                if k != "g":
                    target[_strip(k)] += v or 0
    return totals


def indicators(*, start: dt.date, end: dt.date, by: str = "total", node_ids=None, now=None) -> list[dict]:
    """Indicator rows for the period. `by`: total | committee | unit | day | month. `node_ids` limits to
    committees in the user's scope. Report figures from the summary rows, closing figures from the cohort."""
    catch_up()
    now = now or timezone.now()
    rule = composite_rule()
    filters = {"committee_id__in": node_ids} if node_ids is not None else {}
    if by == "day":
        from .models import CaseStat

        totals: dict = {}
        qs = CaseStat.objects.filter(day__gte=start, day__lte=end)
        if node_ids is not None:
            qs = qs.filter(committee_id__in=node_ids)
        for r in qs.values("day").annotate(**_sums()).order_by():
            totals[r["day"]] = {_strip(k): v or 0 for k, v in r.items() if k != "day"}
        lo, hi = _period_bounds(start, end)
        cohort = _cohort_by_day(lo, hi, now, filters)
    elif by == "month":
        totals = _grouped(start, end, "month", node_ids)
        cohort = {}
        for first, last in _months(start, end):  # each month its own cohort (a case may be due in one, closed in another)
            lo, hi = _period_bounds(first, last)
            cohort[first] = _cohort(lo, hi, now, None, filters)[None]
    else:
        group = {"total": None, "committee": "committee_id", "unit": "unit_id"}.get(by)
        totals = _grouped(start, end, group, node_ids)
        lo, hi = _period_bounds(start, end)
        cohort = _cohort(lo, hi, now, group, filters)
        if group is None:
            totals = {None: totals.get(None) or {k: 0 for k in SUM_KEYS}}
    result = []
    for key in _ordered_keys(set(totals) | {k for k, v in cohort.items() if v.get("due")}, by):
        row = {**{k: 0 for k in SUM_KEYS}, **totals.get(key, {})}
        row.update({k: (cohort.get(key) or {}).get(k) or 0 for k in COHORT_KEYS})
        row["key"] = key
        _urgent(row)
        result.append(_finish(row, rule))
    return result


def total_of(rows: list[dict]) -> dict:
    """The total row of grouped rows (every committee of a scope): their counts added and the formulas applied
    again, instead of counting the period a second time."""
    row = {k: sum(r.get(k) or 0 for r in rows) for k in dict.fromkeys(SUM_KEYS + COHORT_KEYS)}
    row["key"] = None
    _urgent(row)
    return _finish(row, composite_rule())


def _ordered_keys(keys, by: str) -> list:
    if by in ("day", "month"):
        return sorted(k for k in keys if k is not None)
    return sorted(keys, key=lambda k: (k is None, k or 0))


def _strip(key: str) -> str:
    return key[2:] if key.startswith("s_") else key


def _urgent(row: dict) -> None:
    """The urgent rates over the closing cohort (which already leaves the work stations' own cases out)."""
    row["urgent_on_time_rate"] = pct(row.get("urgent_on_time", 0), row.get("urgent_closed", 0))
    row["urgent_close_rate"] = pct(row.get("urgent_closed", 0), row.get("urgent_due", 0))


def post_indicators(*, start: dt.date, end: dt.date, user_ids=None) -> list[dict]:
    """Per person: 上报数, 有效上报数, 核实/核查 (on time), 立案, 派遣 (on time, wrong), 结案 (on time)."""
    catch_up()
    from shequ.core.models import User

    from .models import PostStat

    qs = PostStat.objects.filter(day__gte=start, day__lte=end)
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    table: dict[int, dict] = defaultdict(dict)
    for r in qs.values("user_id", "action").annotate(n=Sum("count"), t=Sum("on_time"), w=Sum("wrong")).order_by():
        table[r["user_id"]][r["action"]] = (r["n"] or 0, r["t"] or 0, r["w"] or 0)
    users = {u.pk: u for u in User.objects.filter(pk__in=table.keys())}
    rows = []
    for user_id, acts in table.items():
        user = users.get(user_id)
        if user is None:
            continue
        get = lambda a: acts.get(a, (0, 0, 0))  # noqa: E731
        reports, valid = get("report")[0], get("report_valid")[0]
        verify, check, file_, dispatch, close = get("verify"), get("check"), get("file"), get("dispatch"), get("close")
        rows.append({
            "user": user, "role": user.get_role_display(),
            "reports": reports, "valid_reports": valid, "valid_rate": pct(valid, reports),
            "verify": verify[0], "verify_on_time_rate": pct(verify[1], verify[0]),
            "check": check[0], "check_on_time_rate": pct(check[1], check[0]),
            "file": file_[0], "file_on_time_rate": pct(file_[1], file_[0]),
            "dispatch": dispatch[0], "dispatch_on_time_rate": pct(dispatch[1], dispatch[0]),
            "wrong_dispatch": dispatch[2], "accurate_dispatch_rate": pct(dispatch[0] - dispatch[2], dispatch[0]),
            "close": close[0], "close_on_time_rate": pct(close[1], close[0]),
        })
    rows.sort(key=lambda r: (r["role"], -(r["reports"] + r["verify"] + r["check"] + r["dispatch"] + r["close"])))
    return rows
