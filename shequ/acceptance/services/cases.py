"""Case writes (办件): intake with a decision (受理 / 一次告知 / 容缺受理 / 不予受理), supplements, back-office
review (签收, 审核通过/不予通过, 退回补正), 办结 and 出件, termination, printing.

Every function checks its step against the declared workflow (`..workflows.CASE`: capability, status, the
actor's department, the item's rules) under the case's lock, validates everything before writing, writes the
case, a `CaseEvent` and an audit row in one transaction. The clock: due date = N working days after the
acceptance date (start day not counted); a return for 补正 pauses it and the resubmission resumes it with the
working days that were left. When a later year's holidays are not entered yet (in December, next year's), the
dates follow the Mon–Fri rule, the case is marked 暂定, and entering the year recomputes it
(`case_recompute_provisional`).
"""

from __future__ import annotations

import datetime as dt
import math
import secrets

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import crypto, idcard, workcal
from shequ.core.audit import audit_record, audit_record_many, audit_row
from shequ.core.choices import AuditAction, Role
from shequ.core.errors import ConflictError, DomainError, NotFound
from shequ.core.models import User
from shequ.core.services import notify

from ..choices import NEW, CaseDecision, CaseStatus, IdCheck, Recipient, TicketStatus
from ..models import Case, CaseEvent, CaseMaterial, ServiceItem, Ticket
from ..workflows import CASE, INTAKE_ACTIONS
from .common import actor_name, centre_for, clean_text, next_number
from .transfers import transfer_for_intake

STATUS_LABELS = dict(CaseStatus.choices)


# --- helpers ------------------------------------------------------------------------------------------------

def due_dates(start: dt.date, limit_days: int) -> tuple[dt.date, dt.date]:
    """(warn date at 80 % of the limit, due date). Raises CalendarUnavailable for a year without data."""
    warn, due = workcal.add_working_days_each(start, [math.ceil(limit_days * 0.8), limit_days])
    return warn, due


def due_preview(start: dt.date, limit_days: int, used: int = 0) -> tuple[dt.date, dt.date, bool]:
    """(warn date, due date, provisional) counting from `start` with `used` of the limit's working days already
    spent (a clock resumed after 补正). A later year without confirmed holidays is counted on the Mon–Fri rule
    (provisional); the current year missing still raises CalendarUnavailable."""
    left = max(limit_days - used, 0)
    warn_left = max(math.ceil(limit_days * 0.8) - used, 0)
    (warn, due), provisional = workcal.add_working_days_provisional(start, [warn_left, left])
    return warn, due, provisional


def _schedule(case: Case) -> None:
    """Set the case's warn and due dates from its clock: the acceptance date, or the day it resumed after 补正
    with the working days that were left."""
    limit = case.item.limit_days
    if case.clock_resumed_on is not None and case.clock_remaining is not None:
        start, used = case.clock_resumed_on, max(limit - case.clock_remaining, 0)
    else:
        start, used = case.clock_start, 0
    case.warn_date, case.due_date, case.due_provisional = due_preview(start, limit, used)


def _move(case: Case, action: str, *, actor) -> str:
    """Check the step against the declaration (refusal: 403, 404 or 409) and take it; returns the old status."""
    step = CASE.check(actor, case, action)
    previous = case.status
    if step.target is not None:
        case.status = step.target
    return previous


def _event(case: Case, action: str, previous, *, actor, note: str = "", detail: dict | None = None) -> None:
    CaseEvent.objects.create(case=case, action=action, from_status=previous or "", to_status=case.status,
                             actor=actor, actor_name=actor_name(actor), note=note, detail=detail or {})
    audit_record(actor=actor, action=AuditAction.CREATE if action == "intake" else AuditAction.TRANSITION,
                 obj=case, detail={"op": action, "from": previous or "", "to": case.status, **(detail or {})})


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("item", "department", "node").get(pk=case.pk)


def _missing(materials) -> list[CaseMaterial]:
    return [m for m in materials if not m.provided]


def _names(materials) -> str:
    return "、".join(m.name for m in materials)


def _officers(case: Case):
    """The department's officers whose jurisdiction holds the case's centre (a node of their scope is the centre's
    node or one of its ancestors), as a query: `notify` writes their notifications from it in one statement."""
    path, ancestors = case.node.path, []
    for end in range(1, len(path)):
        if path[end] == "/":
            ancestors.append(path[:end + 1])
    return User.objects.filter(role=Role.DEPT_OFFICER, department_id=case.department_id, is_active=True,
                               nodes__path__in=ancestors, nodes__is_active=True).distinct()


