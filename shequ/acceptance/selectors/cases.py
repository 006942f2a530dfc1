"""Reads of cases, always within the user's jurisdiction; department officers see their department's cases."""

from __future__ import annotations

import datetime as dt
import heapq

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import NodeKind
from shequ.core.scoping import filter_by_scope

from ..choices import CASE_BACKOFFICE, CASE_CLOCK_RUNNING, CASE_FINAL, CaseStatus, Light
from ..models import Case


# Lists show masked values only; loading the ciphertext would decrypt it for every row.
ENCRYPTED = ("applicant_id_number", "applicant_phone", "agent_id_number")


def case_queryset(*, user) -> QuerySet:
    qs = filter_by_scope(Case.objects.all(), user, "node", NodeKind.SUBDISTRICT)
    if user.can("acceptance.cases_all"):
        return qs
    if user.can("acceptance.backoffice") and user.department_id:
        return qs.filter(department_id=user.department_id)
    return qs.none()


def case_get(*, user, pk) -> Case:
    try:
        return (case_queryset(user=user).select_related("item", "department", "node", "ticket", "received_by",
                                                        "accepted_by", "handler", "completed_by", "delivered_by",
                                                        "committee")
                .get(pk=int(pk)))
    except (Case.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def case_light(case: Case, today: dt.date | None = None) -> str:
    """Traffic light: yellow from 80 % of the limit, red at 100 % (due today) and after; grey while paused."""
    today = today or timezone.localdate()
    if case.status == CaseStatus.RETURNED:
        return Light.PAUSED
    if case.status not in CASE_CLOCK_RUNNING or case.due_date is None:
        return Light.NONE
    if today > case.due_date:
        return Light.RED
    if case.clock_start == case.due_date:  # 即办件: due the same day
        return Light.GREEN
    if today >= case.due_date:
        return Light.RED
    if case.warn_date and today >= case.warn_date:
        return Light.YELLOW
    return Light.GREEN


def case_list(*, user, status: str = "", light: str = "", item=None, department=None, search: str = "",
              date_from: dt.date | None = None, date_to: dt.date | None = None) -> QuerySet:
    qs = case_filter_light(case_filter_status(case_queryset(user=user), status), light)
    if item is not None:
        qs = qs.filter(item=item)
    if department is not None:
        qs = qs.filter(department=department)
    qs = case_filter_search(case_filter_received(qs, date_from, date_to), search)
    return qs.select_related("item", "department").defer(*ENCRYPTED).order_by("-id")


def case_filter_status(qs: QuerySet, status: str) -> QuerySet:
    """A status, or `open` (not yet delivered, rejected or terminated)."""
    if status == "open":
        return qs.filter(status__in=[s for s in CaseStatus.values if s not in CASE_FINAL])  # IN uses the index
    return qs.filter(status=status) if status else qs


def case_filter_light(qs: QuerySet, light: str) -> QuerySet:
    """soon (yellow or red today), overdue, rongque_late (容缺 materials not supplied in time)."""
    today = timezone.localdate()
    if light == "overdue":
        return qs.filter(status__in=CASE_CLOCK_RUNNING, due_date__lt=today)
    if light == "soon":
        return qs.filter(status__in=CASE_CLOCK_RUNNING, warn_date__lte=today, due_date__gte=today)
    if light == "rongque_late":
        return qs.filter(rongque_pending=True, rongque_deadline__lt=today)
    return qs


def case_filter_received(qs: QuerySet, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """Received on or after `date_from` and on or before `date_to` (local dates)."""
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(received_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(received_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs


def case_filter_search(qs: QuerySet, search: str) -> QuerySet:
    """A case number (SL…) exactly, otherwise the start of the applicant's name."""
    search = (search or "").strip()[:32]
    if not search:
        return qs
    if search.upper().startswith("SL") and search[2:].isdigit():
        return qs.filter(number=search.upper())
    return qs.filter(applicant_name__startswith=search)


def keyset_page(qs: QuerySet, *, before: str | None, size: int = 25) -> tuple[list, int | None]:
    """One page of a list ordered by -id, and the id to continue from (no COUNT, constant cost at depth)."""
    if before:
        try:
            qs = qs.filter(id__lt=int(before))
        except (TypeError, ValueError):
            pass
    rows = list(qs[: size + 1])
    more = rows[size].pk if len(rows) > size else None
    rows = rows[:size]
    return rows, (rows[-1].pk if more else None)


def backoffice_queue(*, user) -> QuerySet:
    """Every case in the department's hands (to review, paused for 补正, decided and not yet completed), most
    urgent first; `BackofficeFilterSet` narrows it to one bucket."""
    return (case_queryset(user=user).filter(status__in=[*CASE_BACKOFFICE, CaseStatus.RETURNED, CaseStatus.APPROVED,
                                                        CaseStatus.REFUSED])
            .select_related("item", "handler").defer(*ENCRYPTED).order_by("due_date", "id"))


# The department's queue, in buckets: (value, label, statuses). The empty value is the default view.
BACKOFFICE_BUCKETS = (
    ("accepted", CaseStatus.ACCEPTED.label, (CaseStatus.ACCEPTED,)),
    ("reviewing", CaseStatus.REVIEWING.label, (CaseStatus.REVIEWING,)),
    ("returned", CaseStatus.RETURNED.label, (CaseStatus.RETURNED,)),
    ("decided", _("已审核待办结"), (CaseStatus.APPROVED, CaseStatus.REFUSED)),
    ("all", _("全部在办"), (*CASE_BACKOFFICE, CaseStatus.RETURNED, CaseStatus.APPROVED, CaseStatus.REFUSED)),
)


def case_filter_backoffice_bucket(qs: QuerySet, bucket: str) -> QuerySet:
    """One bucket of the back-office queue; empty: waiting for the department's review (待签收 and 审核中)."""
    for value, _label, statuses in BACKOFFICE_BUCKETS:
        if value == bucket:
            return qs.filter(status__in=statuses)
    return qs.filter(status__in=CASE_BACKOFFICE)


def backoffice_filter_search(qs: QuerySet, search: str) -> QuerySet:
    """A case number (SL…) exactly, otherwise the start of the applicant's name, or the item's code or a part of
    its name."""
    search = (search or "").strip()[:32]
    if not search:
        return qs
    if search.upper().startswith("SL") and search[2:].isdigit():
        return qs.filter(number=search.upper())
    return qs.filter(Q(applicant_name__startswith=search) | Q(item__name__contains=search)
                     | Q(item__code__iexact=search))


def backoffice_pending(*, user, limit: int) -> list[Case]:
    """The `limit` most urgent cases waiting for the department's review. One indexed, ordered, limited read per
    status (department, status, due_date), merged: a district-wide department queue is never sorted in full."""
    base = case_queryset(user=user).select_related("item", "handler").defer(*ENCRYPTED)
    parts = [base.filter(status=status).order_by("due_date", "id")[:limit] for status in CASE_BACKOFFICE]
    return list(heapq.merge(*parts, key=lambda c: (c.due_date or dt.date.max, c.pk)))[:limit]


def decided_awaiting_completion(*, user) -> QuerySet:
    return (case_queryset(user=user).filter(status__in=[CaseStatus.APPROVED, CaseStatus.REFUSED])
            .select_related("item", "handler").defer(*ENCRYPTED).order_by("decided_at"))


def overdue(*, user) -> QuerySet:
    today = timezone.localdate()
    return (case_queryset(user=user).filter(status__in=CASE_CLOCK_RUNNING, due_date__lt=today)
            .select_related("item", "department", "handler").defer(*ENCRYPTED).order_by("due_date", "id"))


def due_soon(*, user) -> QuerySet:
    today = timezone.localdate()
    return (case_queryset(user=user).filter(status__in=CASE_CLOCK_RUNNING, warn_date__lte=today, due_date__gte=today)
            .select_related("item", "department", "handler").defer(*ENCRYPTED).order_by("due_date", "id"))


def rongque_late(*, user) -> QuerySet:
    today = timezone.localdate()
    return (case_queryset(user=user).filter(rongque_pending=True, rongque_deadline__lt=today)
            .exclude(status__in=[CaseStatus.TERMINATED, CaseStatus.REJECTED])
            .select_related("item", "department").defer(*ENCRYPTED).order_by("rongque_deadline"))


def count_due_soon(user) -> int:
    return due_soon(user=user).count()


def count_overdue(user) -> int:
    return overdue(user=user).count()


def count_backoffice(user) -> int:
    return case_queryset(user=user).filter(status__in=CASE_BACKOFFICE).count()


def count_to_deliver(user) -> int:
    return case_queryset(user=user).filter(Q(status=CaseStatus.COMPLETED)).count()


def count_notified(user) -> int:
    return case_queryset(user=user).filter(status=CaseStatus.NOTIFIED).count()


def case_by_public_code(*, number: str, check_code: str) -> Case | None:
    number = (number or "").strip().upper()[:20]
    code = (check_code or "").strip()[:6]
    if not number or len(code) != 6:
        return None
    import hmac

    case = Case.objects.select_related("item", "node", "department").filter(number=number).first()
    if case is None or not hmac.compare_digest(case.check_code, code):
        return None
    return case
