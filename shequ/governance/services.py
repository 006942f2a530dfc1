"""Writes of 综合治理: each one `<entity>_<action>` function, atomic and audited. A task's and a 顽症's steps are
checked against their declared workflow (`workflows.TASK`, `workflows.PROBLEM`) under the row's lock first."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.inputs import check_date, check_lengths
from shequ.core.scoping import in_scope
from shequ.core.services import notify
from shequ.core.workcal import add_working_days
from shequ.grid import selectors as grid

from . import selectors
from .choices import CommitteeKind, LinkKind, ProblemAction, ProblemStatus, TaskAction, TaskStatus
from .models import (AgendaItem, Attendance, Committee, Evidence, Measure, Meeting, Member, Problem, ProblemLink,
                     Task, TaskNote)
from .workflows import PROBLEM, TASK

MAX_WORKING_DAYS = 250
MAX_AGENDA_LINKS = 50


def _text(errors: dict, field: str, value, limit: int, label: str, *, required: str = "") -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if not value and required:
        errors.setdefault(field, []).append(required)
    check_lengths(errors, (field, value, limit, label))
    return value


def _raise(errors: dict, message: str) -> None:
    if errors:
        raise DomainError(message, errors)


def _date(errors: dict, field: str, value, label: str) -> None:
    if value is None:
        errors.setdefault(field, []).append(_("请填写%(l)s。") % {"l": label})
        return
    try:
        check_date(value)
    except Exception:
        errors.setdefault(field, []).append(_("%(l)s超出允许范围。") % {"l": label})


def _office(actor, node, capability: str = "governance.manage") -> None:
    if actor is None:
        return
    if not actor.can(capability) or node is None or not in_scope(actor, node):
        raise Forbidden(_("只有本街道的综合治理办公室可以办理。"), {"actor": [_("无权办理。")]})


# --- committees and meetings -------------------------------------------------------------------------------------

@transaction.atomic
def committee_create(*, actor, node, name: str, kind: str, description: str = "") -> Committee:
    _office(actor, node)
    errors: dict = {}
    name = _text(errors, "name", name, 64, _("名称"), required=_("请填写名称。"))
    description = _text(errors, "description", description, 2000, _("职责"))
    if kind not in CommitteeKind.values:
        errors["kind"] = [_("请选择类型。")]
    if node is None or node.kind != NodeKind.SUBDISTRICT:
        errors["node"] = [_("请选择街道。")]
    _raise(errors, _("议事机构信息有误。"))
    if Committee.objects.filter(node=node, name=name).exists():
        raise ConflictError(_("已有同名议事机构。"), {"name": [_("已有同名议事机构。")]})
    committee = Committee.objects.create(node=node, name=name, kind=kind, description=description)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=committee, detail={"node": node.code})
    return committee


@transaction.atomic
def member_add(*, actor, committee: Committee, name: str, unit: str, post: str = "", user=None,
               department=None) -> Member:
    _office(actor, committee.node)
    errors: dict = {}
    if user is not None and not name:
        name = user.get_full_name() or user.username
    name = _text(errors, "name", name, 32, _("姓名"), required=_("请填写姓名。"))
    unit = _text(errors, "unit", unit or (department.name if department else ""), 64, _("单位"),
                 required=_("请填写单位。"))
    post = _text(errors, "post", post, 32, _("职务"))
    _raise(errors, _("成员信息有误。"))
    member = Member.objects.create(committee=committee, name=name, unit=unit, post=post, user=user,
                                   department=department)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=member, detail={"committee": committee.pk})
    return member


@transaction.atomic
def meeting_create(*, actor, committee: Committee, title: str, date: dt.date, place: str = "",
                   chair: str = "") -> Meeting:
    _office(actor, committee.node)
    errors: dict = {}
    title = _text(errors, "title", title, 100, _("会议名称"), required=_("请填写会议名称。"))
    place = _text(errors, "place", place, 64, _("地点"))
    chair = _text(errors, "chair", chair, 32, _("主持人"))
    _date(errors, "date", date, _("会议日期"))
    _raise(errors, _("会议信息有误。"))
    meeting = Meeting.objects.create(committee=committee, title=title, date=date, place=place, chair=chair,
                                     created_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=meeting, detail={"committee": committee.pk,
                                                                             "date": date.isoformat()})
    return meeting


def _numbers(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").replace("\n", ",").split(",")
    return [str(v).strip() for v in (value or []) if str(v).strip()]


@transaction.atomic
def agenda_item_add(*, actor, meeting: Meeting, title: str, notes: str = "", case_numbers=(), order_numbers=(),
                    problem: Problem | None = None, figure: str = "") -> AgendaItem:
    """An agenda item, optionally about grid cases and 12345 orders (by number; each must be one the actor may
    see, else it is refused like a number that does not exist), a 顽症 and a figure of the month."""
    _office(actor, meeting.committee.node)
    errors: dict = {}
    title = _text(errors, "title", title, 100, _("议题"), required=_("请填写议题。"))
    notes = _text(errors, "notes", notes, 4000, _("说明"))
    figure = _text(errors, "figure", figure, 100, _("月度数据"))
    case_numbers, order_numbers = _numbers(case_numbers), _numbers(order_numbers)
    if len(case_numbers) > MAX_AGENDA_LINKS or len(order_numbers) > MAX_AGENDA_LINKS:
        errors["cases"] = [_("关联案件和工单各不能超过%(n)d个。") % {"n": MAX_AGENDA_LINKS}]
        case_numbers, order_numbers = [], []
    cases = list(grid.case_base(user=actor).filter(number__in=case_numbers)) if case_numbers else []
    orders = list(grid.hotline_list(user=actor).filter(order_no__in=order_numbers)) if order_numbers else []
    missing = sorted(set(case_numbers) - {c.number for c in cases})
    if missing:
        errors["cases"] = [_("未找到案件：%(n)s") % {"n": "、".join(missing[:5])}]
    missing = sorted(set(order_numbers) - {o.order_no for o in orders})
    if missing:
        errors["orders"] = [_("未找到工单：%(n)s") % {"n": "、".join(missing[:5])}]
    if problem is not None and problem.node_id != meeting.committee.node_id:
        errors["problem"] = [_("该顽症不属于本街道。")]
    _raise(errors, _("议题信息有误。"))
    order = (meeting.agenda.count() or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, order=order, title=title, notes=notes, problem=problem,
                                     figure=figure)
    item.cases.set(cases)
    item.orders.set(orders)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=item, detail={
        "meeting": meeting.pk, "cases": [c.number for c in cases], "orders": [o.order_no for o in orders],
        "problem": problem.pk if problem else None})
    return item


@transaction.atomic
def meeting_attendance_record(*, actor, meeting: Meeting, present=(), substitutes: dict | None = None) -> int:
    """Who came: every active member of the committee gets a row, present or not (a 代会人 may stand in)."""
    _office(actor, meeting.committee.node)
    present_ids = {int(p.pk if hasattr(p, "pk") else p) for p in present}
    substitutes = substitutes or {}
    members = list(meeting.committee.members.filter(is_active=True))
    unknown = present_ids - {m.pk for m in members}
    if unknown:
        raise DomainError(_("出席人员不是本机构成员。"), {"present": [_("出席人员不是本机构成员。")]})
    errors: dict = {}
    for key, value in substitutes.items():
        _text(errors, "substitutes", value, 32, _("代会人"))
    _raise(errors, _("出席信息有误。"))
    meeting.attendance.all().delete()
    Attendance.objects.bulk_create([
        Attendance(meeting=meeting, member=m, present=m.pk in present_ids,
                   substitute=(substitutes.get(m.pk) or substitutes.get(str(m.pk)) or "").strip())
        for m in members])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=meeting, detail={"present": sorted(present_ids)})
    return len(present_ids)


@transaction.atomic
def meeting_minutes_save(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    _office(actor, meeting.committee.node)
    errors: dict = {}
    minutes = _text(errors, "minutes", minutes, 20000, _("会议纪要"), required=_("请填写会议纪要。"))
    _raise(errors, _("会议纪要有误。"))
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=meeting, detail={"minutes": len(minutes)})
    return meeting


# --- tasks -------------------------------------------------------------------------------------------------------

@transaction.atomic
def task_create(*, actor, meeting: Meeting, title: str, department, working_days, agenda_item=None,
                problem: Problem | None = None) -> Task:
    """A decision of the meeting given to a department, due `working_days` working days after the meeting (the
    official calendar; a year without data is refused). The department's officers are told."""
    _office(actor, meeting.committee.node)
    errors: dict = {}
    title = _text(errors, "title", title, 200, _("决定事项"), required=_("请填写决定事项。"))
    if department is None or not department.is_active:
        errors["department"] = [_("请选择责任部门。")]
    try:
        working_days = int(working_days)
    except (TypeError, ValueError):
        errors["working_days"] = [_("请填写办理时限（工作日）。")]
        working_days = 0
    else:
        if not 1 <= working_days <= MAX_WORKING_DAYS:
            errors["working_days"] = [_("办理时限须在1到%(n)d个工作日之间。") % {"n": MAX_WORKING_DAYS}]
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        errors["agenda_item"] = [_("议题不属于本次会议。")]
    if problem is None and agenda_item is not None:
        problem = agenda_item.problem
    if problem is not None and problem.node_id != meeting.committee.node_id:
        errors["problem"] = [_("该顽症不属于本街道。")]
    _raise(errors, _("决定事项有误。"))
    due = add_working_days(meeting.date, working_days)
    task = Task.objects.create(meeting=meeting, agenda_item=agenda_item, problem=problem, title=title,
                               department=department, working_days=working_days, due_date=due, created_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=task, detail={
        "meeting": meeting.pk, "department": department.code, "due": due.isoformat()})
    notify(recipients=selectors.officers_of(department), title=_("新的交办任务：%(t)s") % {"t": title},
           body=_("%(m)s交办，%(d)s前完成。") % {"m": meeting.title, "d": f"{due:%Y-%m-%d}"},
           link=f"/governance/tasks/{task.pk}/")
    return task