def _start_clock(case: Case, today: dt.date) -> None:
    case.clock_start, case.clock_resumed_on, case.clock_remaining = today, None, None
    case.paused_at = None
    _schedule(case)


def _check_rongque(case: Case, materials, *, deadline, promise_signed: bool, today: dt.date) -> None:
    missing = _missing(materials)
    if not missing:
        raise DomainError(_("材料已齐全，请直接受理，无需容缺。"), {"decision": [_("材料齐全。")]})
    key_missing = [m for m in missing if m.is_key]
    if key_missing:
        raise DomainError(_("关键材料“%(m)s”不可容缺，请出具一次性告知书。") % {"m": _names(key_missing)},
                          {"materials": [_("缺少关键材料。")]})
    if not promise_signed:
        raise DomainError(_("容缺受理须由申请人签署《容缺受理承诺书》。"), {"promise_signed": [_("请确认申请人已签署承诺书。")]})
    if not isinstance(deadline, dt.date):
        raise DomainError(_("请填写容缺材料的补齐期限。"), {"rongque_deadline": [_("必填。")]})
    if deadline < today:
        raise DomainError(_("补齐期限不能早于今天。"), {"rongque_deadline": [_("日期已过。")]})
    _check_rongque_bar(case, today)
    if case.due_date and deadline > case.due_date:
        raise DomainError(_("补齐期限不能超过本事项的承诺办结日（%(d)s）。") % {"d": _cn(case.due_date)},
                          {"rongque_deadline": [_("超过承诺时限。")]})


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    first = dt.date(year, month + 1, 1)
    return first.replace(day=min(day.day, workcal.month_end(first).day))


def _check_rongque_bar(case: Case, today: dt.date) -> None:
    """An applicant whose 容缺 promise lapsed within `ACCEPTANCE_RONGQUE_BAR_MONTHS` cannot use 容缺 again."""
    from django.conf import settings

    months = settings.ACCEPTANCE_RONGQUE_BAR_MONTHS
    if not months or not case.applicant_id_hash:
        return
    since = _months_before(today, months)
    lapsed = (Case.objects.filter(applicant_id_hash=case.applicant_id_hash, rongque_lapsed=True,
                                  closed_at__date__gte=since)
              .exclude(pk=case.pk).order_by("-closed_at").values_list("number", "closed_at").first())
    if lapsed:
        raise DomainError(
            _("申请人的容缺承诺曾于%(d)s逾期未履行（办件 %(n)s），%(m)d个月内不能再适用容缺受理；请出具一次性告知书，"
              "材料齐全后受理。") % {"d": _cn(timezone.localdate(lapsed[1])), "n": lapsed[0], "m": months},
            {"decision": [_("该申请人暂不能适用容缺受理。")]})


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _accept(case: Case, materials, *, actor, now, rongque: bool = False, deadline=None,
            promise_signed=False) -> None:
    today = timezone.localdate(now)
    _start_clock(case, today)  # a missing current year propagates (CalendarUnavailable): no acceptance
    if rongque:
        _check_rongque(case, materials, deadline=deadline, promise_signed=promise_signed, today=today)
        case.rongque_pending, case.rongque_deadline, case.promise_signed = True, deadline, True
    else:
        missing = _missing(materials)
        if missing:
            raise DomainError(
                _("材料不齐，不能受理：缺%(m)s。请出具一次性告知书，或在仅缺可容缺材料时容缺受理。") % {"m": _names(missing)},
                {"materials": [_("缺少材料：%(m)s") % {"m": _names(missing)}]})
    case.accepted_at, case.accepted_by = now, actor


# --- intake -------------------------------------------------------------------------------------------------

def _applicant(actor, *, resident_id, applicant: dict | None) -> dict:
    from shequ.people import selectors as people

    if resident_id not in (None, ""):
        try:
            resident = people.resident_get(user=actor, pk=resident_id)
        except Http404:
            raise DomainError(_("所选居民不存在或不在您的管辖范围内。"),
                              {"applicant_resident": [_("不在您的管辖范围内。")]}) from None
        phone = (applicant or {}).get("phone") or resident.phone
        return {"resident": resident, "name": resident.name, "id_number": resident.id_number, "phone": phone or "",
                "committee": resident.committee}
    applicant = applicant or {}
    name = clean_text(applicant.get("name"), field="applicant_name", label=_("申请人姓名"), max_length=32)
    try:
        id_number = idcard.normalize_id_number(applicant.get("id_number") or "")
    except idcard.InvalidIdNumber as exc:
        raise DomainError(str(exc), {"applicant_id_number": [str(exc)]}) from None
    phone = (applicant.get("phone") or "").strip()
    if phone:
        try:
            phone = idcard.normalize_phone(phone)
        except ValueError as exc:
            raise DomainError(str(exc), {"applicant_phone": [str(exc)]}) from None
    resident = people.resident_by_id_number(user=actor, id_number=id_number)
    if resident is not None and resident.name != name:
        raise DomainError(_("该身份证号已登记为居民“%(n)s”，与填写的姓名不一致，请核对。") % {"n": resident.name},
                          {"applicant_name": [_("姓名与身份证号不一致。")]})
    return {"resident": resident, "name": name, "id_number": id_number, "phone": phone,
            "committee": resident.committee if resident else None}


