"""Reads of 综合治理, scoped to the 街道s of the user's jurisdiction (anything else is 404). A department officer
sees the committees and meetings of his 街道 but only the tasks given to his own department. Grid cases and 12345
orders are read through the grid's selectors, with the user's own scope."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shequ.core.choices import Role
from shequ.core.scoping import filter_by_scope
from shequ.core.workcal import recent_months
from shequ.grid import selectors as grid

from .choices import OPEN_TASK, LinkKind, ProblemStatus, TaskStatus
from .models import Committee, Meeting, Problem, ProblemLink, Task


def _staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.can("governance.view")


def _get(qs, pk):
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404


def committee_list(*, user) -> QuerySet[Committee]:
    if not _staff(user):
        return Committee.objects.none()
    return filter_by_scope(Committee.objects.select_related("node"), user, "node").annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True))


def committee_get(*, user, pk) -> Committee:
    return _get(committee_list(user=user), pk)


def meeting_list(*, user, committee=None) -> QuerySet[Meeting]:
    if not _staff(user):
        return Meeting.objects.none()
    qs = filter_by_scope(Meeting.objects.select_related("committee", "committee__node"), user, "committee__node")
    if committee is not None:
        qs = qs.filter(committee=committee)
    return qs


def meeting_get(*, user, pk) -> Meeting:
    return _get(meeting_list(user=user), pk)


def previous_meeting(*, user, meeting: Meeting) -> Meeting | None:
    return meeting_list(user=user, committee=meeting.committee).filter(
        Q(date__lt=meeting.date) | Q(date=meeting.date, pk__lt=meeting.pk)).order_by("-date", "-id").first()


def is_owner(user, task: Task) -> bool:
    """The officer of the department the task was given to."""
    return (getattr(user, "role", None) == Role.DEPT_OFFICER and user.department_id is not None
            and user.department_id == task.department_id)


def task_list(*, user) -> QuerySet[Task]:
    if not _staff(user):
        return Task.objects.none()
    qs = filter_by_scope(Task.objects.select_related("meeting", "meeting__committee", "department", "problem"),
                         user, "meeting__committee__node")
    if getattr(user, "role", None) == Role.DEPT_OFFICER:
        qs = qs.filter(department_id=user.department_id) if user.department_id else qs.none()
    return qs


def task_get(*, user, pk) -> Task:
    return _get(task_list(user=user), pk)


def task_visible(*, user, task: Task) -> bool:
    return task_list(user=user).filter(pk=task.pk).exists()


def task_filter(qs: QuerySet[Task], *, status: str = "", overdue: bool = False, today=None) -> QuerySet[Task]:
    today = today or timezone.localdate()
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=OPEN_TASK, due_date__lt=today)
    return qs


def overdue_tasks(*, today: dt.date) -> QuerySet[Task]:
    """Every open task past its due date not yet reminded today (the scheduled reminder's work; unscoped)."""
    return Task.objects.select_related("department", "meeting").filter(
        status__in=OPEN_TASK, due_date__lt=today).filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))


def task_counts(tasks) -> dict:
    today = timezone.localdate()
    counts = Counter("overdue" if t.is_overdue(today) else t.status for t in tasks)
    return {"total": len(tasks), "closed": counts[TaskStatus.CLOSED], "overdue": counts["overdue"],
            "open": counts[TaskStatus.ASSIGNED] + counts[TaskStatus.IN_PROGRESS]}


def follow_up(*, user, meeting: Meeting) -> dict:
    """What the previous meeting of the same committee decided and where each task stands now."""
    previous = previous_meeting(user=user, meeting=meeting)
    tasks = list(task_list(user=user).filter(meeting=previous).prefetch_related("notes")) if previous else []
    for task in tasks:
        notes = list(task.notes.all())
        task.last_note = notes[-1] if notes else None
    return {"previous": previous, "tasks": tasks, "counts": task_counts(tasks)}


def officers_of(department) -> list:
    """The active officers of a department (who a reminder goes to)."""
    from shequ.core.models import User

    return list(User.objects.filter(is_active=True, role=Role.DEPT_OFFICER, department=department))


