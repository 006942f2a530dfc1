"""Writes of the social-organisation module: each action one `<entity>_<action>` function, atomic and audited.
The stateful ones (an incubation, a purchased-service project) check themselves first against their declared
workflow (`workflows.py`) under the row's lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import idcard
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.inputs import check_date, check_lengths
from shequ.core.scoping import in_scope, scope_paths
from shequ.core.scoring import Combination, combine_scores

from . import documents
from .choices import (AppraisalGrade, ClaimRequestStatus, ClaimStatus, ContributionKind, IncubationAction, IncubationStatus,
                      InstalmentStatus, Milestone, OrgKind, ProjectAction, ProjectStatus, Rating)
from .models import (Claim, ClaimActivity, ClaimProject, ClaimRequest, Contract, Contribution, Document, Incubation,
                     IncubationMilestone, Instalment, Organisation, Project, Proposal, Review, Score)
from .workflows import INCUBATION, PROJECT

MAX_INSTALMENTS = 12
MONEY_LIMIT = Decimal("100000000")


# --- small checks ---------------------------------------------------------------------------------------------

def _text(errors: dict, field: str, value, limit: int, label: str, required: bool = False) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        errors.setdefault(field, []).append(_("请填写%(l)s。") % {"l": label})
        return value
    check_lengths(errors, (field, value, limit, label))
    return value


def _money(errors: dict, field: str, value, required: bool = True, positive: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("请填写金额。"))
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("金额应为数字。"))
        return None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        errors.setdefault(field, []).append(_("金额最多两位小数。"))
        return None
    if amount < 0 or (positive and amount == 0) or amount >= MONEY_LIMIT:
        errors.setdefault(field, []).append(_("金额应大于0且小于1亿元。"))
        return None
    return amount


def _date(errors: dict, field: str, value, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("请填写日期。"))
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            errors.setdefault(field, []).append(_("日期格式应为 年-月-日。"))
            return None
    if not isinstance(value, dt.date):
        errors.setdefault(field, []).append(_("日期格式应为 年-月-日。"))
        return None
    try:
        return check_date(value)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return None


def _phone(errors: dict, field: str, value) -> str:
    if not (value or "").strip():
        return ""
    try:
        return idcard.normalize_phone(value)
    except ValueError as exc:
        errors.setdefault(field, []).append(str(exc))
        return ""


def _raise(errors: dict, message: str) -> None:
    if errors:
        raise DomainError(message, errors)


def _may_manage(actor, node) -> None:
    if actor is None:
        return
    if not actor.can("socialorgs.manage") or not in_scope(actor, node):
        raise Forbidden(_("只有本街道民政部门的社会组织工作人员可以办理。"), {"actor": [_("无权办理。")]})


# --- registry -------------------------------------------------------------------------------------------------

def _organisation_data(*, node, name, kind, registration_number, rating, rating_valid_until, contact_name,
                       contact_phone, description, committees) -> dict:
    errors: dict[str, list] = {}
    if node is None or node.kind != NodeKind.SUBDISTRICT:
        errors["node"] = [_("请选择街道。")]
    name = _text(errors, "name", name, 80, _("名称"), required=True)
    if kind not in OrgKind.values:
        errors["kind"] = [_("请选择社会组织类型。")]
    registration_number = _text(errors, "registration_number", registration_number, 32, _("登记证号"))
    if kind != OrgKind.COMMUNITY and kind in OrgKind.values and not registration_number:
        errors.setdefault("registration_number", []).append(_("已登记的社会组织须填写登记证号。"))
    rating = rating or ""
    if rating and rating not in Rating.values:
        errors["rating"] = [_("评估等级应为5A至1A。")]
    valid_until = _date(errors, "rating_valid_until", rating_valid_until, required=bool(rating))
    if not rating and valid_until:
        errors.setdefault("rating_valid_until", []).append(_("没有评估等级时不填有效期。"))
    contact_name = _text(errors, "contact_name", contact_name, 32, _("联系人"))
    phone = _phone(errors, "contact_phone", contact_phone)
    description = _text(errors, "description", description, 2000, _("简介"))
    committees = list(committees or [])
    if node is not None and any(c.kind != NodeKind.COMMITTEE or not c.path.startswith(node.path) for c in committees):
        errors["committees"] = [_("只能选择本街道的居委会。")]
    _raise(errors, _("社会组织信息有误。"))
    return {"node": node, "name": name, "kind": kind, "registration_number": registration_number,
            "rating": rating, "rating_valid_until": valid_until if rating else None, "contact_name": contact_name,
            "contact_phone": phone, "contact_phone_masked": idcard.mask_phone(phone) if phone else "",
            "description": description}, committees


@transaction.atomic
def organisation_create(*, actor, node, name: str, kind: str, registration_number: str = "", rating: str = "",
                        rating_valid_until=None, contact_name: str = "", contact_phone: str = "",
                        description: str = "", committees=()) -> Organisation:
    data, committees = _organisation_data(
        node=node, name=name, kind=kind, registration_number=registration_number, rating=rating,
        rating_valid_until=rating_valid_until, contact_name=contact_name, contact_phone=contact_phone,
        description=description, committees=committees)
    _may_manage(actor, node)
    if Organisation.objects.filter(name=data["name"]).exists():
        raise ConflictError(_("已有同名社会组织。"), {"name": [_("已有同名社会组织。")]})
    if data["registration_number"] and Organisation.objects.filter(
            registration_number=data["registration_number"]).exists():
        raise ConflictError(_("该登记证号已登记。"), {"registration_number": [_("该登记证号已登记。")]})
    try:
        with transaction.atomic():
            org = Organisation.objects.create(**data)
    except IntegrityError:
        raise ConflictError(_("已有同名社会组织或相同登记证号。"), {"name": [_("已有同名社会组织。")]}) from None
    org.committees.set(committees)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=org,
                 detail={"kind": kind, "rating": data["rating"], "committees": [c.code for c in committees]})
    return org


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, name: str, kind: str, registration_number: str = "",
                        rating: str = "", rating_valid_until=None, contact_name: str = "", contact_phone: str = "",
                        description: str = "", committees=()) -> Organisation:
    _may_manage(actor, organisation.node)
    data, committees = _organisation_data(
        node=organisation.node, name=name, kind=kind, registration_number=registration_number, rating=rating,
        rating_valid_until=rating_valid_until, contact_name=contact_name, contact_phone=contact_phone,
        description=description, committees=committees)
    others = Organisation.objects.exclude(pk=organisation.pk)
    if others.filter(name=data["name"]).exists():
        raise ConflictError(_("已有同名社会组织。"), {"name": [_("已有同名社会组织。")]})
    if data["registration_number"] and others.filter(registration_number=data["registration_number"]).exists():
        raise ConflictError(_("该登记证号已登记。"), {"registration_number": [_("该登记证号已登记。")]})
    changed = sorted(k for k, v in data.items() if k != "contact_phone" and getattr(organisation, k) != v)
    for key, value in data.items():
        setattr(organisation, key, value)
    organisation.save()
    organisation.committees.set(committees)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=organisation, detail={"changed": changed})
    return organisation


@transaction.atomic
def document_upload(*, actor, organisation: Organisation, title: str, upload) -> Document:
    _may_manage(actor, organisation.node)
    errors: dict[str, list] = {}
    title = _text(errors, "title", title, 80, _("文件名称"), required=True)
    _raise(errors, _("文件信息有误。"))
    content, content_type, size = documents.clean_document(upload)
    doc = Document(organisation=organisation, title=title, content_type=content_type, size=size,
                   uploaded_by=actor)
    doc.file.save(content.name, content, save=False)
    doc.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=doc,
                 detail={"organisation": organisation.pk, "content_type": content_type, "size": size})
    return doc


# --- incubation -----------------------------------------------------------------------------------------------

def _lock_incubation(incubation: Incubation) -> Incubation:
    return Incubation.objects.select_for_update().select_related("organisation").get(pk=incubation.pk)


@transaction.atomic
def incubation_apply(*, actor, organisation: Organisation, applied_on=None, plan: str = "") -> Incubation:
    """An organisation applies to enter (入壳) the 社会组织服务中心."""
    _may_manage(actor, organisation.node)
    errors: dict[str, list] = {}
    applied_on = _date(errors, "applied_on", applied_on or timezone.localdate())
    plan = _text(errors, "plan", plan, 2000, _("申请说明"))
    _raise(errors, _("孵化申请有误。"))
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if organisation.incubations.filter(status__in=[IncubationStatus.APPLIED, IncubationStatus.INCUBATING]).exists():
        raise ConflictError(_("该组织已在申请或孵化中。"), {"organisation": [_("该组织已在申请或孵化中。")]})
    incubation = Incubation.objects.create(organisation=organisation, applied_on=applied_on, plan=plan)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=incubation, detail={"organisation": organisation.pk})
    return incubation


def _transition(actor, incubation, action, **fields) -> Incubation:
    before = incubation.status
    for key, value in fields.items():
        setattr(incubation, key, value)
    incubation.status = INCUBATION.action(action).target
    incubation.save()
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=incubation,
                 detail={"action": str(action), "from": before, "to": incubation.status,
                         **{k: str(v) for k, v in fields.items()}})
    return incubation


@transaction.atomic
def incubation_admit(*, actor, incubation: Incubation, mentor: str = "", note: str = "", on=None) -> Incubation:
    """Entry review passed (入壳): the organisation starts incubating with its mentor."""
    incubation = _lock_incubation(incubation)
    INCUBATION.check(actor, incubation, IncubationAction.ADMIT)
    errors: dict[str, list] = {}
    mentor = _text(errors, "mentor", mentor, 32, _("导师"), required=True)
    note = _text(errors, "note", note, 300, _("评审意见"))
    on = _date(errors, "on", on or timezone.localdate())
    if on and on < incubation.applied_on:
        errors.setdefault("on", []).append(_("评审日期不能早于申请日期。"))
    _raise(errors, _("入驻评审信息有误。"))
    return _transition(actor, incubation, IncubationAction.ADMIT, mentor=mentor, review_note=note, reviewed_on=on)


def _ending(incubation, reason, on, *, reviewing: bool) -> dict:
    errors: dict[str, list] = {}
    reason = _text(errors, "reason", reason, 300, _("原因"), required=True)
    on = _date(errors, "on", on or timezone.localdate())
    if on and on < incubation.applied_on:
        errors.setdefault("on", []).append(_("日期不能早于申请日期。"))
    _raise(errors, _("请填写原因。"))
    if reviewing:
        return {"review_note": reason, "reviewed_on": on}
    return {"end_reason": reason, "ended_on": on}


@transaction.atomic
def incubation_reject(*, actor, incubation: Incubation, reason: str = "", on=None) -> Incubation:
    incubation = _lock_incubation(incubation)
    INCUBATION.check(actor, incubation, IncubationAction.REJECT)
    return _transition(actor, incubation, IncubationAction.REJECT,
                       **_ending(incubation, reason, on, reviewing=True))


@transaction.atomic
def incubation_graduate(*, actor, incubation: Incubation, reason: str = "", on=None) -> Incubation:
    """出壳: every milestone done; the organisation leaves the centre to serve on its own."""
    incubation = _lock_incubation(incubation)
    INCUBATION.check(actor, incubation, IncubationAction.GRADUATE)
    return _transition(actor, incubation, IncubationAction.GRADUATE,
                       **_ending(incubation, reason, on, reviewing=False))


@transaction.atomic
def incubation_withdraw(*, actor, incubation: Incubation, reason: str = "", on=None) -> Incubation:
    """退驻: the application withdrawn, or the stay ended for a breach of the agreement."""
    incubation = _lock_incubation(incubation)
    INCUBATION.check(actor, incubation, IncubationAction.WITHDRAW)
    return _transition(actor, incubation, IncubationAction.WITHDRAW,
                       **_ending(incubation, reason, on, reviewing=False))


@transaction.atomic
def milestone_add(*, actor, incubation: Incubation, title: str, due_on) -> IncubationMilestone:
    incubation = _lock_incubation(incubation)
    _may_manage(actor, incubation.organisation.node)
    if incubation.status != IncubationStatus.INCUBATING:
        raise ConflictError(_("只有孵化中的组织可以设置节点。"), {"status": [_("当前状态不允许。")]})
    errors: dict[str, list] = {}
    title = _text(errors, "title", title, 80, _("节点"), required=True)
    due_on = _date(errors, "due_on", due_on)
    _raise(errors, _("孵化节点有误。"))
    milestone = IncubationMilestone.objects.create(incubation=incubation, title=title, due_on=due_on)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=milestone, object_repr=title,
                 detail={"incubation": incubation.pk, "due_on": str(due_on)})
    return milestone


@transaction.atomic
def milestone_complete(*, actor, milestone: IncubationMilestone, on=None) -> IncubationMilestone:
    incubation = _lock_incubation(milestone.incubation)
    _may_manage(actor, incubation.organisation.node)
    if incubation.status != IncubationStatus.INCUBATING:
        raise ConflictError(_("只有孵化中的组织可以完成节点。"), {"status": [_("当前状态不允许。")]})
    milestone.refresh_from_db()
    if milestone.done_on:
        raise ConflictError(_("该节点已完成。"), {"status": [_("该节点已完成。")]})
    errors: dict[str, list] = {}
    milestone.done_on = _date(errors, "on", on or timezone.localdate())
    _raise(errors, _("日期有误。"))
    milestone.save(update_fields=["done_on"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=milestone, object_repr=milestone.title,
                 detail={"done_on": str(milestone.done_on)})
    return milestone


# --- purchase of services -------------------------------------------------------------------------------------

def _lock_project(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("node").get(pk=project.pk)


@transaction.atomic
def project_create(*, actor, node, title: str, category: str, need: str, budget,
                   combination: str = Combination.TRIMMED_MEAN) -> Project:
    """立项: a need collected from residents, with its budget, before any call."""
    errors: dict[str, list] = {}
    if node is None or node.kind != NodeKind.SUBDISTRICT:
        errors["node"] = [_("请选择街道。")]
    title = _text(errors, "title", title, 80, _("项目名称"), required=True)
    category = _text(errors, "category", category, 32, _("服务类别"), required=True)
    need = _text(errors, "need", need, 4000, _("需求说明"), required=True)
    budget = _money(errors, "budget", budget)
    if combination not in Combination.values:
        errors["combination"] = [_("请选择评分规则。")]
    _raise(errors, _("项目信息有误。"))
    _may_manage(actor, node)
    project = Project.objects.create(node=node, title=title, category=category, need=need, budget=budget,
                                     combination=combination, created_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=project,
                 detail={"budget": str(budget), "combination": combination})
    return project


@transaction.atomic
def project_experts_set(*, actor, project: Project, experts) -> Project:
    """The review panel: staff accounts of the 街道 who may score. Fixed once the call closes."""
    project = _lock_project(project)
    _may_manage(actor, project.node)
    if project.status not in (ProjectStatus.NEED, ProjectStatus.CALL):
        raise ConflictError(_("评审开始后不能更换专家。"), {"experts": [_("评审已开始。")]})
    experts = list(experts)
    # An expert works in the project's 街道: his jurisdiction holds it (the leader) or lies inside it (a committee).
    bad = [u for u in experts if not u.can("socialorgs.score") or not any(
        p.startswith(project.node.path) or project.node.path.startswith(p) for p in scope_paths(u))]
    if bad:
        raise DomainError(_("%(n)s 不能担任本项目的评审专家。") % {"n": "、".join(u.display_name for u in bad)},
                          {"experts": [_("所选人员不能担任评审专家。")]})
    if len(experts) > 15:
        raise DomainError(_("评审专家不能超过15位。"), {"experts": [_("评审专家不能超过15位。")]})
    project.experts.set(experts)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=project,
                 detail={"experts": sorted(u.username for u in experts)})
    return project


@transaction.atomic
def project_publish(*, actor, project: Project, call_deadline=None) -> Project:
    """发布征集公告: organisations may send proposals until the deadline."""
    project = _lock_project(project)
    PROJECT.check(actor, project, ProjectAction.PUBLISH)
    errors: dict[str, list] = {}
    deadline = _date(errors, "call_deadline", call_deadline)
    if deadline and deadline < timezone.localdate():
        errors.setdefault("call_deadline", []).append(_("截止日期不能早于今天。"))
    _raise(errors, _("征集信息有误。"))
    project.call_deadline = deadline
    return _project_transition(actor, project, ProjectAction.PUBLISH, {"call_deadline": str(deadline)})


def _project_transition(actor, project, action, detail=None) -> Project:
    before = project.status
    project.status = PROJECT.action(action).target
    project.save()
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=project,
                 detail={"action": str(action), "from": before, "to": project.status, **(detail or {})})
    return project


@transaction.atomic
def proposal_submit(*, actor, project: Project, organisation: Organisation, summary: str, budget) -> Proposal:
    """An organisation's proposal, received while the call is open (recorded by the 街道's officer)."""
    project = _lock_project(project)
    _may_manage(actor, project.node)
    if project.status != ProjectStatus.CALL:
        raise ConflictError(_("项目不在征集阶段，不能申报。"), {"status": [_("不在征集阶段。")]})
    errors: dict[str, list] = {}
    summary = _text(errors, "summary", summary, 4000, _("方案概要"), required=True)
    amount = _money(errors, "budget", budget)
    if amount is not None and amount > project.budget:
        errors.setdefault("budget", []).append(_("申报金额超过项目预算。"))
    _raise(errors, _("申报方案有误。"))
    if project.proposals.filter(organisation=organisation).exists():
        raise ConflictError(_("该组织已申报本项目。"), {"organisation": [_("该组织已申报本项目。")]})
    proposal = Proposal.objects.create(project=project, organisation=organisation, summary=summary, budget=amount)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=proposal,
                 detail={"project": project.pk, "organisation": organisation.pk, "budget": str(amount)})
    return proposal


@transaction.atomic
def project_close_call(*, actor, project: Project) -> Project:
    project = _lock_project(project)
    PROJECT.check(actor, project, ProjectAction.CLOSE_CALL)
    return _project_transition(actor, project, ProjectAction.CLOSE_CALL,
                               {"proposals": project.proposals.count(), "experts": project.experts.count()})


@transaction.atomic
def score_submit(*, actor, proposal: Proposal, score, comment: str = "") -> Score:
    """An expert scores a proposal, alone (0–100); he may change his own score until the award."""
    project = _lock_project(proposal.project)
    if not actor.can("socialorgs.score") or not project.experts.filter(pk=actor.pk).exists():
        raise Forbidden(_("只有本项目的评审专家可以评分。"), {"actor": [_("不是本项目的评审专家。")]})
    if project.status != ProjectStatus.SCORING:
        raise ConflictError(_("项目不在评审阶段，不能评分。"), {"status": [_("不在评审阶段。")]})
    errors: dict[str, list] = {}
    try:
        value = Decimal(str(score).strip())
        if not value.is_finite() or value != value.quantize(Decimal("0.01")) or not 0 <= value <= 100:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["score"] = [_("评分应为0到100之间的数，最多两位小数。")]
    comment = _text(errors, "comment", comment, 300, _("评审意见"))
    _raise(errors, _("评分有误。"))
    row, created = Score.objects.update_or_create(proposal=proposal, expert=actor,
                                                  defaults={"score": value, "comment": comment,
                                                            "scored_at": timezone.now()})
    audit_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=row,
                 object_repr=str(proposal), detail={"proposal": proposal.pk, "score": str(value)})
    return row


@transaction.atomic
def project_award(*, actor, project: Project) -> Project:
    """The panel's results by the project's rule (`core.scoring.combine_scores`); the best proposal is awarded
    (on a tie, the earlier one)."""
    project = _lock_project(project)
    PROJECT.check(actor, project, ProjectAction.AWARD)
    experts = list(project.experts.values_list("pk", flat=True))
    best = None
    results = {}
    for proposal in project.proposals.order_by("submitted_at", "id"):
        values = list(proposal.scores.filter(expert_id__in=experts).values_list("score", flat=True))
        try:
            proposal.result = combine_scores(values, project.combination)
        except ValueError as exc:
            raise ConflictError(str(exc), {"experts": [str(exc)]}) from None
        proposal.save(update_fields=["result"])
        results[proposal.pk] = str(proposal.result)
        if best is None or proposal.result > best.result:
            best = proposal
    project.awarded = best
    return _project_transition(actor, project, ProjectAction.AWARD, {"results": results, "awarded": best.pk})


@transaction.atomic
def project_sign(*, actor, project: Project, amount, signed_on, starts_on, ends_on, instalments) -> Contract:
    """签订合同 with the awarded organisation; the instalments (amount, milestone) add up to the contract. Those
    due at signing are released at once."""
    project = _lock_project(project)
    PROJECT.check(actor, project, ProjectAction.SIGN)
    errors: dict[str, list] = {}
    total = _money(errors, "amount", amount)
    if total is not None and total > project.budget:
        errors.setdefault("amount", []).append(_("合同金额超过项目预算。"))
    signed_on = _date(errors, "signed_on", signed_on)
    starts_on = _date(errors, "starts_on", starts_on)
    ends_on = _date(errors, "ends_on", ends_on)
    if starts_on and ends_on and ends_on <= starts_on:
        errors.setdefault("ends_on", []).append(_("服务结束日期应晚于开始日期。"))
    rows = []
    instalments = list(instalments or [])
    if not instalments or len(instalments) > MAX_INSTALMENTS:
        errors.setdefault("instalments", []).append(_("拨付批次应为1到12期。"))
    for item in instalments[:MAX_INSTALMENTS]:
        value, milestone = (item.get("amount"), item.get("milestone")) if isinstance(item, dict) else item
        part = _money(errors, "instalments", value)
        if milestone not in Milestone.values:
            errors.setdefault("instalments", []).append(_("请选择每期的拨付条件。"))
        rows.append((part, milestone))
    if total is not None and not errors.get("instalments") and sum(p for p, _m in rows) != total:
        errors.setdefault("instalments", []).append(_("各期金额之和应等于合同金额。"))
    _raise(errors, _("合同信息有误。"))
    contract = Contract.objects.create(project=project, organisation=project.awarded.organisation, amount=total,
                                       signed_on=signed_on, starts_on=starts_on, ends_on=ends_on)
    for seq, (part, milestone) in enumerate(rows, start=1):
        released = milestone == Milestone.SIGNING
        Instalment.objects.create(contract=contract, seq=seq, amount=part, milestone=milestone,
                                  status=InstalmentStatus.RELEASED if released else InstalmentStatus.PENDING,
                                  decided_on=signed_on if released else None,
                                  reason=_("合同签订") if released else "")
    _project_transition(actor, project, ProjectAction.SIGN, {"amount": str(total), "instalments": len(rows)})
    return contract


def _review(actor, project, action, milestone, passed, note) -> Project:
    errors: dict[str, list] = {}
    if not isinstance(passed, bool):
        errors["passed"] = [_("请选择评估结论。")]
    note = _text(errors, "note", note, 500, _("评估意见"), required=True)
    _raise(errors, _("评估信息有误。"))
    today = timezone.localdate()
    Review.objects.create(project=project, milestone=milestone, passed=passed, reviewed_on=today, note=note,
                          reviewer=actor)
    decided = project.contract.instalments.filter(milestone=milestone, status=InstalmentStatus.PENDING)
    ids = list(decided.values_list("pk", flat=True))
    if passed:
        decided.update(status=InstalmentStatus.RELEASED, decided_on=today, reason=note)
    else:
        decided.update(status=InstalmentStatus.HELD, decided_on=today, reason=note)
    return _project_transition(actor, project, action, {"passed": passed, "instalments": ids})


@transaction.atomic
def project_midterm(*, actor, project: Project, passed, note: str = "") -> Project:
    """中期评估: a pass releases the instalments waiting for it; a fail (or a late report) holds them."""
    project = _lock_project(project)
    PROJECT.check(actor, project, ProjectAction.MIDTERM)
    return _review(actor, project, ProjectAction.MIDTERM, Milestone.MIDTERM, passed, note)


@transaction.atomic
def project_final(*, actor, project: Project, passed, note: str = "") -> Project:
    """结项评估: as the mid-term one, for the last instalments."""
    project = _lock_project(project)
    PROJECT.check(actor, project, ProjectAction.FINAL)
    return _review(actor, project, ProjectAction.FINAL, Milestone.FINAL, passed, note)


@transaction.atomic
def project_appraise(*, actor, project: Project, grade, score, note: str = "") -> Project:
    """绩效评价: kept with the organisation, shown to the panel of its next call."""
    project = _lock_project(project)
    PROJECT.check(actor, project, ProjectAction.APPRAISE)
    errors: dict[str, list] = {}
    if grade not in AppraisalGrade.values:
        errors["grade"] = [_("请选择评价等级。")]
    try:
        value = Decimal(str(score).strip())
        if not value.is_finite() or value != value.quantize(Decimal("0.01")) or not 0 <= value <= 100:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["score"] = [_("得分应为0到100之间的数，最多两位小数。")]
    note = _text(errors, "note", note, 2000, _("评价意见"), required=True)
    _raise(errors, _("绩效评价有误。"))
    project.appraisal_grade, project.appraisal_score, project.appraisal_note = grade, value, note
    project.appraised_on = timezone.localdate()
    return _project_transition(actor, project, ProjectAction.APPRAISE, {"grade": grade, "score": str(value)})


@transaction.atomic
def project_terminate(*, actor, project: Project, reason: str = "") -> Project:
    project = _lock_project(project)
    PROJECT.check(actor, project, ProjectAction.TERMINATE)
    errors: dict[str, list] = {}
    reason = _text(errors, "reason", reason, 300, _("原因"), required=True)
    _raise(errors, _("请填写原因。"))
    contract = Contract.objects.filter(project=project).first()
    if contract is not None:
        contract.instalments.filter(status=InstalmentStatus.PENDING).update(
            status=InstalmentStatus.HELD, decided_on=timezone.localdate(), reason=reason)
    return _project_transition(actor, project, ProjectAction.TERMINATE, {"reason": reason})


# --- claiming (认领) -------------------------------------------------------------------------------------------

def _may_claims(actor, node) -> None:
    if actor is None:
        return
    if not actor.can("socialorgs.claims") or not in_scope(actor, node):
        raise Forbidden(_("只有发布单位的工作人员可以办理认领。"), {"actor": [_("无权办理认领。")]})


@transaction.atomic
def claim_project_create(*, actor, node, title: str, description: str, needs: str = "", event: str = "",
                         published_on=None) -> ClaimProject:
    errors: dict[str, list] = {}
    if node is None or node.kind not in (NodeKind.SUBDISTRICT, NodeKind.COMMITTEE):
        errors["node"] = [_("请选择发布的街道或居委会。")]
    title = _text(errors, "title", title, 64, _("项目名称"), required=True)
    description = _text(errors, "description", description, 2000, _("项目内容"), required=True)
    needs = _text(errors, "needs", needs, 200, _("需要的支持"))
    event = _text(errors, "event", event, 64, _("所属活动"))
    published_on = _date(errors, "published_on", published_on or timezone.localdate())
    _raise(errors, _("认领项目信息有误。"))
    _may_claims(actor, node)
    project = ClaimProject.objects.create(node=node, title=title, description=description, needs=needs,
                                          event=event, published_on=published_on)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=project, detail={"node": node.code})
    return project


@transaction.atomic
def claim_record(*, actor, project: ClaimProject, claimant: str, contributions, contact_name: str = "",
                 contact_phone: str = "", thank_publicly: bool = True, claimed_on=None) -> Claim:
    """A unit or company claims the project: what it gives (money, venue, goods, skills, volunteers)."""
    project = ClaimProject.objects.select_for_update().select_related("node").get(pk=project.pk)
    _may_claims(actor, project.node)
    if project.status != ClaimStatus.OPEN:
        raise ConflictError(_("该项目已结束认领。"), {"status": [_("已结束认领。")]})
    errors: dict[str, list] = {}
    claimant = _text(errors, "claimant", claimant, 64, _("认领单位"), required=True)
    contact_name = _text(errors, "contact_name", contact_name, 32, _("联系人"))
    phone = _phone(errors, "contact_phone", contact_phone)
    claimed_on = _date(errors, "claimed_on", claimed_on or timezone.localdate())
    rows = _contribution_rows(errors, contributions, most=10)
    _raise(errors, _("认领信息有误。"))
    if project.claims.filter(claimant=claimant).exists():
        raise ConflictError(_("该单位已认领本项目。"), {"claimant": [_("该单位已认领本项目。")]})
    claim = Claim.objects.create(project=project, claimant=claimant, contact_name=contact_name, contact_phone=phone,
                                 contact_phone_masked=idcard.mask_phone(phone) if phone else "",
                                 thank_publicly=bool(thank_publicly), claimed_on=claimed_on, recorded_by=actor)
    Contribution.objects.bulk_create([Contribution(claim=claim, **row) for row in rows])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=claim,
                 detail={"project": project.pk, "kinds": [r["kind"] for r in rows]})
    return claim


@transaction.atomic
def claim_activity_add(*, actor, claim: Claim, title: str, held_on, participants) -> ClaimActivity:
    _may_claims(actor, claim.project.node)
    errors: dict[str, list] = {}
    title = _text(errors, "title", title, 64, _("活动名称"), required=True)
    held_on = _date(errors, "held_on", held_on)
    try:
        participants = int(str(participants).strip())
        if not 0 <= participants <= 100000:
            raise ValueError
    except (TypeError, ValueError):
        errors["participants"] = [_("参与人数应为0到100000之间的整数。")]
    _raise(errors, _("活动信息有误。"))
    activity = ClaimActivity.objects.create(claim=claim, title=title, held_on=held_on, participants=participants)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=activity, object_repr=title,
                 detail={"claim": claim.pk, "participants": participants})
    return activity


@transaction.atomic
def claim_project_close(*, actor, project: ClaimProject) -> ClaimProject:
    project = ClaimProject.objects.select_for_update().select_related("node").get(pk=project.pk)
    _may_claims(actor, project.node)
    if project.status != ClaimStatus.OPEN:
        raise ConflictError(_("该项目已结束认领。"), {"status": [_("已结束认领。")]})
    project.status = ClaimStatus.CLOSED
    project.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=project, detail={"to": "closed"})
    return project


# --- the public claim form (认领申请) ------------------------------------------------------------------------------

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
MAX_PENDING_PER_PROJECT = 50


def credit_code_valid(code: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): 18 characters of the code's alphabet, the last a check character."""
    if len(code) != 18 or any(c not in CREDIT_CODE_CHARS for c in code):
        return False
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(code[:17], CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31] == code[17]