def _locked_task(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).select_related(
        "meeting__committee__node", "department").get(pk=task.pk)


def _note(task: Task, actor, text: str) -> TaskNote | None:
    return TaskNote.objects.create(task=task, text=text, author=actor) if text else None


@transaction.atomic
def task_start(*, actor, task: Task, note: str = "") -> Task:
    task = _locked_task(task)
    TASK.check(actor, task, TaskAction.START)
    errors: dict = {}
    note = _text(errors, "note", note, 500, _("进展"))
    _raise(errors, _("进展说明有误。"))
    task.status = TaskStatus.IN_PROGRESS
    task.save(update_fields=["status"])
    _note(task, actor, note)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=task, detail={"action": "start"})
    return task


@transaction.atomic
def task_note(*, actor, task: Task, note: str = "") -> TaskNote:
    task = _locked_task(task)
    TASK.check(actor, task, TaskAction.NOTE)
    errors: dict = {}
    note = _text(errors, "note", note, 500, _("进展"), required=_("请填写办理进展。"))
    _raise(errors, _("进展说明有误。"))
    row = _note(task, actor, note)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=task, detail={"action": "note"})
    return row


@transaction.atomic
def task_close(*, actor, task: Task, note: str = "", uploads=()) -> Task:
    """办结: a closing note and at least one photo of the result (checked, re-encoded without metadata)."""
    task = _locked_task(task)
    TASK.check(actor, task, TaskAction.CLOSE)
    from shequ.grid.services import clean_photos

    errors: dict = {}
    note = _text(errors, "note", note, 500, _("办结说明"), required=_("请填写办结说明。"))
    uploads = [u for u in (uploads or []) if u]
    if not uploads:
        errors["evidence"] = [_("请上传办结佐证照片。")]
    _raise(errors, _("办结信息不完整。"))
    try:
        cleaned = clean_photos(uploads, keep_location=False)
    except DomainError as exc:
        raise DomainError(exc.message, {"evidence": [m for v in exc.errors.values() for m in v] or [exc.message]})
    saved = []
    for photo in cleaned:
        row = Evidence(task=task, content_type=photo.content_type, uploaded_by=actor)
        row.image.save(photo.content.name, photo.content, save=False)
        row.save()
        saved.append(row.pk)
    task.status = TaskStatus.CLOSED
    task.closed_at = timezone.now()
    task.closing_note = note
    task.save(update_fields=["status", "closed_at", "closing_note"])
    _note(task, actor, note)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=task, detail={"action": "close",
                                                                              "evidence": saved})
    if task.created_by_id != getattr(actor, "pk", None):
        notify(recipients=[task.created_by], title=_("任务已办结：%(t)s") % {"t": task.title}, body=note,
               link=f"/governance/tasks/{task.pk}/")
    return task


