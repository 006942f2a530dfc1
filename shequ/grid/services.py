"""Writes of the 大联动 module. Every state change of a case or a 12345 order goes through here: the HTML views
and the API call the same functions. Each checks the allowed-transition map in `choices`, validates, writes the
row, a history row and an audit row in one transaction, refreshes the indicator summary and queues the
notifications on commit."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import crypto
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, DepartmentKind, NodeKind, Role
from shequ.core.errors import ConflictError, DomainError, PreconditionFailed
from shequ.core.idcard import mask_phone
from shequ.core.models import Department, Node, User
from shequ.core.scoping import in_scope
from shequ.core import workflow
from shequ.core.services import notify

from . import photos as photo_lib
from . import spatial, stats, timing
from .selectors import acting_unit, hotline_list  # acting_unit is re-exported: views and tests read it here
from .workflows import CASE, HOTLINE
from .choices import (NEEDS_VERIFICATION,
                      CaseAction, CaseStatus, ExtensionStatus, HotlineAction, HotlineStatus, HotlineType,
                      LimitUnit, PhotoStage, Satisfaction, ShiftCode, Source, Urgency)
from .models import (Case, CaseCounter, CaseEvent, CasePhoto, Category, DutyTeam, ExtensionRequest, HotlineEvent,
                     HotlineOrder, Inspection, InspectionScore, InspectionTemplate, Open311Client, PatrolCheckin,
                     PatrolLog, RosterDay, RosterOverride, ShiftPattern, TeamMember, WorkStation)

A, S = CaseAction, CaseStatus


# Refusals of the declared rules (re-exported: the API and the tests name them here).
ActionForbidden = workflow.ActionForbidden
CaseNotFound = workflow.ActionNotFound


# --- helpers -----------------------------------------------------------------------------------------------------

def _subdistrict_of(node: Node) -> Node | None:
    if node.kind == NodeKind.SUBDISTRICT:
        return node
    codes = node.path.strip("/").split("/")
    return Node.objects.filter(code__in=codes, kind=NodeKind.SUBDISTRICT).first()


def acting_subdistrict(user) -> Node | None:
    """The one 街道 a user acts for: the 街道 their scope holds or lies in, when there is exactly one (a
    district-wide or multi-街道 scope has none: the user must say where)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    found = {}
    for node in user.nodes.filter(is_active=True):
        sub = _subdistrict_of(node)
        if sub is not None:
            found[sub.pk] = sub
    return next(iter(found.values())) if len(found) == 1 else None


def _unlocated_node(actor, subdistrict: Node | None) -> Node:
    """Where a report without coordinates belongs: the 街道 given by the channel (an Open311 client's
    jurisdiction), else the one committee or 街道 the reporter's scope is."""
    if subdistrict is not None:
        return subdistrict
    nodes = list(actor.nodes.filter(is_active=True, kind__in=[NodeKind.SUBDISTRICT, NodeKind.COMMITTEE])) \
        if actor is not None and getattr(actor, "is_authenticated", False) else []
    if len(nodes) == 1 and actor.nodes.count() == 1:
        return nodes[0]
    raise DomainError(_("没有定位坐标时无法确定所属辖区，请在地图上选点或使用当前位置。"),
                      {"location": [_("请在地图上选点或使用当前位置。")]})


def _next_number(subdistrict: Node, when: dt.datetime) -> str:
    local = timezone.localtime(when)
    key = f"{subdistrict.code[:9]}-{local:%Y%m%d}"
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(day=key)
    counter.value = F("value") + 1
    counter.save(update_fields=["value"])
    counter.refresh_from_db(fields=["value"])
    return f"{key}-{counter.value:04d}"


def _name(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or str(user)


def _event(case: Case, *, actor, action: str, from_status: str, note: str = "", data: dict | None = None,
           unit: Department | None = None, on_time: bool | None = None, at=None) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case, action=action, from_status=from_status, to_status=case.status,
        actor=actor if getattr(actor, "pk", None) else None, actor_name=_name(actor)[:64],
        unit=unit, note=(note or "")[:500], data=data or {}, on_time=on_time, at=at or timezone.now())
    return event


def _save_photos(case: Case, cleaned: list, *, stage: str, actor) -> list[CasePhoto]:
    rows = []
    for photo in cleaned:
        row = CasePhoto(case=case, stage=stage, content_type=photo.content_type, size=len(photo.content),
                        width=photo.width, height=photo.height, exif_lat=photo.exif_lat, exif_lng=photo.exif_lng,
                        uploaded_by=actor if getattr(actor, "pk", None) else None)
        row.file.save(photo.content.name, photo.content, save=False)
        row.save()
        rows.append(row)
    return rows


def clean_photos(uploads, *, keep_location: bool = False) -> list:
    """Validate every upload before anything is written, so a bad file leaves nothing half-saved."""
    uploads = [u for u in (uploads or []) if u]
    photo_lib.check_photo_count(uploads)
    return [photo_lib.clean_photo(u, keep_location=keep_location) for u in uploads]


def _category(value) -> Category:
    if isinstance(value, Category):
        category = value
    else:
        category = Category.objects.select_related("main", "department").filter(code=str(value or "")).first()
    if category is None or not category.is_active:
        raise DomainError(_("案件类别不存在或已停用：%(c)s") % {"c": getattr(value, "code", value) or "—"},
                          {"category": [_("请选择有效的部件/事件小类。")]})
    return category


def _locate(lat, lng, *, actor=None) -> spatial.GridHit:
    if not spatial.valid_point(lat, lng):
        raise DomainError(_("位置坐标无效，请重新定位。"), {"location": [_("经纬度无效（WGS84）。")]})
    hit = spatial.locate(float(lat), float(lng))
    if hit is None:
        raise DomainError(_("该位置（%(lat).5f, %(lng).5f）不在任何网格内，请确认位置是否在本辖区。")
                          % {"lat": float(lat), "lng": float(lng)},
                          {"location": [_("位置不在任何网格内。")]})
    return hit


# --- intake -------------------------------------------------------------------------------------------------------

def report_sources(user) -> list[str]:
    """The channels a staff member may register a report from (the first is their default): a supervisor their
    own patrol, a committee worker their work station, the centre every channel it receives."""
    if user.role in (Role.PATROL, Role.INSPECTOR):
        return [Source.PATROL]
    if user.role == Role.COMMITTEE_WORKER:
        return [Source.STATION]
    return [Source.PATROL, Source.VIDEO, Source.POLICE_110, Source.HOTLINE, Source.RESIDENT, Source.SUPERVISION]


