"""Writes of the residents registry. Every write is scoped to the actor's jurisdiction and audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import crypto
from shequ.core.audit import audit_bulk, audit_record
from shequ.core.bulk import insert_many
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.errors import ConflictError, DomainError, PreconditionFailed
from shequ.core.idcard import mask_id_number, mask_phone
from shequ.core.inputs import check_length
from shequ.core.models import AuditLog, Node
from shequ.core.scoping import in_scope, scope_node_ids

from . import selectors
from .models import Household, Resident, Tag
from .validation import clean_resident, pinyin_of

TRACKED = ("name", "gender", "birth_date", "phone", "committee_id", "address", "household_id", "relation",
           "hukou_type", "note", "is_active")


def _check_committee(actor, committee: Node | None) -> Node:
    if committee is None:
        raise DomainError(_("请选择居委会。"), {"committee": [_("居委会不能为空。")]})
    if committee.kind != NodeKind.COMMITTEE:
        raise DomainError(_("所选辖区不是居委会。"), {"committee": [_("请选择一个居委会。")]})
    if not in_scope(actor, committee):
        raise DomainError(_("您无权在该居委会登记居民。"), {"committee": [_("不在您的管辖范围内。")]})
    return committee


def _household_for(actor, number: str, committee: Node, address: str) -> Household | None:
    """The household with this number in the committee, created when it does not exist yet."""
    number = (number or "").strip()
    if not number:
        return None
    household = Household.objects.filter(number=number).first()
    if household is None:
        return household_create(actor=actor, number=number, committee=committee, address=address)
    if household.committee_id != committee.pk and in_scope(actor, household.committee):
        raise DomainError(_("该户不属于所选居委会。"), {"household_number": [_("户号 %(n)s 属于其他居委会。") % {"n": number}]})
    if household.committee_id != committee.pk:
        # Whether (and where) a committee outside the actor's scope uses this number is not theirs to know.
        raise DomainError(_("该户号不能用于所选居委会。"), {"household_number": [_("户号 %(n)s 不可用，请核对。") %
                                                                            {"n": number}]})
    return household


class _RegisteredOutOfScope(Exception):
    def __init__(self, existing: Resident):
        self.existing = existing


def _route_duplicate(*, actor, existing: Resident, committee: Node) -> None:
    """A registration of a person already registered where the actor cannot see: the 街道 staff who see both
    committees get a task to sort it out (move, merge or correct), the actor learns nothing about where."""
    from shequ.core.models import User
    from shequ.core.permissions import role_has
    from shequ.core.services import notify

    roles = [r for r in User._meta.get_field("role").choices if role_has(r[0], "people.edit")]
    recipients = [u for u in User.objects.filter(is_active=True, role__in=[r[0] for r in roles])
                  .prefetch_related("nodes")
                  if u.pk != actor.pk and in_scope(u, existing.committee) and in_scope(u, committee)]
    notify(recipients=recipients, title=_("重复登记待核查：%(id)s") % {"id": existing.id_masked},
           body=_("%(who)s 在%(c)s登记的居民（身份证号 %(id)s）已在%(e)s登记，请核实后迁移或更正。") % {
               "who": actor.display_name, "c": committee.name, "id": existing.id_masked,
               "e": existing.committee.name},
           link=f"/people/{existing.pk}/")
    audit_record(actor=actor, action=AuditAction.DENIED, obj=existing, result="denied",
                 detail={"op": "create_duplicate_out_of_scope", "committee": committee.code,
                         "routed_to": [u.username for u in recipients]})


def _apply(resident: Resident, clean: dict) -> None:
    for field in ("name", "gender", "birth_date", "address", "hukou_type", "relation", "note"):
        if field in clean:
            setattr(resident, field, clean[field])
    resident.name_pinyin, resident.name_initials = pinyin_of(resident.name)
    if "id_number" in clean:
        resident.id_number = clean["id_number"]
        resident.id_hash = clean.get("_hash") or crypto.keyed_hash(clean["id_number"])
        resident.id_masked = mask_id_number(clean["id_number"])
    if "phone" in clean:
        resident.phone = clean["phone"]
        resident.phone_hash = crypto.keyed_hash(clean["phone"]) if clean["phone"] else ""
        resident.phone_masked = mask_phone(clean["phone"])


def _snapshot(resident: Resident) -> dict:
    return {**{f: getattr(resident, f) for f in TRACKED}, "id_hash": resident.id_hash}


def _changes(before: dict, resident: Resident, old_tags: set[str] | None, tags) -> dict:
    """The audit detail of an edit, the same for a single edit and an imported row: each changed field as
    [before, after], the phone and the ID number never in clear."""
    changed = {f: [str(before[f]), str(getattr(resident, f))] for f in TRACKED if before[f] != getattr(resident, f)}
    if "phone" in changed:
        changed["phone"] = ["***", "***"]
    if resident.id_hash != before["id_hash"]:
        changed["id_number"] = ["***", resident.id_masked]
    if tags is not None and old_tags != {t.code for t in tags}:
        changed["tags"] = [sorted(old_tags), sorted(t.code for t in tags)]
    return changed


def _created_detail(resident: Resident, committee: Node) -> dict:
    return {"committee": committee.code, "id": resident.id_masked}


def _raise_if_errors(errors: dict) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, errors)


def resident_create(*, actor, data: dict, committee: Node | None, household_number: str = "",
                    tags: list[Tag] = ()) -> Resident:
    """Register a resident. An ID number already registered inside the actor's scope is a plain 409; one
    registered outside it gets the same kind of answer without saying where, and is routed to the 街道."""
    try:
        return _resident_create(actor=actor, data=data, committee=committee, household_number=household_number,
                                tags=tags)
    except _RegisteredOutOfScope as exc:
        with transaction.atomic():
            _route_duplicate(actor=actor, existing=exc.existing, committee=committee)
        raise ConflictError(_("该身份证号无法在此登记，已转街道核查，请勿重复提交。"),
                            {"id_number": [_("该身份证号已登记，已转街道核查。")]}) from None


@transaction.atomic
def _resident_create(*, actor, data: dict, committee: Node | None, household_number: str,
                     tags: list[Tag]) -> Resident:
    clean, errors = clean_resident(data)
    _raise_if_errors(errors)
    committee = _check_committee(actor, committee)
    id_hash = crypto.keyed_hash(clean["id_number"])
    existing = Resident.objects.filter(id_hash=id_hash).select_related("committee").first()
    if existing is not None:
        if not in_scope(actor, existing.committee):
            raise _RegisteredOutOfScope(existing)
        raise ConflictError(_("该身份证号已登记，请勿重复登记。"), {"id_number": [_("该身份证号已登记。")]})
    household = _household_for(actor, household_number, committee, clean["address"])
    resident = Resident(committee=committee, household=household)
    _apply(resident, clean)
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError as exc:  # a concurrent registration of the same person
        raise ConflictError(_("该身份证号已登记，请勿重复登记。"), {"id_number": [_("该身份证号已登记。")]}) from exc
    if tags:
        resident.tags.add(*tags)  # a new resident has none to compare with
    audit_record(actor=actor, action=AuditAction.CREATE, obj=resident, detail=_created_detail(resident, committee))
    return resident


@transaction.atomic
def resident_update(*, actor, resident: Resident, data: dict, committee: Node | None,
                    household_number: str | None = None, tags: list[Tag] | None = None,
                    expected_version: int | None = None) -> Resident:
    """Update a resident. `expected_version` (from the form or If-Match) prevents a silent overwrite of
    someone else's edit."""
    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    if expected_version is not None and locked.version != expected_version:
        raise PreconditionFailed(_("该居民信息已被他人修改（当前版本 %(v)d），请刷新后重新编辑。") % {"v": locked.version},
                                 {"version": [_("版本已过期。")]})
    merged = {"name": locked.name, "id_number": locked.id_number, "phone": locked.phone,
              "address": locked.address, "hukou_type": locked.hukou_type, "relation": locked.relation,
              "note": locked.note}
    merged.update({k: v for k, v in data.items() if k in merged or k in ("gender", "birth_date")})
    clean, errors = clean_resident(merged)
    _raise_if_errors(errors)
    committee = _check_committee(actor, committee or locked.committee)
    if household_number is None:
        household = locked.household if locked.household and locked.household.committee_id == committee.pk else None
    else:
        household = _household_for(actor, household_number, committee, clean["address"])
    id_hash = crypto.keyed_hash(clean["id_number"])
    if id_hash != locked.id_hash and Resident.objects.filter(id_hash=id_hash).exists():
        raise ConflictError(_("该身份证号已登记为另一位居民。"), {"id_number": [_("该身份证号已登记。")]})
    before = _snapshot(locked)
    locked.committee, locked.household = committee, household
    _apply(locked, clean)
    old_tags = set(locked.tags.values_list("code", flat=True)) if tags is not None else None
    changed = _changes(before, locked, old_tags, tags)
    if "tags" in changed:
        locked.tags.set(tags)
    if not changed:
        return locked
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, detail={"changes": changed})
    return locked