@transaction.atomic
def task_reopen(*, actor, task: Task, note: str = "") -> Task:
    task = _locked_task(task)
    TASK.check(actor, task, TaskAction.REOPEN)
    errors: dict = {}
    note = _text(errors, "note", note, 500, _("理由"), required=_("请填写退回理由。"))
    _raise(errors, _("退回理由有误。"))
    task.status = TaskStatus.IN_PROGRESS
    task.closed_at = None
    task.save(update_fields=["status", "closed_at"])
    _note(task, actor, _("退回重办：%(n)s") % {"n": note})
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=task, detail={"action": "reopen", "note": note})
    notify(recipients=selectors.officers_of(task.department), title=_("任务退回重办：%(t)s") % {"t": task.title},
           body=note, link=f"/governance/tasks/{task.pk}/")
    return task


@transaction.atomic
def task_remind_overdue(*, today: dt.date | None = None) -> int:
    """Remind the owner department's officers (and the office that gave the task) of every open task past its
    due date, once a day. Returns how many tasks were reminded."""
    today = today or timezone.localdate()
    count = 0
    for task in selectors.overdue_tasks(today=today).select_for_update(of=("self",)):
        late = (today - task.due_date).days
        recipients = selectors.officers_of(task.department) + [task.created_by]
        notify(recipients=recipients, title=_("交办任务已逾期：%(t)s") % {"t": task.title},
               body=_("%(m)s交办%(d)s，期限%(due)s，已逾期%(n)d天。") % {
                   "m": task.meeting.title, "d": task.department.short_name or task.department.name,
                   "due": f"{task.due_date:%Y-%m-%d}", "n": late},
               link=f"/governance/tasks/{task.pk}/", send_message=True)
        task.reminded_on = today
        task.save(update_fields=["reminded_on"])
        audit_record(actor=None, action=AuditAction.UPDATE, obj=task, detail={"action": "remind", "late": late})
        count += 1
    return count