@transaction.atomic
def case_report(*, actor, category, source: str, description: str, lat=None, lng=None, address: str = "",
                urgency: str | None = None, photos=(), keep_location: bool = False, reporter_name: str = "",
                reporter_contact: str = "", external_no: str = "", open311_client: Open311Client | None = None,
                subdistrict: Node | None = None, component_code: str = "", attributes: dict | None = None,
                cleaned_photos: list | None = None) -> Case:
    """上报: register a report from any channel. A located report is assigned to its grid by point-in-polygon;
    a point outside every grid is refused."""
    category = _category(category)
    if source not in Source.values:
        raise DomainError(_("未知的案件来源。"), {"source": [_("来源无效。")]})
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.role != Role.RESIDENT \
            and source not in report_sources(actor):
        raise DomainError(_("您的岗位不能登记该来源的案件。"), {"source": [_("来源无效。")]})
    description = (description or "").strip()
    if len(description) < 4:
        raise DomainError(_("请描述问题（至少4个字）。"), {"description": [_("问题描述过短。")]})
    if len(description) > 4000:
        raise DomainError(_("问题描述不能超过4000字。"), {"description": [_("问题描述过长。")]})
    if urgency is None or urgency == "":
        urgency = category.urgency
    if urgency not in Urgency.values:
        raise DomainError(_("紧急程度无效。"), {"urgency": [_("紧急程度无效。")]})
    located = lat not in (None, "") or lng not in (None, "")
    grid = committee = None
    if located:
        hit = _locate(lat, lng)
        grid = Node.objects.select_related("parent").get(pk=hit.id)
        committee = grid.parent
        node = grid
        subdistrict = _subdistrict_of(grid)
    else:
        if not address.strip():
            raise DomainError(_("请提供位置：定位坐标或详细地址。"), {"location": [_("缺少位置。")]})
        node = _unlocated_node(actor, subdistrict)
        if node.kind == NodeKind.COMMITTEE:
            committee = node
        subdistrict = _subdistrict_of(node)
    staff = actor is not None and getattr(actor, "is_authenticated", False) and actor.role != Role.RESIDENT
    if staff and not in_scope(actor, node):
        raise DomainError(_("该位置不在您的管辖范围内。"), {"location": [_("位置超出管辖范围。")]})
    if cleaned_photos is None:
        cleaned_photos = clean_photos(photos, keep_location=keep_location)
    now = timezone.now()
    case = Case(number=_next_number(subdistrict, now), category=category, kind=category.main.kind, source=source,
                urgency=urgency, status=S.REPORTED, node=node, grid=grid, committee=committee,
                lat=float(lat) if located else None, lng=float(lng) if located else None,
                address=address.strip()[:200], description=description, component_code=component_code[:16],
                reporter=actor if staff else None,
                reporter_name=(reporter_name or (_name(actor) if staff else ""))[:64],
                reporter_contact=(reporter_contact or "")[:100], external_no=(external_no or "")[:40],
                open311_client=open311_client, reported_at=now, updated_at=now)
    if open311_client is not None:
        case.open311_token = secrets.token_hex(16)
    case.save()
    saved = _save_photos(case, cleaned_photos, stage=PhotoStage.REPORT, actor=actor)
    data = {"grid": grid.code if grid else None}
    if attributes:
        data["attributes"] = attributes
    _event(case, actor=actor if staff else None, action=A.REPORT, from_status="", data=data,
           note=_("来源：%(s)s") % {"s": Source(source).label})
    if staff:
        stats.post_bump(user=actor, action="report", when=now)
    audit_record(actor=actor if staff else None, action=AuditAction.CREATE, obj=case,
                 username="" if staff else (open311_client.name if open311_client else "public"),
                 detail={"source": source, "category": category.code, "grid": grid.code if grid else None,
                         "photos": len(saved)})
    stats.add_case(case)
    return case


def suggest_duplicates(*, category, lat, lng, when=None, exclude_id=None, limit: int = 5) -> list[tuple[Case, int]]:
    """Open cases of the same category reported within the category's radius in the last 72 hours."""
    if lat is None or lng is None:
        return []
    category = category if isinstance(category, Category) else Category.objects.filter(code=category).first()
    if category is None:
        return []
    when = when or timezone.now()
    radius = category.duplicate_radius_m or 50
    dlat = radius / 111_000
    dlng = radius / (111_000 * 0.85)
    qs = (Case.objects.filter(category=category, reported_at__gte=when - dt.timedelta(hours=72),
                              reported_at__lte=when + dt.timedelta(minutes=1),
                              lat__range=(lat - dlat, lat + dlat), lng__range=(lng - dlng, lng + dlng))
          .exclude(status__in=[S.VOID, S.MERGED]).select_related("grid"))
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    found = []
    for other in qs[:50]:
        distance = spatial.distance_m(lat, lng, other.lat, other.lng)
        if distance <= radius:
            found.append((other, round(distance)))
    found.sort(key=lambda pair: (pair[1], pair[0].reported_at))
    return found[:limit]


# --- the closed loop ----------------------------------------------------------------------------------------

def _lock(case: Case, expected_version: int | None) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).select_related("category", "category__main", "unit", "grid",
                                                            "committee", "node").get(pk=case.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise PreconditionFailed(_("案件已被他人处理（当前版本 %(v)d），请刷新后再操作。") % {"v": locked.version},
                                 {"version": [_("版本已过期。")]})
    return locked


def _unit_value(value) -> Department:
    if isinstance(value, Department):
        unit = value
    else:
        unit = Department.objects.filter(code=str(value or "")).first() or (
            Department.objects.filter(pk=value).first() if str(value or "").isdigit() else None)
    if unit is None or not unit.is_active:
        raise DomainError(_("责任单位不存在或已停用。"), {"unit": [_("请选择有效的责任单位。")]})
    return unit


def _require_text(value: str, field: str, message: str, min_len: int = 2) -> str:
    value = (value or "").strip()
    if len(value) < min_len:
        raise DomainError(message, {field: [message]})
    return value[:500]


def _mark_last_dispatch_wrong(case: Case) -> None:
    event = case.events.filter(action__in=[A.DISPATCH, A.REDISPATCH]).order_by("-at", "-id").first()
    if event and not event.wrong:
        CaseEvent.objects.filter(pk=event.pk).update(wrong=True)
        if event.actor_id:
            stats.post_bump(user_id=event.actor_id, action="dispatch", when=event.at, count=0, wrong=1)


def _start_clock(case: Case, unit: Department, now) -> None:
    hours, unit_kind = timing.case_limit(case.category, case.urgency)
    case.unit = unit
    case.limit_hours, case.limit_unit = hours, unit_kind
    case.dispatched_at = now
    case.first_dispatched_at = case.first_dispatched_at or now
    case.deadline, case.warn_at = timing.deadline_and_warning(now, hours, unit_kind)
    case.signed_at = None


def _unit_users(case: Case) -> list[User]:
    return list(User.objects.filter(department=case.unit, is_active=True)) if case.unit_id else []


@dataclass
class _Step:
    """What one action of the closed loop changes besides the case row: the history note and data, whether the
    step was on time, the stage its photos belong to and who is told."""

    actor: object
    case: Case
    now: dt.datetime
    unit: Department | None
    note: str
    data: dict = field(default_factory=dict)
    on_time: bool | None = None
    stage: str = PhotoStage.REPORT
    notify: list = field(default_factory=list)
    event_unit: Department | None = None


def _transition(name: str, *, actor, case: Case, note: str, expected_version, photos, keep_location: bool,
                apply: Callable[[_Step], None]) -> Case:
    """The frame every action of the closed loop shares: photos checked before anything is written, the case locked
    (and its version compared), the declared rules checked (`workflows.CASE`), the action's own change applied,
    then the status, a history row, the audit row, the summary and the notifications on commit."""
    cleaned = clean_photos(photos, keep_location=keep_location)
    case = _lock(case, expected_version)
    declared = CASE.check(actor, case, name)
    step = _Step(actor=actor, case=case, now=timezone.now(), unit=acting_unit(actor),
                 note=(note or "").strip()[:500])
    before_key = stats.case_key(case)
    before = case.status
    apply(step)
    if declared.target is not None:
        case.status = declared.target
    if name != A.NOTE and step.note:
        case.status_note = step.note[:200]
    case.updated_at = step.now
    case.version += 1
    case.save()
    if cleaned:
        saved = _save_photos(case, cleaned, stage=step.stage, actor=actor)
        step.data["photos"] = len(saved)
    _event(case, actor=actor, action=name, from_status=before, note=step.note, data=step.data,
           unit=step.event_unit or case.unit, on_time=step.on_time, at=step.now)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=case,
                 detail={"action": name, "from": before, "to": case.status,
                         **{k: v for k, v in step.data.items() if k != "attributes"}})
    stats.refresh_case(case, before_key)
    if step.notify:
        notify(recipients=[u for u in set(step.notify) if u.pk != getattr(actor, "pk", None)],
               title=_("案件 %(n)s：%(a)s") % {"n": case.number, "a": CaseAction(name).label},
               body=f"{case.category.name} · {case.address or (case.grid.name if case.grid else '')}",
               link=f"/grid/cases/{case.pk}/")
    return case


