"""Reads of the residents registry, always within the user's jurisdiction."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shequ.core import crypto, idcard
from shequ.core.choices import NodeKind
from shequ.core.models import Node
from shequ.core.scoping import filter_by_scope, in_scope
from shequ.core.text import prefix_range

from .choices import AGE_TAGS
from .models import Household, Resident, Tag
from .validation import pinyin_of

_LETTERS = re.compile(r"^[a-zA-Z]{1,32}$")
ENCRYPTED = ("id_number", "phone")


def search_kind(query: str) -> str:
    """How a search string is interpreted: id_number, phone, initials or name."""
    q = query.strip()
    if idcard.looks_like_id_number(q):
        return "id_number"
    if idcard.looks_like_phone(q):
        return "phone"
    if _LETTERS.match(q):
        return "initials"
    return "name"


def _prefix(field: str, prefix: str) -> Q:
    """`field` starts with an ASCII `prefix`, written as a range so an ordinary index serves it (LIKE 'x%' does
    not use one on SQLite, nor on PostgreSQL without a pattern-ops index)."""
    lower, upper = prefix_range(prefix)
    if upper is None:
        return Q(**{f"{field}__gte": lower})
    return Q(**{f"{field}__gte": lower, f"{field}__lt": upper})


def age_cutoff(years: int) -> dt.date:
    """The latest birth date of someone who is at least `years` old today."""
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February
        return today.replace(year=today.year - years, day=28)


def resident_list(*, user, search: str = "", committee_id: int | None = None, tag: str = "",
                  hukou_type: str = "", include_inactive: bool = False) -> QuerySet:
    qs = filter_by_scope(Resident.objects.all(), user, "committee", NodeKind.COMMITTEE)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if committee_id:
        qs = qs.filter(committee_id=committee_id)
    if hukou_type:
        qs = qs.filter(hukou_type=hukou_type)
    qs = resident_filter_tag(qs, tag)
    qs = resident_filter_search(qs, search)
    # Lists, searches and exports show the stored masked forms: loading the ciphertext would decrypt two Fernet
    # tokens per row (about half the time of an API page of 50 residents).
    return qs.select_related("committee").defer(*ENCRYPTED).order_by("name_pinyin", "id")


def resident_by_id_number(*, user, id_number: str) -> Resident | None:
    """The active resident in the user's scope with this (normalised) ID number, or None, as a window's intake reads
    it on every application: one plain statement on the hash's index (an ID number is held by one active resident,
    in the rare worst case by a few), the scope tested on the rows' committees from the scope's paths."""
    found = (Resident.objects.filter(is_active=True, id_hash=crypto.keyed_hash(id_number))
             .select_related("committee").defer(*ENCRYPTED).order_by("name_pinyin", "id"))
    return next((r for r in found if r.committee is not None and r.committee.kind == NodeKind.COMMITTEE
                 and in_scope(user, r.committee)), None)


def resident_filter_tag(qs: QuerySet, tag: str) -> QuerySet:
    """A tag code, or an age band (60+ / 80+)."""
    if tag in AGE_TAGS:
        return qs.filter(birth_date__lte=age_cutoff(AGE_TAGS[tag]))
    if tag:
        return qs.filter(tags__code=tag)
    return qs


def resident_filter_search(qs: QuerySet, search: str) -> QuerySet:
    """Name, pinyin initials, a full ID number or a full phone number (the last two through their keyed hash)."""
    search = (search or "").strip()[:64]
    if not search:
        return qs
    kind = search_kind(search)
    if kind == "id_number":
        try:
            return qs.filter(id_hash=crypto.keyed_hash(idcard.normalize_id_number(search)))
        except idcard.InvalidIdNumber:
            return qs.none()
    if kind == "phone":
        return qs.filter(phone_hash=crypto.keyed_hash(search))
    if kind == "initials":
        q = search.lower()
        return qs.filter(_prefix("name_initials", q) | _prefix("name_pinyin", q))
    # A name is searched from its start through the pinyin index (a range scan on both databases), then
    # checked against the characters; only when nothing starts so is the name searched inside.
    full, _initials = pinyin_of(search)
    starts = qs.filter(_prefix("name_pinyin", full), name__startswith=search)
    return starts if starts.exists() else qs.filter(name__contains=search)


def resident_get(*, user, pk) -> Resident:
    """A resident inside the user's scope; anything else is a 404 (not a 403, which would confirm it exists)."""
    qs = filter_by_scope(Resident.objects.all(), user, "committee", NodeKind.COMMITTEE)
    try:
        return qs.select_related("committee", "household").prefetch_related("tags").get(pk=int(pk))
    except (Resident.DoesNotExist, ValueError, TypeError):
        raise Http404