# --- 顽症 --------------------------------------------------------------------------------------------------------

@transaction.atomic
def problem_create(*, actor, node, title: str, place: str, category, description: str, first_seen: dt.date,
                   grids=()) -> Problem:
    _office(actor, node, "governance.ledger")
    errors: dict = {}
    title = _text(errors, "title", title, 64, _("名称"), required=_("请填写名称。"))
    place = _text(errors, "place", place, 100, _("地点"), required=_("请填写地点。"))
    description = _text(errors, "description", description, 4000, _("问题描述"), required=_("请填写问题描述。"))
    _date(errors, "first_seen", first_seen, _("首次发现日期"))
    if first_seen is not None and not errors.get("first_seen") and first_seen > timezone.localdate():
        errors["first_seen"] = [_("首次发现日期不能晚于今天。")]
    if category is None:
        errors["category"] = [_("请选择问题小类。")]
    if node is None or node.kind != NodeKind.SUBDISTRICT:
        errors["node"] = [_("请选择街道。")]
    grids = list(grids or [])
    if node is not None and any(g.kind != NodeKind.GRID or not g.path.startswith(node.path) for g in grids):
        errors["grids"] = [_("网格须属于本街道。")]
    _raise(errors, _("顽症信息有误。"))
    problem = Problem.objects.create(node=node, title=title, place=place, category=category,
                                     description=description, first_seen=first_seen, created_by=actor)
    if grids:
        problem.grids.set(grids)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=problem, detail={
        "node": node.code, "category": category.code, "grids": [g.code for g in grids]})
    return problem


