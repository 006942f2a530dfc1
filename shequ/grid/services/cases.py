"""Writes of a grid case: the report from any channel, then one service per action of the closed loop (受理 →
核实 → 立案 → 派遣 → 处置 → 核查 → 结案 → 评价). Each checks itself against the declaration in `workflows.CASE`,
validates, writes the row, a history row and an audit row in one transaction, refreshes the indicator summary and
queues the notifications on commit."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.inputs import check_length, query_int
from shequ.core.choices import AuditAction, NodeKind, Role
from shequ.core.errors import ConflictError, DomainError, PreconditionFailed
from shequ.core.models import Department, Node, User
from shequ.core.permissions import role_has
from shequ.core.scoping import in_scope
from shequ.core.services import notify

from .. import spatial, stats, timing
from ..choices import (OPEN_STATUSES, CaseAction, CaseStatus, ExtensionStatus, LimitUnit, PhotoStage, Satisfaction,
                       Source, Urgency)
from ..models import (Case, CaseCounter, CaseEvent, CasePhoto, Category, ExtensionRequest, Open311Client, ParkRequest,
                      PoliceItem)
from ..selectors import acting_unit
from ..workflows import CASE, extension_level
from .common import actor_name, active_category, clean_photos, locate, require_text, subdistrict_of


A, S = CaseAction, CaseStatus


def report_sources(user) -> list[str]:
    """The channels a staff member may register a report from (the first is their default): a supervisor their
    own patrol, a committee worker their work station, the centre every channel it receives."""
    if user.role in (Role.PATROL, Role.INSPECTOR):
        return [Source.PATROL]
    if user.role == Role.COMMITTEE_WORKER:
        return [Source.STATION]
    return [Source.PATROL, Source.VIDEO, Source.POLICE_110, Source.HOTLINE, Source.RESIDENT, Source.SUPERVISION]


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
    # One statement on both databases (SQLite ≥ 3.35 and PostgreSQL): the day's row is created or incremented and
    # its new value returned, under the row lock the UPDATE takes, so two reports never share a number.
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (day, value) VALUES (%s, 1) ON CONFLICT (day) "
                       f"DO UPDATE SET value = {table}.value + 1 RETURNING value", [key])
        value = cursor.fetchone()[0]
    return f"{key}-{value:04d}"


def _event(case: Case, *, actor, action: str, from_status: str, note: str = "", data: dict | None = None,
           unit: Department | None = None, on_time: bool | None = None, at=None) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case, action=action, from_status=from_status, to_status=case.status,
        actor=actor if getattr(actor, "pk", None) else None, actor_name=actor_name(actor)[:64],
        unit=unit, note=check_length(note or "", 500, "note", _("备注")), data=data or {}, on_time=on_time, at=at or timezone.now())
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


def _known_photos(case: Case, photos: list[CasePhoto]) -> None:
    """`case.photos.all()` answers with the photos just saved (in their order) instead of a query."""
    known = CasePhoto.objects.filter(case=case)
    known._result_cache, known._prefetch_done = list(photos), True
    case._prefetched_objects_cache = {"photos": known}


def case_report(*, actor, category, source: str, description: str, lat=None, lng=None, address: str = "",
                urgency: str | None = None, photos=(), keep_location: bool = False, reporter_name: str = "",
                reporter_contact: str = "", external_no: str = "", open311_client: Open311Client | None = None,
                subdistrict: Node | None = None, component_code: str = "", attributes: dict | None = None,
                cleaned_photos: list | None = None, police_item=None) -> Case:
    """上报: register a report from any channel. A located report is assigned to its grid by point-in-polygon;
    a point outside every grid is refused. A 110 transfer may name its item of the hand-over list instead of a
    小类: the list gives the class."""
    if source not in Source.values:
        raise DomainError(_("未知的案件来源。"), {"source": [_("来源无效。")]})
    item = _police_item(police_item, source) if police_item not in (None, "") else None
    category = active_category(item.category if item else category)
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
        hit = locate(lat, lng)
        grid = Node.objects.select_related("parent__parent").get(pk=hit.id)
        committee = grid.parent
        node = grid
        subdistrict = subdistrict_of(grid)
    else:
        if not address.strip():
            raise DomainError(_("请提供位置：定位坐标或详细地址。"), {"location": [_("缺少位置。")]})
        node = _unlocated_node(actor, subdistrict)
        if node.kind == NodeKind.COMMITTEE:
            committee = node
        subdistrict = subdistrict_of(node)
    staff = actor is not None and getattr(actor, "is_authenticated", False) and actor.role != Role.RESIDENT
    if staff and not in_scope(actor, node):
        raise DomainError(_("该位置不在您的管辖范围内。"), {"location": [_("位置超出管辖范围。")]})
    if cleaned_photos is None:
        cleaned_photos = clean_photos(photos, keep_location=keep_location)
    now = timezone.now()
    case = Case(category=category, kind=category.main.kind, source=source,
                urgency=urgency, status=S.REPORTED, node=node, grid=grid, committee=committee,
                lat=float(lat) if located else None, lng=float(lng) if located else None,
                address=check_length(address.strip(), 200, "address", _("地址")),
                description=check_length(description, 4000, "description", _("问题描述")),
                component_code=check_length(component_code, 16, "component_code", _("部件编码")),
                reporter=actor if staff else None,
                reporter_name=check_length(reporter_name or (actor_name(actor)[:64] if staff else ""), 64,
                                           "reporter_name", _("上报人姓名")),
                reporter_contact=check_length(reporter_contact or "", 100, "reporter_contact", _("联系方式")),
                external_no=check_length(external_no or "", 40, "external_no", _("外部编号")),
                open311_client=open311_client, reported_at=now, updated_at=now, stats_pending=True)
    if open311_client is not None:
        case.open311_token = secrets.token_hex(16)
    data = {"grid": grid.code if grid else None}
    if item:
        data["police_item"] = item.code
    if attributes:
        data["attributes"] = attributes
    # Everything above only reads and validates; the transaction holds the writes alone (on SQLite it holds the
    # database's write lock, so reads inside it would make every other writer wait for them).
    with transaction.atomic():
        case.number = _next_number(subdistrict, now)
        case.save()
        saved = _save_photos(case, cleaned_photos, stage=PhotoStage.REPORT, actor=actor)
        _event(case, actor=actor if staff else None, action=A.REPORT, from_status="", data=data,
               note=_("来源：%(s)s") % {"s": Source(source).label}, at=now)
        audit_record(actor=actor if staff else None, action=AuditAction.CREATE, obj=case,
                     username="" if staff else (open311_client.name if open311_client else "public"),
                     detail={"source": source, "category": category.code, "grid": grid.code if grid else None,
                             "photos": len(saved)})
    # The summary rows count the report after the request (`stats.catch_up`, flagged by `stats_pending`); the
    # answer shows the photos just saved without reading them back.
    _known_photos(case, saved)
    return case


def _police_item(value, source: str) -> PoliceItem:
    if source != Source.POLICE_110:
        raise DomainError(_("只有110非警务移交的案件可以选择110事项。"), {"police_item": [_("来源不是110移交。")]})
    item = value if isinstance(value, PoliceItem) else PoliceItem.objects.select_related("category").filter(
        code=str(value)[:12]).first()
    if item is None or not item.is_active:
        raise DomainError(_("110非警务事项不存在或已停用。"), {"police_item": [_("请选择清单中的事项。")]})
    return item


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
            Department.objects.filter(pk=query_int(value)).first() if query_int(value) else None)
    if unit is None or not unit.is_active:
        raise DomainError(_("责任单位不存在或已停用。"), {"unit": [_("请选择有效的责任单位。")]})
    return unit


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
                 note=check_length((note or "").strip(), 500, "note", _("备注")))
    before_key, before_days = stats.case_key(case), stats.cohort_days(case)
    before = case.status
    apply(step)
    if declared.target is not None:
        case.status = declared.target
    if name != A.NOTE and step.note:  # the latest progress in brief; the note is kept whole in the history row
        case.status_note = step.note if len(step.note) <= 200 else step.note[:199] + "…"
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
    stats.refresh_case(case, before_key, before_days)
    if step.notify:
        notify(recipients=[u for u in set(step.notify) if u.pk != getattr(actor, "pk", None)],
               title=_("案件 %(n)s：%(a)s") % {"n": case.number, "a": CaseAction(name).label},
               body=f"{case.category.name} · {case.address or (case.grid.name if case.grid else '')}",
               link=f"/grid/cases/{case.pk}/")
    return case


def _required_note(message: str) -> Callable[[_Step], None]:
    def apply(step: _Step) -> None:
        step.note = require_text(step.note, "note", message)
    return apply


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
        step.note = require_text(step.note, "note", _("请填写核实情况（问题不存在的原因）。"))
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
            new_category = active_category(category)
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
        main = target if isinstance(target, Case) else Case.objects.filter(pk=query_int(target)).first() if query_int(
            target) else Case.objects.filter(number=str(target or "")).first()
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
                       photos=photos, keep_location=keep_location,
                       apply=lambda step: _dispatch(step, unit, again=False))


@transaction.atomic
def case_redispatch(*, actor, case: Case, unit=None, note: str = "", expected_version=None, photos=(),
                    keep_location: bool = False) -> Case:
    """改派: send it to another unit (the first dispatch counts as wrong)."""
    return _transition(A.REDISPATCH, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location,
                       apply=lambda step: _dispatch(step, unit, again=True))


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
        step.note = require_text(step.note, "note", _("请填写回退理由（如：不属于本单位职责）。"))
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
        step.note = require_text(step.note, "note", _("请填写驳回理由。"))
        step.notify = _unit_users(step.case)
    return _transition(A.REJECT_RETURN, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_escalate(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                  keep_location: bool = False) -> Case:
    """工作站上报街道: a work station cannot solve the case locally and hands it to the centre."""
    def apply(step):
        _as_unit(step)
        step.note = require_text(step.note, "note", _("请说明无法自行解决的原因。"))
        _back_to_dispatch(step)
    return _transition(A.ESCALATE, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_feedback(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                  keep_location: bool = False) -> Case:
    """处置反馈: the unit reports the problem solved (with photos); the check clock starts."""
    def apply(step):
        _as_unit(step)
        step.note = require_text(step.note, "note", _("请填写处置情况。"))
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
    step.note = require_text(step.note, "note", _("请填写核查不通过的情况，以便责任单位返工。"))
    c.rework_count += 1
    step.data["rework"] = c.rework_count
    # 返工: the unit gets the 小类's rework limit from now; a feedback already past the old deadline stays late.
    if c.deadline and c.fed_back_at and c.fed_back_at > c.deadline:
        c.overdue_before_rework = True
    hours, unit_kind = timing.rework_limit(c.category, c.urgency)
    c.deadline, c.warn_at = timing.deadline_and_warning(step.now, hours, unit_kind)
    c.fed_back_at = None
    step.data["deadline"] = timezone.localtime(c.deadline).isoformat()
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
        c.closed_on_time = bool(c.deadline and c.fed_back_at and c.fed_back_at <= c.deadline
                                and not c.overdue_before_rework)
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
        step.note = check_length(step.note, 200, "note", _("评价意见"))
        step.case.satisfaction, step.case.evaluation_note, step.case.evaluated_at = satisfaction, step.note, step.now
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
        step.note = check_length(require_text(step.note, "note", _("请填写延期理由。")), 300, "note", _("延期理由"))
        level, reasons = extension_level(step.case, value)
        ExtensionRequest.objects.create(case=step.case, unit=step.case.unit, hours=value, reason=step.note,
                                        requested_by=step.actor, level=level, level_reasons="、".join(reasons)[:100])
        step.data["hours"], step.data["level"] = value, level
        step.notify = _senior_approvers_for(step.case) if level >= 2 else _approvers_for(step.case)
    return _transition(A.REQUEST_EXTENSION, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


def _decide_extension(step: _Step, *, approve: bool) -> None:
    c = step.case
    request = c.extensions.select_for_update().filter(status=ExtensionStatus.PENDING).first()
    step.note = check_length(step.note, 200, "note", _("审批意见"))
    request.decided_by, request.decided_at, request.decision_note = step.actor, step.now, step.note
    if approve:
        request.status = ExtensionStatus.APPROVED
        c.extension_count += 1
        extra_unit = c.limit_unit or LimitUnit.WORK_HOURS
        c.deadline = timing.add(c.deadline, request.hours, extra_unit)
        c.warn_at = timing.add(c.warn_at, request.hours * 0.8, extra_unit) if c.warn_at else None
        step.data["deadline"] = timezone.localtime(c.deadline).isoformat()
    else:
        step.note = require_text(step.note, "note", _("请填写驳回理由。"))
        request.status = ExtensionStatus.REJECTED
    request.save()
    step.data["hours"], step.data["level"] = request.hours, request.level
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
def case_request_park(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                      keep_location: bool = False) -> Case:
    """申请挂账: the unit asks to park a case it cannot finish in time (works, season), with the reason."""
    def apply(step):
        _as_unit(step)
        step.note = check_length(require_text(step.note, "note", _("请填写挂账理由（如工程类、季节性原因）。")), 300,
                                 "note", _("挂账理由"))
        ParkRequest.objects.create(case=step.case, unit=step.case.unit, reason=step.note, requested_by=step.actor)
        step.notify = _senior_approvers_for(step.case)
    return _transition(A.REQUEST_PARK, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


def _review_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        raise DomainError(_("请填写挂账复核日期。"), {"review_on": [_("请填写有效的日期。")]})
    today = timezone.localdate()
    if value <= today:
        raise DomainError(_("复核日期须在今天之后。"), {"review_on": [_("复核日期须在今天之后。")]})
    if value > today + dt.timedelta(days=366):
        raise DomainError(_("复核日期不能超过一年。"), {"review_on": [_("复核日期不能超过一年。")]})
    return value


def _decide_park(step: _Step, *, approve: bool, review_on=None) -> None:
    c = step.case
    request = c.park_requests.select_for_update().filter(status=ExtensionStatus.PENDING).first()
    step.note = check_length(step.note, 200, "note", _("审批意见"))
    request.decided_by, request.decided_at, request.decision_note = step.actor, step.now, step.note
    if approve:
        request.review_on = _review_date(review_on)
        request.status = ExtensionStatus.APPROVED
        c.parked_at, c.was_parked, c.park_review_on = step.now, True, request.review_on
        step.data["review_on"] = request.review_on.isoformat()
        step.note = step.note or request.reason
    else:
        step.note = require_text(step.note, "note", _("请填写驳回理由。"))
        request.status = ExtensionStatus.REJECTED
    request.save()
    step.notify = [request.requested_by, *_approvers_for(c)]


@transaction.atomic
def case_approve_park(*, actor, case: Case, review_on=None, note: str = "", expected_version=None, photos=(),
                      keep_location: bool = False) -> Case:
    """批准挂账: the 城运中心 leader parks the case until its review date; the clock stops."""
    return _transition(A.APPROVE_PARK, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location,
                       apply=lambda step: _decide_park(step, approve=True, review_on=review_on))


@transaction.atomic
def case_reject_park(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                     keep_location: bool = False) -> Case:
    """驳回挂账: the unit keeps the case and its deadline."""
    return _transition(A.REJECT_PARK, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location,
                       apply=lambda step: _decide_park(step, approve=False))


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
        c.parked_at = c.park_review_on = None
    return _transition(A.UNPARK, actor=actor, case=case, note=note, expected_version=expected_version,
                       photos=photos, keep_location=keep_location, apply=apply)


@transaction.atomic
def case_self_handle(*, actor, case: Case, note: str = "", expected_version=None, photos=(),
                     keep_location: bool = False) -> Case:
    """工作站自行处置: a work station solves its own report at once; the case closes on time."""
    def apply(step):
        _as_unit(step)
        c = step.case
        step.note = require_text(step.note, "note", _("请填写处置情况。"))
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


def _senior_approvers_for(case: Case) -> list[User]:
    """The 城运中心 leadership over the case's place: whoever may approve level-2 extensions and parking."""
    roles = [role for role in Role.values if role_has(role, "grid.approve_senior")]
    return list(User.objects.filter(role__in=roles, is_active=True,
                                    nodes__in=_ancestor_ids(case.node)).distinct()[:20])


def _ancestor_ids(node: Node) -> list[int]:
    codes = node.path.strip("/").split("/")
    return list(Node.objects.filter(code__in=codes).values_list("id", flat=True))


@transaction.atomic
def cases_reassign_grids(*, actor) -> int:
    """After grid polygons change, put every open located case in the grid its point now falls in (one
    vectorised point-in-polygon pass). A point now outside every grid keeps its old grid."""
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
        before_key, before_days = stats.case_key(case), stats.cohort_days(case)
        Case.objects.filter(pk=pk).update(grid_id=hit.id, node_id=hit.id, committee_id=hit.committee_id,
                                          updated_at=timezone.now())
        case.refresh_from_db()
        _event(case, actor=actor, action=CaseAction.NOTE, from_status=case.status,
               note=_("网格调整，案件改属%(g)s") % {"g": hit.name}, data={"grid": hit.code})
        stats.refresh_case(case, before_key, before_days)
    if moved:
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="grid.case",
                     detail={"op": "reassign_grids", "cases": len(moved)})
    return len(moved)