def _agent(item: ServiceItem, agent: dict | None) -> dict:
    agent = agent or {}
    if not (agent.get("name") or "").strip():
        return {}
    if not item.agent_allowed:
        raise DomainError(_("“%(i)s”须申请人本人办理，不接受代办。") % {"i": item.name},
                          {"agent_name": [_("该事项不允许代办。")]})
    name = clean_text(agent.get("name"), field="agent_name", label=_("代理人姓名"), max_length=32)
    try:
        id_number = idcard.normalize_id_number(agent.get("id_number") or "")
    except idcard.InvalidIdNumber as exc:
        raise DomainError(str(exc), {"agent_id_number": [str(exc)]}) from None
    if not agent.get("authorized"):
        raise DomainError(_("代办须核验申请人签署的授权委托书。"), {"agent_authorized": [_("请确认已核验授权委托书。")]})
    relation = clean_text(agent.get("relation"), field="agent_relation", label=_("与申请人关系"), max_length=16)
    return {"name": name, "id_number": id_number, "relation": relation}


def item_situations(materials) -> list[str]:
    """The questions an item asks at intake: each distinct 情形 of its materials, in the catalogue's order."""
    found = []
    for m in materials:
        if m.condition and m.condition not in found:
            found.append(m.condition)
    return found


def applicable_situations(materials, answers) -> list[str]:
    """The answered-yes situations, validated against the item's questions, in the catalogue's order."""
    questions = item_situations(materials)
    given = set()
    for answer in answers or ():
        text = str(answer or "").strip()
        if not text:
            continue
        if text not in questions:
            raise DomainError(_("申报的情形“%(s)s”不属于该事项。") % {"s": text[:60]},
                              {"situations": [_("情形不属于所选事项。")]})
        given.add(text)
    return [q for q in questions if q in given]


def _ticket(node, ticket_id) -> Ticket | None:
    if ticket_id in (None, ""):
        return None
    try:
        ticket = Ticket.objects.get(pk=int(ticket_id), node=node)
    except (Ticket.DoesNotExist, TypeError, ValueError):
        raise DomainError(_("排队号不存在。"), {"ticket": [_("排队号不存在。")]}) from None
    if ticket.day != timezone.localdate():
        raise DomainError(_("排队号 %(n)s 不是今天的号，不能用于今天的受理。") % {"n": ticket.number},
                          {"ticket": [_("不是当天的号。")]})
    if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.DONE):
        raise DomainError(_("排队号 %(n)s 尚未叫号，不能受理。") % {"n": ticket.number},
                          {"ticket": [_("尚未叫号。")]})
    return ticket