@transaction.atomic
def problem_links_confirm(*, actor, problem: Problem, case_ids=(), order_ids=()) -> int:
    """A person confirms suggested cases and orders as occurrences of the problem. Only records the actor may see
    are linked; any other id is refused as unknown."""
    _office(actor, problem.node, "governance.ledger")
    if not selectors.problem_visible(user=actor, problem=problem):
        raise Forbidden(_("只有本街道的工作人员可以办理。"), {"actor": [_("无权办理。")]})
    try:
        case_ids = {int(i) for i in case_ids or ()}
        order_ids = {int(i) for i in order_ids or ()}
    except (TypeError, ValueError):
        raise DomainError(_("请选择要关联的案件或工单。"), {"cases": [_("编号无效。")]}) from None
    if not case_ids and not order_ids:
        raise DomainError(_("请选择要关联的案件或工单。"), {"cases": [_("请至少选择一件。")]})
    if len(case_ids) + len(order_ids) > 200:
        raise DomainError(_("一次最多关联200件。"), {"cases": [_("一次最多关联200件。")]})
    cases = list(grid.case_base(user=actor).filter(pk__in=case_ids))
    orders = list(grid.hotline_list(user=actor).filter(pk__in=order_ids))
    if len(cases) != len(case_ids) or len(orders) != len(order_ids):
        raise DomainError(_("有案件或工单不存在。"), {"cases": [_("有案件或工单不存在。")]})
    have_cases = set(problem.links.filter(case__in=cases).values_list("case_id", flat=True))
    have_orders = set(problem.links.filter(order__in=orders).values_list("order_id", flat=True))
    rows = [ProblemLink(problem=problem, kind=LinkKind.CASE, case=c, occurred_at=c.reported_at, confirmed_by=actor)
            for c in cases if c.pk not in have_cases]
    rows += [ProblemLink(problem=problem, kind=LinkKind.HOTLINE, order=o, occurred_at=o.received_at,
                         confirmed_by=actor) for o in orders if o.pk not in have_orders]
    ProblemLink.objects.bulk_create(rows)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=problem, detail={
        "linked_cases": sorted(c.pk for c in cases if c.pk not in have_cases),
        "linked_orders": sorted(o.pk for o in orders if o.pk not in have_orders)})
    return len(rows)


@transaction.atomic
def problem_measure_add(*, actor, problem: Problem, date: dt.date, text: str, department=None) -> Measure:
    _office(actor, problem.node, "governance.ledger")
    errors: dict = {}
    text = _text(errors, "text", text, 500, _("措施"), required=_("请填写措施。"))
    _date(errors, "date", date, _("日期"))
    _raise(errors, _("措施信息有误。"))
    measure = Measure.objects.create(problem=problem, date=date, text=text, department=department, created_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=measure, detail={"problem": problem.pk})
    return measure


def _problem_step(actor, problem: Problem, name: str, note: str) -> Problem:
    problem = Problem.objects.select_for_update(of=("self",)).select_related("node").get(pk=problem.pk)
    action = PROBLEM.check(actor, problem, name)
    errors: dict = {}
    note = _text(errors, "note", note, 500, _("说明"))
    _raise(errors, _("说明有误。"))
    before = problem.status
    problem.status = action.target
    problem.closed_at = timezone.now() if action.target == ProblemStatus.CLOSED else None
    problem.save(update_fields=["status", "closed_at"])
    if note:
        Measure.objects.create(problem=problem, date=timezone.localdate(), created_by=actor,
                               text=f"{action.label}：{note}"[:500])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=problem,
                 detail={"action": name, "from": before, "note": note})
    return problem


@transaction.atomic
def problem_launch(*, actor, problem: Problem, note: str = "") -> Problem:
    return _problem_step(actor, problem, ProblemAction.LAUNCH, note)


@transaction.atomic
def problem_consolidate(*, actor, problem: Problem, note: str = "") -> Problem:
    return _problem_step(actor, problem, ProblemAction.CONSOLIDATE, note)


@transaction.atomic
def problem_relapse(*, actor, problem: Problem, note: str = "") -> Problem:
    return _problem_step(actor, problem, ProblemAction.RELAPSE, note)


@transaction.atomic
def problem_close(*, actor, problem: Problem, note: str = "") -> Problem:
    return _problem_step(actor, problem, ProblemAction.CLOSE, note)
