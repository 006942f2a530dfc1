"""Reads of the family-doctor contracts, always within the user's jurisdiction (the contract's committee); the
residents' side reads only the account's own people (`portal.selectors`)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from shequ.core import crypto, idcard
from shequ.core.choices import NodeKind, Role
from shequ.core.models import Node
from shequ.core.scoping import filter_by_scope, scope_is_whole_tree, scoped_nodes
from shequ.people import selectors as people_selectors

from .choices import DUE_DAYS, GROUP_AGES, GROUP_TAGS, ContractStatus, InstitutionLevel, KeyGroup
from .models import Contract, CoverageSnapshot, CoverageTarget, Doctor, Institution

LIST_FIELDS = ("resident", "committee", "doctor", "doctor__institution", "district_hospital", "city_hospital")


def due_limit(today: dt.date | None = None) -> dt.date:
    """The last end date on the renewal-due list: exactly 60 days ahead is due, 61 is not."""
    return (today or timezone.localdate()) + dt.timedelta(days=DUE_DAYS)


def contract_scope(*, user) -> QuerySet:
    return filter_by_scope(Contract.objects.all(), user, "committee", NodeKind.COMMITTEE)


def contract_list(*, user, search: str = "", status: str = "", committee_id: int | None = None,
                  doctor_id: int | None = None, due: bool = False) -> QuerySet:
    qs = contract_scope(user=user)
    today = timezone.localdate()
    if due:
        qs = qs.filter(status=ContractStatus.ACTIVE, end_date__lte=due_limit(today))
    if status == "expired":
        qs = qs.filter(status=ContractStatus.ACTIVE, end_date__lt=today)
    elif status == "closed":
        qs = qs.exclude(status=ContractStatus.ACTIVE)
    elif status:
        qs = qs.filter(status=status)
    if committee_id:
        qs = qs.filter(committee_id=committee_id)
    if doctor_id:
        qs = qs.filter(doctor_id=doctor_id)
    qs = contract_filter_search(qs, search)
    # The ciphertext of the conditions is never loaded for a list (a Fernet decryption per row).
    return qs.select_related(*LIST_FIELDS).defer("conditions", "resident__id_number", "resident__phone")


def contract_filter_search(qs: QuerySet, search: str) -> QuerySet:
    """A contract number, a full ID number (through the registry's keyed hash) or the start of a name."""
    search = (search or "").strip()[:64]
    if not search:
        return qs
    if idcard.looks_like_id_number(search):
        try:
            return qs.filter(resident__id_hash=crypto.keyed_hash(idcard.normalize_id_number(search)))
        except idcard.InvalidIdNumber:
            return qs.none()
    if search.upper().startswith("QY") and search[2:].isdigit():
        return qs.filter(number__startswith=search.upper())
    return qs.filter(resident__name__startswith=search)


def contract_get(*, user, pk) -> Contract:
    try:
        return (contract_scope(user=user).select_related(*LIST_FIELDS, "previous", "signed_by")
                .get(pk=int(pk)))
    except (Contract.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404


def contract_chain(*, contract: Contract) -> list[Contract]:
    """The person's contracts, newest first (the history of renewals, switches and terminations)."""
    return list(Contract.objects.filter(resident_id=contract.resident_id).select_related("doctor")
                .defer("conditions").order_by("-start_date", "-id"))


def contract_events(*, contract: Contract) -> QuerySet:
    return contract.events.select_related("actor")


def active_contract_of(*, resident_id: int) -> Contract | None:
    return (Contract.objects.filter(resident_id=resident_id, status=ContractStatus.ACTIVE)
            .select_related("doctor").defer("conditions").first())


def due_count(*, user) -> int:
    return contract_scope(user=user).filter(status=ContractStatus.ACTIVE, end_date__lte=due_limit()).count()


def contracts_for_residents(*, residents: list) -> list[Contract]:
    """The active contracts of the given residents (the portal passes the account's own people)."""
    ids = [r.pk for r in residents]
    return list(Contract.objects.filter(resident_id__in=ids, status=ContractStatus.ACTIVE)
                .select_related(*LIST_FIELDS).defer("conditions").order_by("resident__name_pinyin", "id"))


def resident_for_signing(*, user, id_number: str):
    """The resident with this ID number inside the user's jurisdiction, through the registry's selectors."""
    qs = people_selectors.resident_list(user=user)
    return people_selectors.resident_filter_search(qs, id_number).first()


def residents_by_id_hash(*, user, hashes: list[str]) -> dict:
    qs = people_selectors.resident_list(user=user).filter(id_hash__in=hashes)
    return {r.id_hash: r for r in qs}


def household_members(*, resident) -> list:
    if resident.household is None:
        return [resident]
    return [m for m in people_selectors.household_members(household=resident.household)]


# --- reference data ------------------------------------------------------------------------------------------------

def doctors() -> QuerySet:
    return Doctor.objects.filter(is_active=True).select_related("institution").order_by("name_pinyin", "id")


def institutions(level: str) -> QuerySet:
    return Institution.objects.filter(is_active=True, level=level).order_by("name_pinyin", "id")


def district_hospitals() -> QuerySet:
    return institutions(InstitutionLevel.DISTRICT)


def city_hospitals() -> QuerySet:
    return institutions(InstitutionLevel.CITY)


# --- coverage ------------------------------------------------------------------------------------------------------

def _group_filter(qs: QuerySet, group: str) -> QuerySet:
    if group in GROUP_AGES:
        return qs.filter(birth_date__lte=people_selectors.age_cutoff(GROUP_AGES[group]))
    if group in GROUP_TAGS:
        return people_selectors.resident_filter_tag(qs, GROUP_TAGS[group])
    return qs


def coverage_compute(*, user) -> dict:
    """{(committee_id, group): (residents, signed)} over the user's jurisdiction: the residents in the registry
    (in 册) and, of them, those with an active contract. Two grouped counts per key group."""
    committees = set(scoped_nodes(user, NodeKind.COMMITTEE).values_list("id", flat=True))
    base = people_selectors.resident_list(user=user)
    figures = {(c, g): [0, 0] for c in committees for g in KeyGroup.values}
    for group in KeyGroup.values:
        qs = _group_filter(base, group).order_by()
        for index, rows in enumerate((qs, qs.filter(health_contracts__status=ContractStatus.ACTIVE))):
            for row in rows.values("committee_id").annotate(n=Count("id", distinct=group in GROUP_TAGS)):
                if (row["committee_id"], group) in figures:
                    figures[(row["committee_id"], group)][index] = row["n"]
    return {key: tuple(value) for key, value in figures.items()}


def coverage_refresh_users() -> QuerySet:
    return get_user_model().objects.filter(role=Role.LEADER, is_active=True).order_by("id")


def rate(signed: int, population: int) -> Decimal | None:
    """签约覆盖率 = 在约签约居民数 ÷ 在册居民数 × 100 %, to one decimal (None when nobody is in the group)."""
    if not population:
        return None
    return (Decimal(signed) * 100 / Decimal(population)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def targets() -> dict[str, Decimal]:
    return {t.group: t.target for t in CoverageTarget.objects.all()}


def _scoped_committees(user) -> QuerySet:
    """The committees of the user's jurisdiction. For a scope holding the whole tree (a district leader) no list
    of ids: fetching the ~1,000 node ids and sending 170 of them back as an IN list cost more than the table."""
    if scope_is_whole_tree(user):
        return Node.objects.filter(kind=NodeKind.COMMITTEE)
    return scoped_nodes(user, NodeKind.COMMITTEE)


def coverage(*, user, group: str = KeyGroup.ALL) -> dict:
    """The coverage table of the user's committees for one key group, from the last count, with the totals and the
    target: {"rows": [{committee, population, signed, rate, met}], "total": {...}, "target", "computed_at"}."""
    committees = list(_scoped_committees(user).filter(is_active=True).only("id", "name", "code").order_by("code"))
    snaps = {s.committee_id: s for s in filter_by_scope(CoverageSnapshot.objects.filter(group=group), user,
                                                        "committee").only("committee_id", "population", "signed",
                                                                          "computed_at")}
    target = targets().get(group)
    rows = []
    for committee in committees:
        snap = snaps.get(committee.pk)
        population, signed = (snap.population, snap.signed) if snap else (0, 0)
        value = rate(signed, population)
        rows.append({"committee": committee, "population": population, "signed": signed, "rate": value,
                     "met": None if value is None or target is None else value >= target})
    population = sum(r["population"] for r in rows)
    signed = sum(r["signed"] for r in rows)
    total_rate = rate(signed, population)
    computed = [s.computed_at for s in snaps.values()]
    return {"rows": rows, "group": group, "target": target,
            "total": {"population": population, "signed": signed, "rate": total_rate,
                      "met": None if total_rate is None or target is None else total_rate >= target},
            "computed_at": min(computed) if computed else None}


def coverage_by_group(*, user) -> list[dict]:
    """The jurisdiction's totals for each key group (the summary strip)."""
    sums = {row["group"]: row for row in filter_by_scope(CoverageSnapshot.objects.all(), user, "committee")
            .values("group").annotate(population=Sum("population"), signed=Sum("signed")).order_by()}
    goal = targets()
    out = []
    for value, label in KeyGroup.choices:
        row = sums.get(value, {"population": 0, "signed": 0})
        r = rate(row["signed"] or 0, row["population"] or 0)
        out.append({"group": value, "label": label, "population": row["population"] or 0,
                    "signed": row["signed"] or 0, "rate": r, "target": goal.get(value),
                    "met": None if r is None or goal.get(value) is None else r >= goal[value]})
    return out