def household_get(*, user, pk) -> Household:
    qs = filter_by_scope(Household.objects.all(), user, "committee", NodeKind.COMMITTEE)
    try:
        return qs.select_related("committee").get(pk=int(pk))
    except (Household.DoesNotExist, ValueError, TypeError):
        raise Http404


def household_members(*, household: Household) -> QuerySet:
    order = ["head", "spouse", "parent", "child", "grandchild", "sibling", "other", ""]
    members = list(household.members.filter(is_active=True).order_by("birth_date"))
    return sorted(members, key=lambda m: order.index(m.relation) if m.relation in order else len(order))


def resident_sample(*, under: Node, limit: int) -> list[Resident]:
    """Up to `limit` active residents of the committees directly under `under` (demo builders; no user scope)."""
    return list(Resident.objects.filter(committee__parent=under, is_active=True).select_related("committee")[:limit])


def resident_names_among(*, candidates, under: Node | None = None) -> set[str]:
    """Which of `candidates` (strings) are names of residents in the registry, under `under` when given (no user
    scope: the public redaction step asks whether a word in a published text names a person, never who it is)."""
    wanted = {c for c in candidates if c and len(c) <= 32}
    # Looked up by the indexed pinyin (the name itself has no index), then compared whole.
    keys = sorted({pinyin_of(c)[0] for c in wanted} - {""})
    found: set[str] = set()
    qs = Resident.objects.all()
    if under is not None:
        qs = qs.filter(committee__path__startswith=under.path)
    for start in range(0, len(keys), 500):
        rows = qs.filter(name_pinyin__in=keys[start:start + 500]).values_list("name", flat=True).distinct()
        found.update(name for name in rows if name in wanted)
    return found


def resident_age_bands(*, user) -> dict:
    """Counts for the registry's summary strip, cached a few minutes per scope (they are COUNTs over up to a
    district's residents)."""
    from django.core.cache import cache

    from shequ.core.scoping import scope_node_ids

    ids = sorted(scope_node_ids(user, NodeKind.COMMITTEE))
    key = "people:bands:" + hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    bands = cache.get(key)
    if bands is None:
        qs = resident_list(user=user)
        bands = {"total": qs.count(), **{label: qs.filter(birth_date__lte=age_cutoff(years)).count()
                                         for label, years in AGE_TAGS.items()}}
        cache.set(key, bands, 300)
    return bands


def resident_tag_codes(*, resident: Resident) -> set[str]:
    """One resident's tag codes (other modules' eligibility rules read 低保, 残疾 … through this)."""
    return set(resident.tags.values_list("code", flat=True))


def tags_by_code(*, codes) -> list[Tag]:
    """The registry's tags with these codes (to pass to `resident_create` / `resident_update`)."""
    return list(Tag.objects.filter(code__in=list(codes)))


def resident_home(*, id_number: str) -> tuple[Node, str] | None:
    """(the 街道 a person is registered in, their 户籍 type) anywhere in the registry, or None: what a 全市通办
    intake needs to route a case to the applicant's home centre. Deliberately outside the user's scope and
    deliberately nothing else about the person (no name, address or id)."""
    row = (Resident.objects.filter(is_active=True, id_hash=crypto.keyed_hash(id_number))
           .select_related("committee__parent").defer(*ENCRYPTED)
           .order_by("id").first())
    if row is None or row.committee.parent is None:
        return None
    return row.committee.parent, row.hukou_type