def case_intake(*, actor, item: ServiceItem | None, decision: str, applicant_resident=None,
                applicant: dict | None = None, agent: dict | None = None, ticket=None, provided=(),
                rongque_deadline: dt.date | None = None, promise_signed: bool = False, reasons: str = "",
                note: str = "", situations=(), home: dict | None = None) -> Case:
    """Register an application at the window and decide on it at once. Nothing is written unless every check
    passes (no partial case). `situations` are the item's 情形 that apply to this applicant (the answers to the
    intake questions): only their materials, and the unconditional ones, make the case's checklist."""
    action = INTAKE_ACTIONS.get(decision, "accept")
    CASE.check(actor, Case(status=NEW), action)  # who may take a case in (the record does not exist yet)
    node = centre_for(actor)
    if not isinstance(item, ServiceItem) or not item.is_active:
        raise DomainError(_("请选择一个有效的服务事项。"), {"item": [_("未知或已停用的事项。")]})
    if decision not in CaseDecision.values:
        raise DomainError(_("请选择受理决定。"), {"decision": [_("无效的受理决定。")]})
    person = _applicant(actor, resident_id=applicant_resident, applicant=applicant)
    agent_data = _agent(item, agent)
    ticket_obj = _ticket(node, ticket)
    all_materials = list(item.materials.all())
    applying = applicable_situations(all_materials, situations)
    materials = [m for m in all_materials if not m.condition or m.condition in applying]
    try:
        provided_ids = {int(p) for p in provided}
    except (TypeError, ValueError):
        raise DomainError(_("材料清单无效。"), {"materials": [_("材料编号无效。")]}) from None
    unknown = provided_ids - {m.pk for m in materials}
    if unknown:
        raise DomainError(_("材料不属于该事项。"), {"materials": [_("材料不属于所选事项。")]})
    note = clean_text(note, field="note", label=_("备注"), required=False, max_length=200)
    reasons = (reasons or "").strip()
    if decision == CaseDecision.REJECT:
        reasons = clean_text(reasons, field="reasons", label=_("不予受理的理由"), max_length=1000)

    now = timezone.now()
    today = timezone.localdate(now)
    case = Case(
        check_code=f"{secrets.randbelow(10 ** 6):06d}",
        node=node, item=item, department=item.department, ticket=ticket_obj, status=NEW,
        applicant_resident=person["resident"], committee=person["committee"], applicant_name=person["name"],
        applicant_id_number=person["id_number"], applicant_id_hash=crypto.keyed_hash(person["id_number"]),
        applicant_id_masked=idcard.mask_id_number(person["id_number"]), applicant_phone=person["phone"],
        applicant_phone_masked=idcard.mask_phone(person["phone"]), received_at=now, received_by=actor, note=note,
        situations=applying)
    if agent_data:
        case.agent_name, case.agent_id_number = agent_data["name"], agent_data["id_number"]
        case.agent_id_masked = idcard.mask_id_number(agent_data["id_number"])
        case.agent_relation = agent_data["relation"]
    checklist = [CaseMaterial(material=m, name=m.name, is_key=m.is_key, provided=m.pk in provided_ids,
                              provided_at=now if m.pk in provided_ids else None, sort_order=i)
                 for i, m in enumerate(materials)]
    missing = _missing(checklist)

    _move(case, action, actor=actor)
    if decision == CaseDecision.NOTIFY:
        if not missing:
            raise DomainError(_("材料已齐全，无需一次性告知，请直接受理。"), {"decision": [_("材料齐全。")]})
        case.notice_at = now
    elif decision == CaseDecision.REJECT:
        case.closing_reason, case.closed_at = reasons, now
    else:
        _accept(case, checklist, actor=actor, now=now, rongque=decision == CaseDecision.RONGQUE,
                deadline=rongque_deadline, promise_signed=promise_signed)
    detail = {"item": item.code, "ticket": ticket_obj.number if ticket_obj else None,
              "agent": bool(agent_data), "resident": bool(person["resident"])}
    if applying:
        detail["situations"] = applying
    decided = dict(detail)
    if missing:
        decided["missing"] = [m.name for m in missing]
    if case.due_date:
        decided["due_date"] = case.due_date.isoformat()
    # Everything above reads and validates; the transaction holds the writes alone (on SQLite it holds the
    # database's write lock, so a read inside it would make every other writer wait for it). The two steps of the
    # window (收件, then the decision) are two events and two audit rows, each written in one statement, and the
    # officers' notifications one INSERT … SELECT.
    with transaction.atomic():
        seq = next_number(node=node, key="CASE", day=today)
        case.number = f"SL{today:%y%m%d}{node.code[6:9]}{seq:04d}"
        case.save()
        for m in checklist:
            m.case = case
        CaseMaterial.objects.bulk_create(checklist)
        # 全市通办: refuse a non-通办 item for an applicant of another centre, or open the transfer to the home
        # centre.
        transfer_for_intake(actor=actor, case=case, person=person, home=home)
        name = actor_name(actor)
        events = [CaseEvent(case=case, action="intake", from_status="", to_status=case.status, actor=actor,
                            actor_name=name, at=now, detail=detail),
                  CaseEvent(case=case, action=action, from_status="", to_status=case.status, actor=actor,
                            actor_name=name, at=now, note=reasons, detail=decided)]
        CaseEvent.objects.bulk_create(events)
        audit_record_many([
            audit_row(actor=actor, action=AuditAction.CREATE, obj=case, detail={"op": "intake", **detail}),
            audit_row(actor=actor, action=AuditAction.TRANSITION, obj=case,
                      detail={"op": action, "from": "", "to": case.status, **decided})])
        if case.status == CaseStatus.ACCEPTED and not item.is_instant:
            _notify_officers(case, _("新受理办件待审核：%(n)s %(i)s") % {"n": case.number, "i": item.name})
    # The answer shows the case as written: its materials and events are known, not read back.
    _known(case, "materials", CaseMaterial, checklist)
    _known(case, "events", CaseEvent, events)
    return case