def _required_note(message: str) -> Callable[[_Step], None]:
    def apply(step: _Step) -> None:
        step.note = _require_text(step.note, "note", message)
    return apply


# --- one service per action (受理 → 核实 → 立案 → 派遣 → 处置 → 核查 → 结案 → 评价) -----------------------------------

@transaction.atomic
def case_send_verify(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                     keep_location: bool = False) -> Case:
    """派核实: send a report from a channel that needs it to the supervisors for an on-site check."""
    def apply(step):
        step.case.verify_due = timing.step_due("verify", step.now)
        step.notify = _inspectors_for(step.case)
    return _transition(A.SEND_VERIFY, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


def _verify(step: _Step, *, false: bool) -> None:
    if false:
        step.note = _require_text(step.note, "note", _("请填写核实情况（问题不存在的原因）。"))
    step.case.verified_at, step.case.verified_by = step.now, step.actor
    step.on_time = bool(step.case.verify_due and step.now <= step.case.verify_due)
    step.stage = PhotoStage.VERIFY
    stats.post_bump(user=step.actor, action="verify", when=step.now, on_time=step.on_time)


@transaction.atomic
def case_verify_ok(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                   keep_location: bool = False) -> Case:
    """核实属实: the supervisor found the problem on site."""
    return _transition(A.VERIFY_OK, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=lambda step: _verify(step, false=False))


@transaction.atomic
def case_verify_false(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                      keep_location: bool = False) -> Case:
    """核实不属实: no problem on site; the report is void."""
    return _transition(A.VERIFY_FALSE, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=lambda step: _verify(step, false=True))


@transaction.atomic
def case_file(*, actor, case: Case, note: str = "", expected_version=None, category=None, urgency: str = "",
              photos=(), keep_location: bool = False) -> Case:
    """立案: accept the case (optionally correcting its category and urgency); the dispatch clock starts."""
    def apply(step):
        c = step.case
        if category:
            new_category = _category(category)
            if new_category.pk != c.category_id:
                step.data["category"] = [c.category.code, new_category.code]
                c.category, c.kind = new_category, new_category.main.kind
        if urgency:
            if urgency not in Urgency.values:
                raise DomainError(_("紧急程度无效。"), {"urgency": [_("紧急程度无效。")]})
            c.urgency = urgency
        c.filed_at, c.filed_by = step.now, step.actor
        c.dispatch_due = timing.step_due("dispatch", step.now)
        step.on_time = step.now <= timing.step_due("file", c.verified_at or c.reported_at)
        stats.post_bump(user=step.actor, action="file", when=step.now, on_time=step.on_time)
        if c.reporter_id:
            stats.post_bump(user_id=c.reporter_id, action="report_valid", when=c.reported_at)
    return _transition(A.FILE, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_void(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
              keep_location: bool = False) -> Case:
    """作废: not a case (with the reason)."""
    return _transition(A.VOID, actor=actor, case=case, note=note, expected_version=expected_version, photos=photos,
                       keep_location=keep_location, apply=_required_note(_("请填写作废理由。")))


@transaction.atomic
def case_merge(*, actor, case: Case, target=None, note: str = "", expected_version=None, photos=(),
               keep_location: bool = False) -> Case:
    """合并: a repeated report joins the main case (by id or number)."""
    def apply(step):
        main = target if isinstance(target, Case) else Case.objects.filter(pk=target).first() if str(
            target or "").isdigit() else Case.objects.filter(number=str(target or "")).first()
        # Another jurisdiction's case answers exactly like a missing one (nothing about its existence or status).
        if main is None or main.pk == step.case.pk or not in_scope(step.actor, main.node):
            raise DomainError(_("请选择要合并到的案件。"), {"target": [_("目标案件无效。")]})
        if main.status in (S.VOID, S.MERGED):
            raise ConflictError(_("目标案件已作废或已合并，不能作为主案件。"), {"target": [_("目标案件无效。")]})
        step.case.duplicate_of = main
        step.data["target"] = main.number
        step.note = step.note or _("与案件 %(n)s 重复，已合并。") % {"n": main.number}
    return _transition(A.MERGE, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


def _dispatch(step: _Step, unit, *, again: bool) -> None:
    c = step.case
    new_unit = _unit_value(unit)
    if again:
        if new_unit.pk == c.unit_id:
            raise DomainError(_("改派须选择另一个单位。"), {"unit": [_("与当前单位相同。")]})
        _mark_last_dispatch_wrong(c)
        step.data["from_unit"] = c.unit.name if c.unit else ""
        c.return_count += 1
    _start_clock(c, new_unit, step.now)
    step.on_time = None if again else bool(c.dispatch_due and step.now <= c.dispatch_due)
    stats.post_bump(user=step.actor, action="dispatch", when=step.now, on_time=bool(step.on_time))
    c.dispatched_by = step.actor
    step.data["unit"] = new_unit.name
    step.data["deadline"] = timezone.localtime(c.deadline).isoformat()
    step.notify = list(User.objects.filter(department=new_unit, is_active=True))
    if hasattr(new_unit, "work_station"):
        step.notify += list(User.objects.filter(role=Role.COMMITTEE_WORKER, is_active=True,
                                                nodes=new_unit.work_station.committee))


@transaction.atomic
def case_dispatch(*, actor, case: Case, unit=None, note: str = "", expected_version=None, photos=(),
                  keep_location: bool = False) -> Case:
    """派遣: send the filed case to a responsible unit; the unit's clock starts."""
    return _transition(A.DISPATCH, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=lambda step: _dispatch(step, unit, again=False))


@transaction.atomic
def case_redispatch(*, actor, case: Case, unit=None, note: str = "", expected_version=None, photos=(),
                    keep_location: bool = False) -> Case:
    """改派: send it to another unit (the first dispatch counts as wrong)."""
    return _transition(A.REDISPATCH, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=lambda step: _dispatch(step, unit, again=True))


def _as_unit(step: _Step) -> None:
    step.event_unit = step.unit


@transaction.atomic
def case_sign(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
              keep_location: bool = False) -> Case:
    """签收: the unit takes the case."""
    def apply(step):
        _as_unit(step)
        step.case.signed_at = step.now
        step.on_time = step.now <= timing.step_due("sign", step.case.dispatched_at)
    return _transition(A.SIGN, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_request_return(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                        keep_location: bool = False) -> Case:
    """申请回退: the unit says the case is not theirs."""
    def apply(step):
        _as_unit(step)
        step.note = _require_text(step.note, "note", _("请填写回退理由（如：不属于本单位职责）。"))
        step.notify = _approvers_for(step.case)
    return _transition(A.REQUEST_RETURN, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


def _back_to_dispatch(step: _Step) -> None:
    c = step.case
    step.data["from_unit"] = c.unit.name if c.unit else ""
    c.unit, c.deadline, c.warn_at, c.dispatched_at, c.signed_at = None, None, None, None, None
    c.dispatch_due = timing.step_due("dispatch", step.now)


@transaction.atomic
def case_approve_return(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                        keep_location: bool = False) -> Case:
    """同意回退: the case goes back to dispatch (the dispatch counts as wrong)."""
    def apply(step):
        _mark_last_dispatch_wrong(step.case)
        step.case.return_count += 1
        _back_to_dispatch(step)
    return _transition(A.APPROVE_RETURN, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_reject_return(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                       keep_location: bool = False) -> Case:
    """驳回回退: the unit keeps the case."""
    def apply(step):
        step.note = _require_text(step.note, "note", _("请填写驳回理由。"))
        step.notify = _unit_users(step.case)
    return _transition(A.REJECT_RETURN, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_escalate(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                  keep_location: bool = False) -> Case:
    """工作站上报街道: a work station cannot solve the case locally and hands it to the centre."""
    def apply(step):
        _as_unit(step)
        step.note = _require_text(step.note, "note", _("请说明无法自行解决的原因。"))
        _back_to_dispatch(step)
    return _transition(A.ESCALATE, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_feedback(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                  keep_location: bool = False) -> Case:
    """处置反馈: the unit reports the problem solved (with photos); the check clock starts."""
    def apply(step):
        _as_unit(step)
        step.note = _require_text(step.note, "note", _("请填写处置情况。"))
        step.case.fed_back_at = step.now
        step.case.check_due = timing.step_due("check", step.now)
        step.on_time = bool(step.case.deadline and step.now <= step.case.deadline)
        step.stage = PhotoStage.FEEDBACK
        step.notify = _inspectors_for(step.case)
    return _transition(A.FEEDBACK, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


def _check(step: _Step, *, passed: bool) -> None:
    c = step.case
    step.on_time = bool(c.check_due and step.now <= c.check_due)
    stats.post_bump(user=step.actor, action="check", when=step.now, on_time=step.on_time)
    c.checked_at, c.checked_by = step.now, step.actor
    step.stage = PhotoStage.CHECK
    if passed:
        c.close_due = timing.step_due("close", step.now)
        return
    step.note = _require_text(step.note, "note", _("请填写核查不通过的情况，以便责任单位返工。"))
    c.rework_count += 1
    step.data["rework"] = c.rework_count
    step.notify = _unit_users(c)


@transaction.atomic
def case_check_pass(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                    keep_location: bool = False) -> Case:
    """核查通过: the supervisor confirms the fix on site."""
    return _transition(A.CHECK_PASS, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=lambda step: _check(step, passed=True))


@transaction.atomic
def case_check_fail(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                    keep_location: bool = False) -> Case:
    """核查不通过（返工）: back to the unit."""
    return _transition(A.CHECK_FAIL, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=lambda step: _check(step, passed=False))


@transaction.atomic
def case_close(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
               keep_location: bool = False) -> Case:
    """结案."""
    def apply(step):
        c = step.case
        c.closed_at, c.closed_by = step.now, step.actor
        c.closed_on_time = bool(c.deadline and c.fed_back_at and c.fed_back_at <= c.deadline)
        step.on_time = bool(c.close_due and step.now <= c.close_due)
        stats.post_bump(user=step.actor, action="close", when=step.now, on_time=step.on_time)
    return _transition(A.CLOSE, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_evaluate(*, actor, case: Case, satisfaction: str = "", note: str = "", expected_version=None, photos=(),
                  keep_location: bool = False) -> Case:
    """评价: the reporter's (or centre's) satisfaction with the result."""
    def apply(step):
        if satisfaction not in Satisfaction.values:
            raise DomainError(_("请选择评价结果。"), {"satisfaction": [_("请选择满意、基本满意或不满意。")]})
        step.case.satisfaction, step.case.evaluation_note, step.case.evaluated_at = (
            satisfaction, step.note[:200], step.now)
        step.data["satisfaction"] = satisfaction
    return _transition(A.EVALUATE, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_request_extension(*, actor, case: Case, hours=None, note: str = "", expected_version=None, photos=(),
                           keep_location: bool = False) -> Case:
    """申请延期: the unit asks for more working hours (one pending request at a time)."""
    def apply(step):
        _as_unit(step)
        try:
            value = float(hours)
        except (TypeError, ValueError):
            value = 0
        if not (0 < value <= 400):
            raise DomainError(_("延期时长须在0到400工作时之间。"), {"hours": [_("延期时长无效。")]})
        step.note = _require_text(step.note, "note", _("请填写延期理由。"))
        ExtensionRequest.objects.create(case=step.case, unit=step.case.unit, hours=value, reason=step.note,
                                        requested_by=step.actor)
        step.data["hours"] = value
        step.notify = _approvers_for(step.case)
    return _transition(A.REQUEST_EXTENSION, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


def _decide_extension(step: _Step, *, approve: bool) -> None:
    c = step.case
    request = c.extensions.select_for_update().filter(status=ExtensionStatus.PENDING).first()
    request.decided_by, request.decided_at, request.decision_note = step.actor, step.now, step.note[:200]
    if approve:
        request.status = ExtensionStatus.APPROVED
        c.extension_count += 1
        extra_unit = c.limit_unit or LimitUnit.WORK_HOURS
        c.deadline = timing.add(c.deadline, request.hours, extra_unit)
        c.warn_at = timing.add(c.warn_at, request.hours * 0.8, extra_unit) if c.warn_at else None
        step.data["deadline"] = timezone.localtime(c.deadline).isoformat()
    else:
        step.note = _require_text(step.note, "note", _("请填写驳回理由。"))
        request.status = ExtensionStatus.REJECTED
    request.save()
    step.data["hours"] = request.hours
    step.notify = [request.requested_by]


@transaction.atomic
def case_approve_extension(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                           keep_location: bool = False) -> Case:
    """批准延期: the deadline moves by the hours asked."""
    return _transition(A.APPROVE_EXTENSION, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location,
                       apply=lambda step: _decide_extension(step, approve=True))


@transaction.atomic
def case_reject_extension(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                          keep_location: bool = False) -> Case:
    """驳回延期."""
    return _transition(A.REJECT_EXTENSION, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location,
                       apply=lambda step: _decide_extension(step, approve=False))


@transaction.atomic
def case_park(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
              keep_location: bool = False) -> Case:
    """挂账: the case waits for a reason outside the unit (works, season); the clock stops."""
    def apply(step):
        step.note = _require_text(step.note, "note", _("请填写挂账理由（如工程类、季节性原因）。"))
        step.case.parked_at, step.case.was_parked = step.now, True
    return _transition(A.PARK, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_unpark(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                keep_location: bool = False) -> Case:
    """解除挂账: the clock runs again; the deadline moves by the time parked."""
    def apply(step):
        c = step.case
        paused = timing.between(c.parked_at, step.now, c.limit_unit or LimitUnit.WORK_HOURS)
        if c.deadline:
            c.deadline = timing.add(c.deadline, paused, c.limit_unit)
            c.warn_at = timing.add(c.warn_at, paused, c.limit_unit) if c.warn_at else None
        step.data["paused_hours"] = round(paused, 2)
        c.parked_at = None
    return _transition(A.UNPARK, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_self_handle(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                     keep_location: bool = False) -> Case:
    """工作站自行处置: a work station solves its own report at once; the case closes on time."""
    def apply(step):
        _as_unit(step)
        c = step.case
        step.note = _require_text(step.note, "note", _("请填写处置情况。"))
        c.unit = step.unit
        hours, unit_kind = timing.case_limit(c.category, c.urgency)
        c.limit_hours, c.limit_unit = hours, unit_kind
        c.filed_at = c.first_dispatched_at = c.dispatched_at = c.signed_at = step.now
        c.deadline, c.warn_at = timing.deadline_and_warning(step.now, hours, unit_kind)
        c.fed_back_at = c.closed_at = step.now
        c.closed_on_time, c.self_handled = True, True
        step.stage = PhotoStage.FEEDBACK
    return _transition(A.SELF_HANDLE, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_note(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
              keep_location: bool = False) -> Case:
    """备注: a note in the history, any status."""
    return _transition(A.NOTE, actor=actor, case=case, note=note, expected_version=expected_version, photos=photos,
                       keep_location=keep_location, apply=_required_note(_("请填写备注内容。")))


def case_transition(*, actor, case: Case, action: str, **inputs) -> Case:
    """Take the action named `action` through its declared service (`workflows.CASE`): the generic entry the
    views, the API and the tests' builders use. Refusals: 409 out of order, 403 wrong role/unit, 404 outside the
    actor's jurisdiction, 400 bad input."""
    return CASE.perform(actor, case, action, **inputs)


def _inspectors_for(case: Case) -> list[User]:
    return list(User.objects.filter(role=Role.INSPECTOR, is_active=True, nodes__in=_ancestor_ids(case.node))
                .distinct()[:20])


def _approvers_for(case: Case) -> list[User]:
    return list(User.objects.filter(role=Role.SHIFT_LEADER, is_active=True, nodes__in=_ancestor_ids(case.node))
                .distinct()[:20])


def _ancestor_ids(node: Node) -> list[int]:
    codes = node.path.strip("/").split("/")
    return list(Node.objects.filter(code__in=codes).values_list("id", flat=True))


# --- 12345 work orders ----------------------------------------------------------------------------------------

def _hotline_event(order, *, actor, action, before, note=""):
    HotlineEvent.objects.create(order=order, action=action, from_status=before, to_status=order.status,
                                actor=actor if getattr(actor, "pk", None) else None, actor_name=_name(actor)[:64],
                                note=(note or "")[:500], at=timezone.now())
    audit_record(actor=actor, action=AuditAction.TRANSITION if action != HotlineAction.RECEIVE else AuditAction.CREATE,
                 obj=order, detail={"action": action, "from": before, "to": order.status})


def _parse_dt(value, field: str):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        result = value
    else:
        text = str(value).strip().replace("/", "-")
        try:
            result = dt.datetime.fromisoformat(text)
        except ValueError:
            raise DomainError(_("时间格式无效：%(v)s") % {"v": text[:30]}, {field: [_("请使用 YYYY-MM-DD HH:MM。")]})
    if timezone.is_naive(result):
        result = timezone.make_aware(result)
    return result


@transaction.atomic
def hotline_receive(*, actor, data: dict, subdistrict: Node) -> HotlineOrder:
    """Register a 12345 order dispatched to the 街道 (from the import or the API)."""
    order_no = str(data.get("order_no") or "").strip()
    errors = {}
    if not order_no or len(order_no) > 40:
        errors["order_no"] = [_("工单号必填，且不超过40个字符。")]
    title = str(data.get("title") or "").strip()
    content = str(data.get("content") or "").strip()
    if not content:
        errors["content"] = [_("诉求内容必填。")]
    hotline_type = str(data.get("hotline_type") or HotlineType.COMPLAINT)
    labels = {str(label): value for value, label in HotlineType.choices}
    hotline_type = labels.get(hotline_type, hotline_type)
    if hotline_type not in HotlineType.values:
        errors["hotline_type"] = [_("诉求类型须为咨询、求助、投诉或建议。")]
    urgency = str(data.get("urgency") or Urgency.NORMAL)
    urgency = {str(label): value for value, label in Urgency.choices}.get(urgency, urgency)
    if urgency not in Urgency.values:
        errors["urgency"] = [_("紧急程度须为一般、紧急或特急。")]
    category = None
    if data.get("category"):
        category = Category.objects.filter(code=str(data["category"]).strip(), is_active=True).first()
        if category is None:
            errors["category"] = [_("小类代码不存在：%(c)s") % {"c": data["category"]}]
    lat, lng = data.get("lat"), data.get("lng")
    node = subdistrict
    if lat not in (None, "") or lng not in (None, ""):
        try:
            node = Node.objects.get(pk=_locate(lat, lng).id)
        except DomainError as exc:
            errors["location"] = exc.errors.get("location", [exc.message])
        else:
            if not node.path.startswith(subdistrict.path):  # the order would land in another 街道's queue
                errors["location"] = [_("该位置不在您的管辖范围内。")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)
    if HotlineOrder.objects.filter(order_no=order_no).exists():
        raise ConflictError(_("工单号 %(n)s 已存在。") % {"n": order_no}, {"order_no": [_("工单已导入。")]})
    received = _parse_dt(data.get("received_at"), "received_at") or timezone.now()
    phone = str(data.get("caller_phone") or "").strip()[:20]
    order = HotlineOrder.objects.create(
        order_no=order_no, hotline_type=hotline_type, title=(title or content[:30])[:100], content=content[:4000],
        category=category, caller_name=str(data.get("caller_name") or "").strip()[:32], caller_phone=phone,
        caller_phone_masked=mask_phone(phone) if phone else "", address=str(data.get("address") or "")[:200],
        lat=float(lat) if node.kind == NodeKind.GRID else None, lng=float(lng) if node.kind == NodeKind.GRID else None,
        node=node, urgency=urgency, received_at=received,
        sign_due=timing.step_due("hotline_sign", received), updated_at=timezone.now())
    _hotline_event(order, actor=actor, action=HotlineAction.RECEIVE, before="", note=_("12345派单"))
    return order


def hotline_import(*, actor, rows: list[dict], subdistrict: Node) -> dict:
    """Import many orders; each row is saved or refused on its own (a refused row saves nothing)."""
    created, skipped, errors = 0, 0, []
    for index, row in enumerate(rows, start=1):
        line = row.get("_row", index)
        try:
            hotline_receive(actor=actor, data=row, subdistrict=subdistrict)
        except ConflictError:
            skipped += 1
        except DomainError as exc:
            errors.append({"row": line, "order_no": str(row.get("order_no") or ""), "message": exc.message})
        else:
            created += 1
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.IMPORT, object_type="grid.hotlineorder",
                     detail={"created": created, "skipped": skipped, "failed": len(errors)})
    return {"created": created, "skipped": skipped, "errors": errors}


def _lock_order(order: HotlineOrder) -> HotlineOrder:
    return HotlineOrder.objects.select_for_update(of=("self",)).select_related("category", "node").get(pk=order.pk)


@transaction.atomic
def hotline_sign(*, actor, order: HotlineOrder, category=None, make_case: bool = True) -> HotlineOrder:
    """签收: accept the order; a located order with a category becomes a grid case (verified on site first)."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.SIGN)
    now = timezone.now()
    before = order.status
    order.status, order.signed_at, order.signed_by = HotlineStatus.SIGNED, now, actor
    order.reply_due = timing.step_due("hotline_reply" if order.hotline_type not in (
        HotlineType.CONSULT, HotlineType.SUGGESTION) else "hotline_reply_consult", now)
    if category:
        order.category = _category(category)
    note = _("按时签收") if order.sign_due and now <= order.sign_due else _("超时签收")
    if make_case and order.category and order.lat is not None and order.case_id is None:
        case = case_report(actor=actor, category=order.category, source=Source.HOTLINE,
                           description=f"{order.title}：{order.content}"[:4000], lat=order.lat, lng=order.lng,
                           address=order.address, urgency=order.urgency, external_no=order.order_no,
                           reporter_name=order.caller_name, reporter_contact=order.caller_phone)
        order.case = case
        note += _("，已生成网格案件 %(n)s") % {"n": case.number}
    order.updated_at = now
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.SIGN, before=before, note=note)
    return order


@transaction.atomic
def hotline_return(*, actor, order: HotlineOrder, reason: str = "", note: str = "") -> HotlineOrder:
    """退单: the reason (one of `RETURN_REASONS`, optional) and the note make the return reason together."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.RETURN)
    reason = "：".join(x for x in ((reason or "").strip(), (note or "").strip()) if x)
    reason = _require_text(reason, "reason", _("退单须填写理由（如：属地不符、权属不清、职能交叉）。"))
    before = order.status
    order.status, order.return_reason, order.updated_at = HotlineStatus.RETURNED, reason[:200], timezone.now()
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.RETURN, before=before, note=reason)
    return order


@transaction.atomic
def hotline_extend(*, actor, order: HotlineOrder, days: int, reason: str) -> HotlineOrder:
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.EXTEND)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 15 or order.extension_days + days > 15:
        raise DomainError(_("延期合计不超过15个工作日。"), {"days": [_("延期天数无效。")]})
    reason = _require_text(reason, "reason", _("请填写延期理由。"))
    from shequ.core import workcal

    order.reply_due = workcal.add_working_hours(order.reply_due or timezone.now(),
                                                days * workcal.hours_per_working_day())
    order.extension_days += days
    order.updated_at = timezone.now()
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.EXTEND, before=order.status,
                   note=_("延期%(d)d个工作日：%(r)s") % {"d": days, "r": reason})
    return order


@transaction.atomic
def hotline_reply(*, actor, order: HotlineOrder, text: str) -> HotlineOrder:
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.REPLY)
    text = _require_text(text, "text", _("请填写答复内容（办理结果）。"), min_len=4)
    now = timezone.now()
    before = order.status
    order.status, order.reply_text, order.replied_at, order.updated_at = HotlineStatus.REPLIED, text, now, now
    order.save()
    late = order.reply_due and now > order.reply_due
    _hotline_event(order, actor=actor, action=HotlineAction.REPLY, before=before,
                   note=(_("超期答复：") if late else "") + text[:400])
    return order


@transaction.atomic
def hotline_visit(*, actor, order: HotlineOrder, satisfaction: str, note: str = "") -> HotlineOrder:
    """回访: a satisfied citizen closes the order; an unsatisfied one reopens it (重办)."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.VISIT)
    if satisfaction not in Satisfaction.values:
        raise DomainError(_("请选择回访满意度。"), {"satisfaction": [_("满意度无效。")]})
    now = timezone.now()
    before = order.status
    order.satisfaction, order.visit_note, order.visited_at = satisfaction, (note or "")[:300], now
    if satisfaction == Satisfaction.UNSATISFIED:
        order.status = HotlineStatus.SIGNED
        order.reopen_count += 1
        order.reply_due = timing.step_due("hotline_reply", now)
        order.closed_at = None
        action_note = _("回访不满意，重办：%(n)s") % {"n": note or "—"}
    else:
        order.status, order.closed_at = HotlineStatus.CLOSED, now
        action_note = _("回访%(s)s，办结") % {"s": Satisfaction(satisfaction).label}
    order.updated_at = now
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.VISIT, before=before, note=action_note)
    return order


@transaction.atomic
def hotline_reopen(*, actor, order: HotlineOrder, reason: str) -> HotlineOrder:
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.REOPEN)
    reason = _require_text(reason, "reason", _("请填写重办理由。"))
    before = order.status
    now = timezone.now()
    order.status, order.closed_at, order.reopen_count = HotlineStatus.SIGNED, None, order.reopen_count + 1
    order.reply_due = timing.step_due("hotline_reply", now)
    order.updated_at = now
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.REOPEN, before=before, note=reason)
    return order


@transaction.atomic
def hotline_merge(*, actor, order: HotlineOrder, target) -> HotlineOrder:
    """并单: a repeated complaint about the same problem is merged into the main order (an order or its number,
    looked up within the actor's jurisdiction)."""
    order = _lock_order(order)
    HOTLINE.check(actor, order, HotlineAction.MERGE)
    if not isinstance(target, HotlineOrder):
        number = str(target or "").strip()
        target = hotline_list(user=actor).filter(order_no=number).first() if number else None
    if target is None or target.pk == order.pk:
        raise DomainError(_("请选择主工单。"), {"target": [_("主工单无效。")]})
    if target.status in (HotlineStatus.MERGED, HotlineStatus.RETURNED):
        raise ConflictError(_("主工单已并单或已退单。"), {"target": [_("主工单无效。")]})
    before = order.status
    order.status, order.merged_into, order.updated_at = HotlineStatus.MERGED, target, timezone.now()
    order.save()
    _hotline_event(order, actor=actor, action=HotlineAction.MERGE, before=before,
                   note=_("重复诉求，并入工单 %(n)s") % {"n": target.order_no})
    return order


# --- linkage team -------------------------------------------------------------------------------------------

def active_pattern() -> ShiftPattern:
    pattern = ShiftPattern.objects.filter(is_active=True).order_by("-id").first()
    if pattern is None:
        raise DomainError(_("尚未配置四班三运转轮转序列。"), {"pattern": [_("请在系统配置中添加轮转序列。")]})
    return pattern


def shift_for(pattern: ShiftPattern, team: DutyTeam, day: dt.date) -> str:
    slots = pattern.slots
    return slots[((day - pattern.anchor).days + team.offset) % len(slots)]


def _validate_pattern(pattern: ShiftPattern) -> None:
    slots = pattern.slots.strip().upper()
    if not slots or any(c not in "EMNO" for c in slots):
        raise DomainError(_("轮转序列只能由 E(早) M(中) N(夜) O(休) 组成。"), {"slots": [_("序列无效。")]})


@transaction.atomic
def roster_generate(*, actor, year: int, month: int) -> int:
    """Write the roster of one month from the active pattern (replacing what was there)."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise DomainError(_("月份无效。"), {"month": [_("月份无效。")]})
    pattern = active_pattern()
    _validate_pattern(pattern)
    teams = list(DutyTeam.objects.all())
    if not teams:
        raise DomainError(_("尚未建立联勤班组。"), {"team": [_("请先建立班组。")]})
    first = dt.date(year, month, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    RosterDay.objects.filter(date__range=(first, last)).delete()
    rows = []
    day = first
    while day <= last:
        for team in teams:
            rows.append(RosterDay(date=day, team=team, shift=shift_for(pattern, team, day)))
        day += dt.timedelta(days=1)
    RosterDay.objects.bulk_create(rows)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="grid.rosterday",
                 object_repr=f"{year}-{month:02d}", detail={"rows": len(rows), "pattern": pattern.slots})
    return len(rows)


@transaction.atomic
def roster_override_set(*, actor, member: TeamMember, date: dt.date, shift: str, reason: str) -> RosterOverride:
    if shift not in ShiftCode.values:
        raise DomainError(_("班次无效。"), {"shift": [_("班次无效。")]})
    reason = _require_text(reason, "reason", _("请填写调班或请假原因。"))
    row, _created = RosterOverride.objects.update_or_create(date=date, member=member,
                                                             defaults={"shift": shift, "reason": reason[:100]})
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=row,
                 detail={"member": member.name, "date": date.isoformat(), "shift": shift})
    return row


def _member_of(actor) -> TeamMember:
    member = TeamMember.objects.filter(user=actor, is_active=True).first() if actor else None
    if member is None:
        raise DomainError(_("您不是联勤队员，不能登记巡查。"), {"member": [_("账号未关联联勤队员。")]})
    return member


@transaction.atomic
def patrol_start(*, actor, shift: str = "", note: str = "") -> PatrolLog:
    member = _member_of(actor)
    if PatrolLog.objects.filter(member=member, ended_at__isnull=True).exists():
        raise ConflictError(_("您有一次巡查尚未结束。"), {"patrol": [_("请先结束当前巡查。")]})
    from . import selectors

    shift = shift or selectors.current_shift_code() or ShiftCode.EARLY
    if shift not in ShiftCode.values or shift == ShiftCode.OFF:
        raise DomainError(_("班次无效。"), {"shift": [_("班次无效。")]})
    log = PatrolLog.objects.create(member=member, node=member.node, shift=shift, note=(note or "")[:500])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=log, detail={"shift": shift})
    return log


@transaction.atomic
def patrol_checkin(*, actor, log: PatrolLog, lat, lng, note: str = "") -> PatrolCheckin:
    if log.member.user_id != getattr(actor, "pk", None):
        raise ActionForbidden(_("只能在自己的巡查中打卡。"), {"patrol": [_("不是您的巡查。")]})
    if log.ended_at:
        raise ConflictError(_("该次巡查已结束。"), {"patrol": [_("巡查已结束。")]})
    hit = _locate(lat, lng)
    checkin = PatrolCheckin.objects.create(log=log, grid_id=hit.id, lat=float(lat), lng=float(lng),
                                           note=(note or "")[:200])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=log, detail={"checkin": hit.code})
    return checkin


@transaction.atomic
def patrol_end(*, actor, log: PatrolLog, note: str = "") -> PatrolLog:
    if log.member.user_id != getattr(actor, "pk", None):
        raise ActionForbidden(_("只能结束自己的巡查。"), {"patrol": [_("不是您的巡查。")]})
    if log.ended_at:
        raise ConflictError(_("该次巡查已结束。"), {"patrol": [_("巡查已结束。")]})
    log.ended_at = timezone.now()
    if note:
        log.note = (log.note + "\n" + note).strip()[:500]
    log.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=log, detail={"end": True})
    return log


# --- supervision ---------------------------------------------------------------------------------------------

@transaction.atomic
def inspection_create(*, actor, template: InspectionTemplate, title: str, date: dt.date, department=None,
                      committee=None, scores: dict, note: str = "") -> Inspection:
    """A supervision round scored on a sheet: each item between 0 and its points."""
    title = _require_text(title, "title", _("请填写督查主题。"))
    if template.target == "department" and department is None:
        raise DomainError(_("请选择被督查的部门。"), {"department": [_("必填。")]})
    if template.target == "area" and committee is None:
        raise DomainError(_("请选择被督查的居民区。"), {"committee": [_("必填。")]})
    if committee is not None and not in_scope(actor, committee):
        raise DomainError(_("该居民区不在您的管辖范围内。"), {"committee": [_("超出管辖范围。")]})
    node = committee or acting_subdistrict(actor)
    if node is None:
        raise DomainError(_("您的管辖范围不止一个街道，请选择被督查的居民区。"), {"committee": [_("请选择居民区。")]})
    items = list(template.items.all())
    errors, rows, total = {}, [], 0
    from decimal import Decimal, InvalidOperation

    for item in items:
        raw = scores.get(item.pk, scores.get(str(item.pk)))
        try:
            points = Decimal(str(raw))
        except (InvalidOperation, TypeError, ValueError):
            errors[f"item_{item.pk}"] = [_("“%(n)s”须填写分数。") % {"n": item.name}]
            continue
        if points < 0 or points > item.max_points:
            errors[f"item_{item.pk}"] = [_("“%(n)s”得分须在0到%(m)s之间。") % {"n": item.name, "m": item.max_points}]
            continue
        rows.append((item, points))
        total += points
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)
    inspection = Inspection.objects.create(template=template, title=title[:100], date=date, department=department,
                                           committee=committee, node=node, inspector=actor, total=total, note=(note or "")[:500])
    InspectionScore.objects.bulk_create([InspectionScore(inspection=inspection, item=i, points=p) for i, p in rows])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=inspection,
                 detail={"template": template.name, "total": str(total), "target": inspection.target_name})
    return inspection


# --- grids -----------------------------------------------------------------------------------------------------

@transaction.atomic
def grids_import_geojson(*, actor, data, committee: Node | None = None) -> dict:
    """Create or update grids from a GeoJSON FeatureCollection. Each feature needs `code` and `name`; its
    committee is the feature's `committee` code or the one chosen. Any bad feature refuses the whole file."""
    from shequ.core import services as core_services

    if isinstance(data, (bytes, str)):
        import json

        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise DomainError(_("文件不是有效的 GeoJSON：%(e)s") % {"e": str(exc)[:80]}, {"file": [_("JSON 格式错误。")]})
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise DomainError(_("文件须是 GeoJSON FeatureCollection。"), {"file": [_("缺少 features。")]})
    created = updated = 0
    errors = []
    for index, feature in enumerate(data["features"], start=1):
        props = (feature or {}).get("properties") or {}
        code = str(props.get("code") or "").strip()
        name = str(props.get("name") or "").strip()
        parent = committee
        if props.get("committee"):
            parent = Node.objects.filter(code=str(props["committee"]), kind=NodeKind.COMMITTEE).first()
        try:
            if not code or not name:
                raise DomainError(_("缺少 code 或 name 属性。"), {})
            if parent is None:
                raise DomainError(_("找不到所属居委会。"), {})
            if actor is not None and not in_scope(actor, parent):
                raise DomainError(_("所属居委会不在您的管辖范围内。"), {})
            existing = Node.objects.filter(code=code).first()
            with transaction.atomic():
                if existing:
                    if existing.kind != NodeKind.GRID:
                        raise DomainError(_("代码 %(c)s 已被非网格节点使用。") % {"c": code}, {})
                    core_services.node_update(actor=actor, node=existing, name=name, geometry=feature.get("geometry"))
                    updated += 1
                else:
                    core_services.node_create(actor=actor, kind=NodeKind.GRID, code=code, name=name, parent=parent,
                                              geometry=feature.get("geometry"))
                    created += 1
        except DomainError as exc:
            detail = "；".join(m for ms in exc.errors.values() for m in ms)
            errors.append(_("第%(i)d个要素（%(c)s）：%(m)s") % {"i": index, "c": code or "—",
                                                            "m": exc.message + (f"（{detail}）" if detail else "")})
    if errors:
        raise DomainError(_("导入失败，未保存任何网格：%(e)s") % {"e": errors[0]}, {"file": errors[:20]})
    spatial.touch()
    moved = cases_reassign_grids(actor=actor)
    audit_record(actor=actor, action=AuditAction.IMPORT, object_type="core.node",
                 detail={"created": created, "updated": updated, "cases_moved": moved})
    return {"created": created, "updated": updated, "moved": moved}


@transaction.atomic
def cases_reassign_grids(*, actor) -> int:
    """After grid polygons change, put every open located case in the grid its point now falls in (one
    vectorised point-in-polygon pass). A point now outside every grid keeps its old grid."""
    from .choices import OPEN_STATUSES

    rows = list(Case.objects.filter(status__in=OPEN_STATUSES, lat__isnull=False, lng__isnull=False)
                .values_list("pk", "lat", "lng", "grid_id"))
    if not rows:
        return 0
    index = spatial.get_index()
    found = index.locate_many([r[2] for r in rows], [r[1] for r in rows])
    moved = []
    for (pk, _lat, _lng, grid_id), i in zip(rows, found):
        if i >= 0 and index.hits[i].id != grid_id:
            moved.append((pk, index.hits[i]))
    for pk, hit in moved:
        case = Case.objects.get(pk=pk)
        before_key = stats.case_key(case)
        Case.objects.filter(pk=pk).update(grid_id=hit.id, node_id=hit.id, committee_id=hit.committee_id,
                                          updated_at=timezone.now())
        case.refresh_from_db()
        _event(case, actor=actor, action=CaseAction.NOTE, from_status=case.status,
               note=_("网格调整，案件改属%(g)s") % {"g": hit.name}, data={"grid": hit.code})
        stats.refresh_case(case, before_key)
    if moved:
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="grid.case",
                     detail={"op": "reassign_grids", "cases": len(moved)})
    return len(moved)


@transaction.atomic
def grid_add_responsible(*, actor, grid: Node, name: str, duty: str, phone: str = ""):
    from .models import GridResponsible

    name = _require_text(name, "name", _("请填写姓名。"), min_len=1)
    if duty not in dict(GridResponsible.ROLES):
        raise DomainError(_("职责无效。"), {"duty": [_("职责无效。")]})
    row = GridResponsible.objects.create(grid=grid, name=name[:32], duty=duty, phone=(phone or "")[:20],
                                         sort_order=grid.responsibles.count())
    audit_record(actor=actor, action=AuditAction.CREATE, obj=row, detail={"grid": grid.code})
    return row


@transaction.atomic
def grid_add_building(*, actor, grid: Node, name: str, address: str = "", kind: str = "住宅", floors: int = 0,
                      households: int = 0, lat=None, lng=None):
    from .models import Building

    name = _require_text(name, "name", _("请填写楼宇名称。"), min_len=1)
    if lat not in (None, "") and lng not in (None, ""):
        hit = _locate(lat, lng)
        if hit.id != grid.pk:
            raise DomainError(_("楼宇坐标不在该网格内（位于%(g)s）。") % {"g": hit.name}, {"location": [_("坐标不在网格内。")]})
    else:
        lat = lng = None
    row = Building.objects.create(grid=grid, name=name[:64], address=(address or "")[:128], kind=kind,
                                  floors=floors or 0, households=households or 0,
                                  lat=float(lat) if lat is not None else None, lng=float(lng) if lng is not None else None)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=row, detail={"grid": grid.code})
    return row


# --- Open311 clients ----------------------------------------------------------------------------------------------

@transaction.atomic
def open311_client_issue(*, actor, name: str, jurisdiction: Node | None = None, contact: str = "") -> tuple[
        Open311Client, str]:
    """Create a client (or give an existing one a new key); returns the clear key, shown once."""
    name = _require_text(name, "name", _("请填写客户端名称。"), min_len=1)[:64]
    if jurisdiction is None:
        jurisdiction = Node.objects.filter(kind=NodeKind.SUBDISTRICT, is_active=True).order_by("code").first()
    if jurisdiction is None:
        raise DomainError(_("尚未建立街道。"), {"jurisdiction": [_("请先建立街道。")]})
    key = secrets.token_urlsafe(32)
    client = Open311Client.objects.filter(name=name).first()
    if client is None:
        client = Open311Client(name=name, jurisdiction=jurisdiction, contact=contact)
    client.key_hash = crypto.keyed_hash(key)
    client.key_prefix = key[:6]
    client.is_active = True
    client.save()
    audit_record(actor=actor, action=AuditAction.CONFIG, obj=client, detail={"op": "issue_key"})
    return client, key


def open311_client_for_key(key: str) -> Open311Client | None:
    if not key or len(key) > 200:
        return None
    client = Open311Client.objects.select_related("jurisdiction").filter(
        key_hash=crypto.keyed_hash(key), is_active=True).first()
    if client and (client.last_used_at is None or (timezone.now() - client.last_used_at).total_seconds() > 300):
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client