def _contribution_rows(errors: dict, contributions, *, most: int) -> list[dict]:
    """What a claimant gives, checked: 1 to `most` items, each of a known kind with its description, and an
    amount when it is money. Errors go to `errors["contributions"]`."""
    rows = []
    contributions = list(contributions or [])
    if not contributions or len(contributions) > most:
        errors.setdefault("contributions", []).append(_("请填写1到%(n)d项认领内容。") % {"n": most})
    for item in contributions[:most]:
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind not in ContributionKind.values:
            errors.setdefault("contributions", []).append(_("请选择认领内容的类型。"))
            continue
        text = _text(errors, "contributions", item.get("description"), 200, _("认领内容"), required=True)
        amount = _money(errors, "contributions", item.get("amount"), required=kind == ContributionKind.MONEY)
        rows.append({"kind": kind, "description": text, "amount": amount})
    return rows


@transaction.atomic
def claim_request_submit(*, project: ClaimProject, claimant: str, contact_name: str, contact_phone: str,
                         contributions, credit_code: str = "", thank_publicly: bool = True,
                         note: str = "") -> ClaimRequest:
    """A unit or company claims a published project through the public form (no login): validated and recorded
    as pending; it counts as a claim only when the publishing unit's staff confirm it."""
    project = ClaimProject.objects.select_for_update().select_related("node").get(pk=project.pk)
    if project.status != ClaimStatus.OPEN:
        raise ConflictError(_("该项目已结束认领。"), {"status": [_("已结束认领。")]})
    errors: dict[str, list] = {}
    claimant = _text(errors, "claimant", claimant, 64, _("认领单位"), required=True)
    contact_name = _text(errors, "contact_name", contact_name, 32, _("联系人"), required=True)
    if not (contact_phone or "").strip():
        errors["contact_phone"] = [_("请填写联系电话。")]
    phone = _phone(errors, "contact_phone", contact_phone)
    credit_code = (credit_code or "").strip().upper()
    if credit_code and not credit_code_valid(credit_code):
        errors["credit_code"] = [_("统一社会信用代码应为18位，且校验位正确。")]
    note = _text(errors, "note", note, 200, _("留言"))
    rows = [{**r, "amount": None if r["amount"] is None else str(r["amount"])}  # kept as JSON until confirmed
            for r in _contribution_rows(errors, contributions, most=5)]
    _raise(errors, _("认领信息有误。"))
    if project.claims.filter(claimant=claimant).exists():
        raise ConflictError(_("该单位已认领本项目。"), {"claimant": [_("该单位已认领本项目。")]})
    pending = project.requests.filter(status=ClaimRequestStatus.PENDING)
    if pending.filter(claimant=claimant).exists():
        raise ConflictError(_("该单位的认领申请正在等待确认，请勿重复提交。"),
                            {"claimant": [_("已有待确认的认领申请。")]})
    if pending.count() >= MAX_PENDING_PER_PROJECT:
        raise ConflictError(_("本项目待确认的认领申请较多，请稍后再提交或直接联系发布单位。"),
                            {"project": [_("待确认的申请已满。")]})
    request = ClaimRequest.objects.create(
        project=project, claimant=claimant, credit_code=credit_code, contact_name=contact_name,
        contact_phone=phone, contact_phone_masked=idcard.mask_phone(phone), contributions=rows,
        thank_publicly=bool(thank_publicly), note=note)
    audit_record(actor=None, action=AuditAction.CREATE, obj=request, object_repr=request.number,
                 detail={"project": project.pk, "kinds": [r["kind"] for r in rows], "public": True})
    return request