def _known(case: Case, relation: str, model, rows: list) -> None:
    known = model.objects.filter(case=case)
    known._result_cache, known._prefetch_done = list(rows), True
    case._prefetched_objects_cache = {**getattr(case, "_prefetched_objects_cache", {}), relation: known}


def _notify_officers(case: Case, title: str) -> None:
    from django.urls import reverse

    notify(recipients=_officers(case), title=title,
           body=_("到期日：%(d)s") % {"d": _cn(case.due_date)} if case.due_date else "",
           link=reverse("acceptance:case-detail", args=[case.pk]))


# --- front desk after intake -----------------------------------------------------------------------------

@transaction.atomic
def case_supplement(*, actor, case: Case, materials) -> Case:
    """The applicant brings missing materials (after a one-time notice, for 容缺, or for 补正)."""
    case = _lock(case)
    _move(case, "supplement", actor=actor)
    try:
        ids = {int(m) for m in materials}
    except (TypeError, ValueError):
        raise DomainError(_("材料编号无效。"), {"materials": [_("材料编号无效。")]}) from None
    pending = {m.pk: m for m in case.materials.filter(provided=False)}
    if not ids:
        raise DomainError(_("请勾选本次补交的材料。"), {"materials": [_("请至少勾选一项。")]})
    if ids - pending.keys():
        raise DomainError(_("所选材料不是本办件待补交的材料。"), {"materials": [_("材料无效或已收。")]})
    now = timezone.now()
    for pk in ids:
        m = pending[pk]
        m.provided, m.supplemented, m.provided_at = True, True, now
        m.save(update_fields=["provided", "supplemented", "provided_at"])
    names = [pending[pk].name for pk in sorted(ids)]
    if case.rongque_pending and not case.materials.filter(provided=False).exists():
        case.rongque_pending = False
        case.save(update_fields=["rongque_pending", "updated_at"])
    _event(case, "supplement", case.status, actor=actor, note="、".join(names), detail={"materials": names})
    return case


@transaction.atomic
def case_accept(*, actor, case: Case) -> Case:
    """受理 after a one-time notice, once every material is in."""
    case = _lock(case)
    previous = _move(case, "accept", actor=actor)
    _accept(case, list(case.materials.all()), actor=actor, now=timezone.now())
    case.save()
    _event(case, "accept", previous, actor=actor, detail={"due_date": case.due_date.isoformat()})
    if not case.item.is_instant:
        _notify_officers(case, _("新受理办件待审核：%(n)s %(i)s") % {"n": case.number, "i": case.item.name})
    return case


@transaction.atomic
def case_rongque(*, actor, case: Case, deadline: dt.date | None, promise_signed: bool) -> Case:
    """容缺受理 after a one-time notice: only acceptable-missing materials are still missing."""
    case = _lock(case)
    previous = _move(case, "rongque", actor=actor)
    materials = list(case.materials.all())
    _accept(case, materials, actor=actor, now=timezone.now(), rongque=True, deadline=deadline,
            promise_signed=promise_signed)
    case.save()
    _event(case, "rongque", previous, actor=actor,
           detail={"due_date": case.due_date.isoformat(), "deadline": deadline.isoformat(),
                   "missing": [m.name for m in _missing(materials)]})
    if not case.item.is_instant:
        _notify_officers(case, _("容缺受理办件待审核：%(n)s %(i)s") % {"n": case.number, "i": case.item.name})
    return case


@transaction.atomic
def case_reject(*, actor, case: Case, reasons: str) -> Case:
    """不予受理 after a one-time notice (e.g. the applicant turns out not to qualify)."""
    case = _lock(case)
    previous = _move(case, "reject", actor=actor)
    reasons = clean_text(reasons, field="reasons", label=_("不予受理的理由"), max_length=1000)
    case.closing_reason, case.closed_at = reasons, timezone.now()
    case.save()
    _event(case, "reject", previous, actor=actor, note=reasons)
    return case