@transaction.atomic
def resident_reveal(*, actor, resident: Resident, reason: str) -> dict:
    """The clear ID number and phone, for a stated reason; every reveal is audited (PIPL minimum necessary)."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("查看明文须填写事由。"), {"reason": [_("请填写查看事由。")]})
    if len(reason) > 100:
        raise DomainError(_("事由不能超过100个字符。"), {"reason": [_("事由过长。")]})
    audit_record(actor=actor, action=AuditAction.REVEAL, obj=resident, detail={"reason": reason})
    return {"id_number": resident.id_number, "phone": resident.phone}


@transaction.atomic
def resident_record_view(*, actor, resident: Resident) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, obj=resident)


@transaction.atomic
def household_create(*, actor, number: str, committee: Node, address: str) -> Household:
    number = (number or "").strip()
    if not number or len(number) > 32:
        raise DomainError(_("户号不能为空且不超过32个字符。"), {"number": [_("户号无效。")]})
    committee = _check_committee(actor, committee)
    if Household.objects.filter(number=number).exists():
        raise ConflictError(_("户号已存在。"), {"number": [_("户号 %(n)s 已存在。") % {"n": number}]})
    address = check_length((address or "").strip(), 128, "address", _("地址"))
    household = Household.objects.create(number=number, committee=committee, address=address)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=household, detail={"committee": committee.code})
    return household


@dataclass
class ImportRow:
    """One validated spreadsheet row: `clean` from `validation.clean_resident` (with its keyed `_hash`)."""

    row: int
    clean: dict
    committee: Node
    tags: list[Tag]
    household: str  # 户号, "" for none


@transaction.atomic
def resident_import_batch(*, actor, rows: list[ImportRow], households: dict[str, Household],
                          via: dict) -> tuple[dict, list[dict]]:
    """Create or update (by ID number) a batch of imported residents: the same rules and the same audit detail
    as `resident_create` / `resident_update` (plus `via`), written with a few bulk statements per batch instead of
    several per row. `households` caches the households found or created so far in this import.
    Returns the counts (created / updated / unchanged / failed) and the rows refused, with the reason."""
    stats = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    errors: list[dict] = []
    if not rows:
        return stats, errors
    existing = {r.id_hash: r for r in Resident.objects.filter(id_hash__in=[r.clean["_hash"] for r in rows])}
    through = Resident.tags.through
    tag_codes = dict(Tag.objects.values_list("pk", "code"))
    existing_tags: dict[int, set[str]] = {}
    for resident_id, tag_id in through.objects.filter(
            resident_id__in=[r.pk for r in existing.values()]).values_list("resident_id", "tag_id"):
        existing_tags.setdefault(resident_id, set()).add(tag_codes[tag_id])
    scope_ids = scope_node_ids(actor, NodeKind.COMMITTEE)
    _households_load(actor, rows, households, via)
    to_create, to_update, tag_sets = [], [], []
    details: dict[int, dict] = {}
    for item in rows:
        household = _import_household(households, item.household, item.committee)
        if isinstance(household, str):
            errors.append({"row": item.row, "name": item.clean["name"], "reason": household})
            continue
        current = existing.get(item.clean["_hash"])
        if current is not None and current.committee_id not in scope_ids:
            errors.append({"row": item.row, "name": item.clean["name"],
                           "reason": _("该身份证号已在其他辖区登记，请联系所在居委会办理迁移。")})
            continue
        if current is None:
            resident = Resident(committee=item.committee, household=household)
            _apply(resident, item.clean)
            to_create.append(resident)
            tag_sets.append((resident, item.tags))
            continue
        before = _snapshot(current)
        current.committee, current.household = item.committee, household
        _apply(current, item.clean)
        changed = _changes(before, current, existing_tags.get(current.pk, set()), item.tags)
        if not changed:
            stats["unchanged"] += 1
            continue
        details[id(current)] = {"changes": changed}
        to_update.append(current)
        if "tags" in changed:
            tag_sets.append((current, item.tags))
    insert_many(Resident, to_create)
    if to_update:
        Resident.objects.bulk_update(
            to_update, ["name", "name_pinyin", "name_initials", "gender", "birth_date", "address", "phone",
                        "phone_hash", "phone_masked", "committee", "household", "relation", "hukou_type", "note",
                        "updated_at"], batch_size=len(to_update))
        Resident.objects.filter(pk__in=[r.pk for r in to_update]).update(version=F("version") + 1)
    if tag_sets:
        through.objects.filter(resident_id__in=[r.pk for r in to_update
                                                if "tags" in details[id(r)]["changes"]]).delete()
        through.objects.bulk_create([through(resident_id=r.pk, tag_id=t.pk) for r, tags in tag_sets for t in tags],
                                    batch_size=2000, ignore_conflicts=True)
    now = timezone.now()
    audit_bulk([_audit_row(actor, now, AuditAction.CREATE, r, {**_created_detail(r, r.committee), **via})
                for r in to_create]
               + [_audit_row(actor, now, AuditAction.UPDATE, r, {**details[id(r)], **via}) for r in to_update])
    stats["created"], stats["updated"], stats["failed"] = len(to_create), len(to_update), len(errors)
    return stats, errors


def _audit_row(actor, at, action, obj, detail: dict) -> AuditLog:
    return AuditLog(at=at, user=actor, username=actor.username, role=actor.role, action=action,
                    object_type=obj._meta.label_lower, object_id=str(obj.pk), object_repr=str(obj)[:200],
                    detail=detail)


def _households_load(actor, rows: list[ImportRow], households: dict[str, Household], via: dict) -> None:
    """The batch's households in two statements: the known ones by one query, the new ones (with their audit
    rows, as `household_create` writes them) by one bulk insert. A file of 100,000 residents in 40,000
    households would otherwise cost three statements per household. A number longer than the column is left
    to `_import_household`, which reports it."""
    numbers = {r.household for r in rows if r.household and len(r.household) <= 32} - households.keys()
    if not numbers:
        return
    for household in Household.objects.filter(number__in=numbers):
        households[household.number] = household
    new: dict[str, Household] = {}
    for item in rows:
        if item.household in numbers and item.household not in households and item.household not in new:
            new[item.household] = Household(number=item.household, committee=item.committee,
                                            address=item.clean.get("address", ""))  # validated to ADDRESS_MAX
    insert_many(Household, list(new.values()))
    now = timezone.now()
    audit_bulk([_audit_row(actor, now, AuditAction.CREATE, h, {"committee": h.committee.code, **via})
                for h in new.values()])
    households.update(new)


def _import_household(households: dict[str, Household], number: str, committee: Node):
    """The row's household, found or created by `_households_load`, or the reason the row cannot have it."""
    if not number:
        return None
    if len(number) > 32:
        return _("户号不能超过32个字符。")
    household = households[number]
    if household.committee_id != committee.pk:
        return _("户号 %(n)s 不可用，请核对。") % {"n": number}  # never which committee uses it
    return household


@transaction.atomic
def audit_search(*, actor, search: str) -> None:
    """A search by full ID number or phone is a lookup of sensitive data: record that it happened (not the
    value searched for). Every search box over residents (the list, its API, the acceptance applicant search)
    calls this with what was typed."""
    kind = selectors.search_kind(search) if search else ""
    if kind in ("id_number", "phone"):
        audit_record(actor=actor, action=AuditAction.SEARCH, object_type="people.resident", detail={"by": kind})


def tags_ensure_defaults() -> None:
    """The standard tags exist (idempotent; used by the demo seed and the tests)."""
    from .choices import DEFAULT_TAGS

    for code, name, sensitive in DEFAULT_TAGS:
        Tag.objects.get_or_create(code=code, defaults={"name": str(name), "sensitive": sensitive})