# --- 顽症 --------------------------------------------------------------------------------------------------------

def problem_list(*, user) -> QuerySet[Problem]:
    if not _staff(user):
        return Problem.objects.none()
    return filter_by_scope(Problem.objects.select_related("node", "category"), user, "node").annotate(
        link_count=Count("links", distinct=True))


def problem_get(*, user, pk) -> Problem:
    return _get(problem_list(user=user), pk)


def problem_visible(*, user, problem: Problem) -> bool:
    return problem_list(user=user).filter(pk=problem.pk).exists()


def problem_links(problem: Problem) -> QuerySet[ProblemLink]:
    return problem.links.select_related("case", "order", "confirmed_by")


def problem_suggestions(*, user, problem: Problem, limit: int = 50) -> dict:
    """Cases and 12345 orders that look like occurrences of the problem and are not linked yet: same category,
    in its grids or at its place, since it was first seen — read through the grid's selectors (the user's scope)."""
    since = dt.datetime.combine(problem.first_seen, dt.time.min, tzinfo=timezone.get_current_timezone())
    grid_ids = list(problem.grids.values_list("pk", flat=True))
    where = Q(address__contains=problem.place)
    if grid_ids:
        where |= Q(grid_id__in=grid_ids)
    cases = grid.case_base(user=user).filter(where, category_id=problem.category_id, reported_at__gte=since,
                                             duplicate_of__isnull=True).exclude(
        pk__in=problem.links.filter(case__isnull=False).values("case_id")).order_by("-reported_at")[:limit]
    orders = grid.hotline_list(user=user).filter(
        address__contains=problem.place, category_id=problem.category_id, received_at__gte=since,
        merged_into__isnull=True).exclude(
        pk__in=problem.links.filter(order__isnull=False).values("order_id")).order_by("-received_at")[:limit]
    return {"cases": list(cases), "orders": list(orders)}


def repeated_places(*, user, since: dt.datetime, minimum: int = 3, limit: int = 20) -> list[dict]:
    """Places with `minimum` or more cases of the same category since `since` (a 顽症 candidate): grid, category,
    address, count."""
    rows = (grid.case_base(user=user).filter(reported_at__gte=since, duplicate_of__isnull=True)
            .exclude(address="").values("grid_id", "grid__name", "category_id", "category__name", "address")
            .annotate(n=Count("id")).filter(n__gte=minimum).order_by("-n")[:limit])
    return list(rows)


def monthly_counts(*, problem: Problem, today: dt.date | None = None, months: int = 12) -> dict:
    """Linked occurrences per month for the last `months` months: {labels, cases, orders}."""
    today = today or timezone.localdate()
    firsts = list(reversed(recent_months(today, months)))
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(firsts[0], dt.time.min, tzinfo=tz)
    per = {(f.year, f.month): [0, 0] for f in firsts}
    for kind, when in problem.links.filter(occurred_at__gte=start).values_list("kind", "occurred_at"):
        local = timezone.localtime(when, tz)
        slot = per.get((local.year, local.month))
        if slot is not None:
            slot[0 if kind == LinkKind.CASE else 1] += 1
    return {"labels": [f"{f.year}-{f.month:02d}" for f in firsts],
            "cases": [per[(f.year, f.month)][0] for f in firsts],
            "orders": [per[(f.year, f.month)][1] for f in firsts]}


def active_problems(*, user) -> QuerySet[Problem]:
    return problem_list(user=user).exclude(status=ProblemStatus.CLOSED)


def departments() -> QuerySet:
    from shequ.core.models import Department

    return Department.objects.filter(is_active=True).order_by("kind", "sort_order", "code")


def categories() -> QuerySet:
    return grid.categories()


def grids(*, user) -> QuerySet:
    return grid.grid_nodes(user=user)


def evidence_get(*, user, pk):
    from .models import Evidence

    try:
        row = Evidence.objects.select_related("task").get(pk=int(pk))
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404
    if not task_visible(user=user, task=row.task):
        raise Http404
    return row