@transaction.atomic
def case_terminate(*, actor, case: Case, reason: str) -> Case:
    case = _lock(case)
    previous = _move(case, "terminate", actor=actor)
    reason = clean_text(reason, field="reason", label=_("终止理由"), max_length=1000)
    case.closing_reason, case.closed_at, case.rongque_pending = reason, timezone.now(), False
    case.save()
    _event(case, "terminate", previous, actor=actor, note=reason)
    return case


@transaction.atomic
def case_lapse_rongque(*, case: Case, today: dt.date) -> bool:
    """容缺 lapse: the promised deadline passed without the material, so the case ends in 终止 with a notice (the
    终止办理通知书 to print, the clerk and the department told), and the applicant is barred from 容缺 for
    `ACCEPTANCE_RONGQUE_BAR_MONTHS`. Run by the morning schedule; returns False for a case that no longer
    qualifies (supplemented or closed meanwhile)."""
    from ..workflows import OPEN_FRONT

    case = _lock(case)
    if (not case.rongque_pending or case.rongque_deadline is None or case.rongque_deadline >= today
            or case.status not in OPEN_FRONT):
        return False
    missing = [m.name for m in _missing(case.materials.all())]
    previous, now = case.status, timezone.now()
    reason = _("容缺材料逾期未补齐：补齐期限为%(d)s，仍缺%(m)s。依《容缺受理承诺书》终止办理。") % {
        "d": _cn(case.rongque_deadline), "m": "、".join(missing) or _("容缺材料")}
    case.status, case.closing_reason, case.closed_at = CaseStatus.TERMINATED, reason, now
    case.rongque_pending, case.rongque_lapsed = False, True
    case.save()
    _event(case, "lapse", previous, actor=None, note=reason,
           detail={"deadline": case.rongque_deadline.isoformat(), "missing": missing})
    from django.urls import reverse

    notify(recipients=[case.accepted_by, *(list(_officers(case)) if not case.item.is_instant else [])],
           title=_("容缺逾期，办件已终止：%(n)s") % {"n": case.number},
           body=reason + _("请打印《终止办理通知书》告知申请人。"),
           link=reverse("acceptance:case-detail", args=[case.pk]))
    return True


def cases_lapse_rongque(*, today: dt.date | None = None) -> int:
    """End every lapsed 容缺 case (each in its own transaction: one bad row does not hold back the others)."""
    from ..workflows import OPEN_FRONT

    today = today or timezone.localdate()
    ids = list(Case.objects.filter(rongque_pending=True, rongque_deadline__lt=today, status__in=OPEN_FRONT)
               .order_by("pk").values_list("pk", flat=True))
    return sum(case_lapse_rongque(case=Case(pk=pk), today=today) for pk in ids)


@transaction.atomic
def case_resubmit(*, actor, case: Case) -> Case:
    """补正完成: every requested material is in; the paused clock resumes today with the working days that were
    left at the return (a case returned before any clock, or an old one, restarts in full)."""
    case = _lock(case)
    previous = _move(case, "resubmit", actor=actor)
    missing = _missing(case.materials.all())
    if missing:
        raise DomainError(_("补正材料尚未补齐：%(m)s。") % {"m": _names(missing)},
                          {"materials": [_("缺少材料：%(m)s") % {"m": _names(missing)}]})
    today = timezone.localdate()
    if case.clock_start is not None and case.clock_remaining is not None:
        case.clock_resumed_on, case.paused_at = today, None
        _schedule(case)
    else:
        _start_clock(case, today)
    case.save()
    _event(case, "resubmit", previous, actor=actor,
           detail={"resumed_on": today.isoformat(), "remaining": case.clock_remaining,
                   "due_date": case.due_date.isoformat(), "provisional": case.due_provisional})
    _notify_officers(case, _("补正材料已补齐，恢复计时：%(n)s") % {"n": case.number})
    return case


# --- back office --------------------------------------------------------------------------------------------

@transaction.atomic
def case_claim(*, actor, case: Case) -> Case:
    case = _lock(case)
    previous = _move(case, "claim", actor=actor)
    case.handler = actor
    case.save()
    _event(case, "claim", previous, actor=actor)
    return case


@transaction.atomic
def case_approve(*, actor, case: Case, note: str = "") -> Case:
    case = _lock(case)
    previous = _move(case, "approve", actor=actor)
    missing = _missing(case.materials.all())
    if missing:
        raise ConflictError(_("材料“%(m)s”尚未补齐，不能审核通过。") % {"m": _names(missing)},
                            {"materials": [_("材料未补齐。")]})
    case.handler, case.decided_at = actor, timezone.now()
    case.decision_reason = clean_text(note, field="note", label=_("审核意见"), required=False, max_length=1000)
    case.save()
    _event(case, "approve", previous, actor=actor, note=case.decision_reason)
    return case