def _locked_request(request: ClaimRequest) -> ClaimRequest:
    request = ClaimRequest.objects.select_for_update().select_related("project__node").get(pk=request.pk)
    if request.status != ClaimRequestStatus.PENDING:
        raise ConflictError(_("该认领申请已处理。"), {"status": [_("已处理。")]})
    return request


@transaction.atomic
def claim_request_confirm(*, actor, request: ClaimRequest) -> Claim:
    """Staff of the publishing unit confirm a pending claim: it becomes a claim (with its contributions) through
    `claim_record`, so the same checks apply (project open, not claimed twice by the unit)."""
    request = _locked_request(request)
    _may_claims(actor, request.project.node)
    claim = claim_record(actor=actor, project=request.project, claimant=request.claimant,
                         contributions=request.contributions, contact_name=request.contact_name,
                         contact_phone=request.contact_phone, thank_publicly=request.thank_publicly,
                         claimed_on=timezone.localtime(request.submitted_at).date())
    request.status, request.claim = ClaimRequestStatus.CONFIRMED, claim
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["status", "claim", "decided_by", "decided_at"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=request, object_repr=request.number,
                 detail={"to": "confirmed", "claim": claim.pk})
    return claim


@transaction.atomic
def claim_request_decline(*, actor, request: ClaimRequest, reason: str) -> ClaimRequest:
    request = _locked_request(request)
    _may_claims(actor, request.project.node)
    errors: dict[str, list] = {}
    reason = _text(errors, "reason", reason, 200, _("理由"), required=True)
    _raise(errors, _("请填写不予采纳的理由。"))
    request.status, request.reason = ClaimRequestStatus.DECLINED, reason
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=request, object_repr=request.number,
                 detail={"to": "declined", "reason": reason})
    return request
