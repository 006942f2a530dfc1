"""Reads of the residents' side, scoped strictly to the account: its own records and those of the household
members it may act for. Anything else is 404."""

from __future__ import annotations

import datetime as dt
import hmac

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.acceptance.models import Case as AcceptanceCase
from shequ.acceptance.models import Review
from shequ.core.crypto import keyed_hash
from shequ.core.idcard import mask_id_number
from shequ.core.errors import DomainError
from shequ.people.models import Resident

from .choices import ACTS_FOR, AppointmentStatus
from .hooks import due_for
from .models import Appointment, AppointmentSlot, RenewalRequest, Report, ResidentAccount

ADULT_AGE = 18


def actable_residents(*, account: ResidentAccount) -> list[Resident]:
    """代办: the registered members of my household an adult may act for — my spouse, parents, children and
    grandparents by the household relation (ACTS_FOR), never siblings or other lodgers. Unbound accounts and
    minors act for nobody."""
    cached = getattr(account, "_actable", None)  # asked several times per page (tiles, lists)
    if cached is not None and cached[0] == account.resident_id:
        return cached[1]
    me = account.resident
    if me is None or not me.household_id or me.age < ADULT_AGE or me.relation not in ACTS_FOR:
        members = []
    else:
        members = list(Resident.objects.filter(household_id=me.household_id, is_active=True,
                                               relation__in=ACTS_FOR[me.relation])
                       .exclude(pk=me.pk).order_by("name_pinyin", "id"))
    account._actable = (account.resident_id, members)
    return members


def actable_resident(*, account: ResidentAccount, resident_id) -> Resident:
    try:
        rid = int(resident_id)
    except (TypeError, ValueError):
        rid = None
    for member in actable_residents(account=account):
        if member.pk == rid:
            return member
    raise DomainError(_("只能为本户登记的直系亲属代办。"), {"for_resident": [_("不能为该居民代办。")]})


def my_people(account: ResidentAccount) -> list[Resident]:
    """My registry record and the members I may act for (what every resident-side read is limited to)."""
    return ([account.resident] if account.resident_id else []) + actable_residents(account=account)


def slots_for_day(*, day: dt.date) -> QuerySet:
    return AppointmentSlot.objects.filter(date=day).select_related("category").order_by("start", "category__letter")


def slot_days(*, start: dt.date, days: int = 14) -> list[dt.date]:
    end = start + dt.timedelta(days=days)
    return list(AppointmentSlot.objects.filter(date__gte=start, date__lt=end).values_list("date", flat=True)
                .distinct().order_by("date"))


def appointments(*, account: ResidentAccount) -> QuerySet:
    return (Appointment.objects.filter(account=account)
            .select_related("slot", "slot__category", "item", "for_resident", "ticket").order_by("-slot__date", "-id"))


def appointment_get(*, account: ResidentAccount, pk) -> Appointment:
    appointment = appointments(account=account).filter(pk=pk).first()
    if appointment is None:
        raise Http404
    return appointment


def open_appointments(*, account: ResidentAccount) -> QuerySet:
    return appointments(account=account).filter(status=AppointmentStatus.BOOKED,
                                                 slot__date__gte=timezone.localdate()).order_by("slot__date",
                                                                                                "slot__start")


def reports(*, account: ResidentAccount) -> QuerySet:
    return Report.objects.filter(account=account).select_related("case", "case__category").order_by("-id")


def report_get(*, account: ResidentAccount, pk) -> Report:
    report = reports(account=account).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def acceptance_cases(*, account: ResidentAccount) -> QuerySet:
    """我的办件: cases where I — or a member I may act for — am the applicant, found by the registry link or by the
    applicant's ID hash."""
    people = my_people(account)
    if not people:
        return AcceptanceCase.objects.none()
    # Every case keeps the applicant's ID hash (indexed), whether or not the clerk linked the registry record.
    return (AcceptanceCase.objects.filter(applicant_id_hash__in=[p.id_hash for p in people])
            .select_related("item", "department").order_by("-id"))


def agent_cases(*, account: ResidentAccount, limit: int = 50) -> list[AcceptanceCase]:
    """我代办的: cases of household members I may act for that I handled for them — registered at the window
    with me as the agent (name and ID number checked against mine), or from the ticket of an appointment I
    booked for them. Newest first."""
    me = account.resident
    family = actable_residents(account=account)
    if me is None or not family:
        return []
    hashes = [p.id_hash for p in family]
    my_number = me.id_number or ""
    # Narrowed by the indexed applicant hash and the stored (masked) agent fields; the encrypted agent ID number
    # is compared only for those few candidates.
    candidates = (AcceptanceCase.objects.filter(applicant_id_hash__in=hashes, agent_name=me.name,
                                                agent_id_masked=mask_id_number(my_number))
                  .select_related("item").order_by("-id")[:limit])
    found = {c.pk: c for c in candidates
             if my_number and hmac.compare_digest((c.agent_id_number or "").upper(), my_number.upper())}
    tickets = list(Appointment.objects.filter(account=account, for_resident__in=family, ticket__isnull=False)
                   .values_list("ticket_id", flat=True)[:limit])
    if tickets:
        for c in (AcceptanceCase.objects.filter(ticket_id__in=tickets, applicant_id_hash__in=hashes)
                  .select_related("item").order_by("-id")[:limit]):
            found.setdefault(c.pk, c)
    return sorted(found.values(), key=lambda c: -c.pk)[:limit]


def acceptance_case_get(*, account: ResidentAccount, pk) -> AcceptanceCase:
    case = acceptance_cases(account=account).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def review_of(case: AcceptanceCase) -> Review | None:
    return Review.objects.filter(case=case).select_related("rectification").first()


def case_public_lookup(*, number: str, id_tail: str) -> AcceptanceCase | None:
    """Look a case up without logging in: its number and the last 6 characters of the applicant's ID number."""
    number = (number or "").strip().upper()[:20]
    tail = (id_tail or "").strip().upper()
    if len(tail) != 6 or not number:
        return None
    case = AcceptanceCase.objects.select_related("item").filter(number=number).first()
    if case is None or not case.applicant_id_number:
        return None
    if not hmac.compare_digest(case.applicant_id_number[-6:].upper(), tail):
        return None
    return case


def resident_by_id_number(number: str) -> Resident | None:
    return Resident.objects.filter(id_hash=keyed_hash(number), is_active=True).first()


def due_items(*, account: ResidentAccount) -> list[dict]:
    """到期提醒: what runs out for me and the members I act for (from every module's due source), each with
    whether a renewal was already asked for; plus my coming appointments (they are due too)."""
    items = due_for(account, my_people(account))
    asked = set(RenewalRequest.objects.filter(key__in=[d.key for d in items])
                .values_list("key", "end_date")) if items else set()
    today = timezone.localdate()
    return [{"due": d, "asked": (d.key, d.end_date) in asked, "days": (d.end_date - today).days} for d in items]