@transaction.atomic
def case_refuse(*, actor, case: Case, reasons: str) -> Case:
    case = _lock(case)
    previous = _move(case, "refuse", actor=actor)
    reasons = clean_text(reasons, field="reasons", label=_("不予通过的理由"), max_length=1000)
    case.handler, case.decided_at, case.decision_reason = actor, timezone.now(), reasons
    case.save()
    _event(case, "refuse", previous, actor=actor, note=reasons)
    return case


@transaction.atomic
def case_return(*, actor, case: Case, reason: str, materials: list[str] = (), second_reason: str = "") -> Case:
    """退回补正: one notice listing everything the applicant must bring; the clock pauses with the working days
    that are left. A second notice is the hall supervisor's, with its reason (`workflows.return_allowed`)."""
    case = _lock(case)
    previous = _move(case, "return", actor=actor)
    reason = clean_text(reason, field="reason", label=_("退回补正的原因"), max_length=1000)
    names = []
    for raw in materials:
        name = (raw or "").strip()
        if name and name not in names:
            if len(name) > 100:
                raise DomainError(_("材料名称不超过100个字。"), {"materials": [_("材料名称过长。")]})
            names.append(name)
    if not names:
        raise DomainError(_("退回补正须一次性列明需要补正的全部材料。"), {"materials": [_("请至少列出一项材料。")]})
    detail = {"materials": names, "round": case.return_count + 1}
    if case.return_count:
        second_reason = clean_text(second_reason, field="second_reason", label=_("再次退回补正的理由"),
                                   max_length=500)
        detail["second_reason"] = second_reason
    now = timezone.now()
    if case.due_date is not None and case.paused_at is None:
        case.clock_remaining = max(workcal.count_working_days_provisional(timezone.localdate(now), case.due_date), 0)
        detail["remaining"] = case.clock_remaining
    case.paused_at, case.handler = now, actor
    case.return_count += 1
    case.save()
    start = case.materials.count()
    CaseMaterial.objects.bulk_create([CaseMaterial(case=case, name=n, is_key=True, requested_by_backoffice=True,
                                                   sort_order=start + i) for i, n in enumerate(names)])
    _event(case, "return", previous, actor=actor, note=reason, detail=detail)
    from django.urls import reverse

    notify(recipients=[case.accepted_by], title=_("办件退回补正：%(n)s") % {"n": case.number}, body=reason,
           link=reverse("acceptance:case-detail", args=[case.pk]))
    return case


# --- 办结 and 出件 ---------------------------------------------------------------------------------------------

@transaction.atomic
def case_complete(*, actor, case: Case, result_note: str = "") -> Case:
    """办结: the result is ready for hand-over. A 即办件 is completed at the window right after acceptance; a
    承诺件 only after the department's decision."""
    case = _lock(case)
    previous = _move(case, "complete", actor=actor)  # a 即办件 at the window; a 承诺件 after the decision
    now = timezone.now()
    case.completed_at, case.completed_by = now, actor
    case.result_note = clean_text(result_note, field="result_note", label=_("办理结果"), required=False)
    case.on_time = case.due_date is None or timezone.localdate(now) <= case.due_date
    case.save()
    _event(case, "complete", previous, actor=actor, note=case.result_note, detail={"on_time": case.on_time})
    return case


@transaction.atomic
def case_deliver(*, actor, case: Case, to: str, id_check: str, recipient_name: str = "",
                 recipient_id_number: str = "", authorized: bool = False) -> Case:
    """出件: hand the result over to the applicant or an authorised agent, identity checked."""
    case = _lock(case)
    previous = _move(case, "deliver", actor=actor)
    if to not in Recipient.values:
        raise DomainError(_("请选择领取人。"), {"to": [_("无效的领取人类型。")]})
    if id_check not in IdCheck.values:
        raise DomainError(_("请选择身份核验方式。"), {"id_check": [_("无效的核验方式。")]})
    if to == Recipient.AGENT:
        if not case.item.agent_allowed:
            raise DomainError(_("该事项须本人领取，不接受代领。"), {"to": [_("不允许代领。")]})
        name = clean_text(recipient_name, field="recipient_name", label=_("代领人姓名"), max_length=32)
        try:
            id_number = idcard.normalize_id_number(recipient_id_number)
        except idcard.InvalidIdNumber as exc:
            raise DomainError(str(exc), {"recipient_id_number": [str(exc)]}) from None
        if not authorized:
            raise DomainError(_("代领须核验申请人签署的授权委托书。"), {"authorized": [_("请确认已核验授权委托书。")]})
        masked = idcard.mask_id_number(id_number)
    else:
        name, masked = case.applicant_name, case.applicant_id_masked
    case.delivered_at, case.delivered_by, case.delivered_to = timezone.now(), actor, to
    case.recipient_name, case.recipient_id_masked = name, masked
    case.save()
    _event(case, "deliver", previous, actor=actor,
           note=_("交付%(t)s %(n)s（%(c)s）") % {"t": Recipient(to).label, "n": name, "c": IdCheck(id_check).label},
           detail={"to": to, "id_check": id_check})
    return case


@transaction.atomic
def case_record_view(*, actor, case: Case) -> None:
    """Opening a case shows the applicant's personal data (masked): the view is audited, as for residents."""
    audit_record(actor=actor, action=AuditAction.VIEW, obj=case)


# --- documents ------------------------------------------------------------------------------------------------

DOCUMENTS = {
    "receipt": _("受理回执"),
    "notice": _("一次性告知书"),
    "rongque": _("容缺受理通知书"),
    "refusal": _("不予受理决定书"),
    "lapse": _("终止办理通知书"),
}


def documents_available(case: Case) -> list[str]:
    kinds = []
    if case.accepted_at:
        kinds.append("receipt")
    if case.notice_at:
        kinds.append("notice")
    if case.promise_signed:
        kinds.append("rongque")
    if case.status == CaseStatus.REJECTED:
        kinds.append("refusal")
    if case.rongque_lapsed:
        kinds.append("lapse")
    return kinds


@transaction.atomic
def case_print(*, actor, case: Case, kind: str) -> tuple[str, bytes]:
    """Render one of the case's documents as PDF; every print is audited and noted in the history."""
    from ..pdf import render_case_document

    if kind not in DOCUMENTS:
        raise NotFound(_("没有这种文书。"), {"kind": [_("无效的文书类型。")]})
    if kind not in documents_available(case):
        raise ConflictError(_("办件 %(n)s 当前没有“%(d)s”。") % {"n": case.number, "d": DOCUMENTS[kind]},
                            {"kind": [_("当前状态没有该文书。")]})
    content = render_case_document(case=case, kind=kind, printed_by=actor)
    CaseEvent.objects.create(case=case, action="print", from_status=case.status, to_status=case.status,
                             actor=actor, actor_name=actor_name(actor), note=str(DOCUMENTS[kind]))
    audit_record(actor=actor, action=AuditAction.PRINT, obj=case, detail={"document": kind})
    return f"{case.number}-{kind}.pdf", content


# --- provisional due dates (next year's calendar) -------------------------------------------------------------

@transaction.atomic
def case_recompute_provisional(*, actor, year: int | None = None) -> int:
    """A year of the working-day calendar was entered: recompute every case whose dates were counted on the
    Mon–Fri rule (暂定). A case still needing another missing year stays marked. A case paused for 补正 keeps its
    mark until it resumes (its due date is recomputed then). Each recomputed case gets an event and an audit row;
    returns how many were recomputed."""
    cases = list(Case.objects.select_for_update(of=("self",)).select_related("item")
                 .filter(due_provisional=True, due_date__isnull=False, clock_start__isnull=False, paused_at__isnull=True)
                 .order_by("pk"))
    events, rows, changed = [], [], 0
    name = actor_name(actor) if actor is not None else _("系统")
    now = timezone.now()
    for case in cases:
        before = (case.warn_date, case.due_date)
        _schedule(case)
        fields = ["warn_date", "due_date", "due_provisional", "updated_at"]
        if case.completed_at is not None:
            case.on_time = timezone.localdate(case.completed_at) <= case.due_date
            fields.append("on_time")
        case.save(update_fields=fields)
        detail = {"op": "recompute", "year": year, "from_due": before[1].isoformat(),
                  "due_date": case.due_date.isoformat(), "provisional": case.due_provisional}
        events.append(CaseEvent(case=case, action="recompute", from_status=case.status, to_status=case.status,
                                actor=actor, actor_name=name, at=now, detail=detail,
                                note=_("工作日历录入，到期日由%(a)s重算为%(b)s") % {"a": _cn(before[1]),
                                                                          "b": _cn(case.due_date)}))
        rows.append(audit_row(actor=actor, action=AuditAction.UPDATE, obj=case, detail=detail))
        changed += 1
    if events:
        CaseEvent.objects.bulk_create(events)
        audit_record_many(rows)
    return changed
