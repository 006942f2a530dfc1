"""The declared workflows of the 大联动 module: the grid case's closed loop and the 12345 work order.

Each action names its statuses, capability, guards, inputs and its one service; the services check themselves
against this declaration (`CASE.check`), the case page and the API offer `CASE.available(...)`, and the views and
API endpoints dispatch through `CASE.perform(...)`. A rule is written here once.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.choices import DepartmentKind, Role
from shequ.core.errors import ConflictError
from shequ.core.scoping import in_scope
from shequ.core.workflow import Action, ActionForbidden, ActionNotFound, Workflow

from .choices import NEEDS_VERIFICATION, OPEN_STATUSES, FINAL_STATUSES, CaseAction, CaseStatus, ExtensionStatus
from .choices import HotlineAction, HotlineStatus, RequestKind, RequestStatus, Source, TaskStatus
from . import timing
from .selectors import acting_unit

A, S, HA, H = CaseAction, CaseStatus, HotlineAction, HotlineStatus


# --- guards: each returns the refusal, or None --------------------------------------------------------------------

def in_jurisdiction(actor, case):
    """Centre and field actions: the case lies in the actor's jurisdiction (else it does not exist for them)."""
    if not in_scope(actor, case.node):
        return ActionNotFound(_("未找到该案件。"), {})
    return None


def order_in_jurisdiction(actor, order):
    if not in_scope(actor, order.node):
        return ActionNotFound(_("未找到该工单。"), {})
    return None


def with_my_unit(actor, case):
    """A responsible unit's actions: the actor belongs to the case's current unit."""
    unit = acting_unit(actor)
    if unit is None or case.unit_id != unit.pk:
        return ActionForbidden(_("案件 %(n)s 由“%(u)s”负责，您所在单位不能办理。") % {
            "n": case.number, "u": case.unit.name if case.unit_id else _("未派遣")}, {"unit": [_("不是本单位的案件。")]})
    return None


def as_work_station(actor, case):
    unit = acting_unit(actor)
    if unit is None or unit.kind != DepartmentKind.WORK_STATION:
        return ActionForbidden(_("只有居民区工作站可以将案件上报街道。职能部门请使用“申请回退”。"),
                               {"unit": [_("不是工作站。")]})
    return None


def as_department(actor, case):
    """A work station hands a case back with 上报街道, never with 申请回退 (it has no dispatcher's error to claim)."""
    unit = acting_unit(actor)
    if unit is not None and unit.kind == DepartmentKind.WORK_STATION:
        return ActionForbidden(_("居民区工作站请使用“工作站上报街道”。"), {"unit": [_("工作站不能申请回退。")]})
    return None


def own_station_report(actor, case):
    """自行处置: only the committee's own work station, only for a report it made itself (other channels' reports
    are checked on site and filed by the centre)."""
    unit = acting_unit(actor)
    station = getattr(case.committee, "work_station", None) if case.committee_id else None
    if unit is None or station is None or station.department_id != unit.pk:
        return ActionForbidden(_("只有本居民区工作站可以自行处置该案件。"), {"unit": [_("不是本工作站的案件。")]})
    if case.source != Source.STATION:
        return ConflictError(_("只有工作站自己上报的案件可以自行处置；其他来源的案件须由中心受理。"),
                             {"source": [_("不是工作站上报的案件。")]})
    return None


def verified_if_needed(actor, case):
    if case.status == S.REPORTED and case.source in NEEDS_VERIFICATION:
        return ConflictError(_("市民、热线、110和视频来源的案件须先由监督员现场核实，才能立案。"),
                             {"status": [_("请先派核实。")]})
    return None


def _pending(case) -> bool:
    return case.extensions.filter(status=ExtensionStatus.PENDING).exists()


def no_pending_extension(actor, case):
    if _pending(case):
        return ConflictError(_("已有一项延期申请待审批。"), {"hours": [_("请等待审批结果。")]})
    return None


def pending_extension(actor, case):
    if not _pending(case):
        return ConflictError(_("没有待审批的延期申请。"), {"status": [_("没有待审批的延期申请。")]})
    return None


# --- two-level extensions (延期) ----------------------------------------------------------------------------------

def extension_allowance(category) -> float:
    """The hours one extension may add on the 值班长's approval: the 小类's allowance, else the setting."""
    if category.extension_allowance_hours is not None:
        return float(category.extension_allowance_hours)
    return float(settings.SHEQU_GRID_EXTENSION_ALLOWANCE_HOURS)


def max_extensions(category) -> int:
    """How many extensions a case of the 小类 may have in all."""
    if category.max_extensions is not None:
        return category.max_extensions
    return settings.SHEQU_GRID_MAX_EXTENSIONS


def extension_level(case, hours: float) -> tuple[int, list[str]]:
    """Who decides a request for `hours` more: 1 the 值班长, 2 the 城运中心 leader, with the reasons for 2
    (a second extension, an engineering-type 小类, more hours than the allowance)."""
    reasons = []
    if case.extension_count >= 1:
        reasons.append(str(_("第二次及以上延期")))
    if case.category.is_engineering:
        reasons.append(str(_("工程类案件")))
    if hours > extension_allowance(case.category):
        reasons.append(str(_("超过%(h)s工作时") % {"h": f"{extension_allowance(case.category):g}"}))
    return (2 if reasons else 1), reasons


def before_deadline(actor, case):
    """A unit asks for more time before its deadline, never after it has passed."""
    if case.deadline and timezone.now() > case.deadline:
        return ConflictError(_("处置期限已过，不能再申请延期。"), {"hours": [_("已超过处置期限。")]})
    return None


def under_extension_limit(actor, case):
    limit = max_extensions(case.category)
    if case.extension_count >= limit:
        return ConflictError(_("本案件已延期%(n)d次，达到上限，不能再申请延期。") % {"n": case.extension_count},
                             {"hours": [_("延期次数已达上限。")]})
    return None


def decides_extension_level(actor, case):
    """A level-2 request (second extension, engineering type, over the allowance) is the 城运中心 leader's; the
    leader may also decide a level-1 request."""
    request = case.extensions.filter(status=ExtensionStatus.PENDING).first()
    if request is not None and request.level >= 2 and not actor.can("grid.approve_senior"):
        return ActionForbidden(_("该延期申请（%(r)s）须由城运中心领导审批，值班长不能审批。") % {
            "r": request.level_reasons or _("第二级")}, {"status": [_("须由城运中心领导审批。")]})
    return None


# --- parking (挂账) -----------------------------------------------------------------------------------------------

def _park_pending(case) -> bool:
    return case.park_requests.filter(status=ExtensionStatus.PENDING).exists()


def no_pending_park(actor, case):
    if _park_pending(case):
        return ConflictError(_("已有一项挂账申请待审批。"), {"note": [_("请等待审批结果。")]})
    return None


def pending_park(actor, case):
    if not _park_pending(case):
        return ConflictError(_("没有待审批的挂账申请。"), {"status": [_("没有待审批的挂账申请。")]})
    return None


# --- the grid case ------------------------------------------------------------------------------------------------

COMMON = ("note", "expected_version", "photos", "keep_location")
SVC = "shequ.grid.services."


# Actions whose page form takes site photos (the API takes photos with any action).
PHOTO_ACTIONS = frozenset({A.VERIFY_OK, A.VERIFY_FALSE, A.FEEDBACK, A.CHECK_PASS, A.CHECK_FAIL, A.SELF_HANDLE})
# Page hints: the filing/closing condition of the category, the pending extension request.
HINTS = {A.FILE: ("filing_condition",), A.CLOSE: ("closing_condition",), A.APPROVE_EXTENSION: ("pending_extension",),
         A.REJECT_EXTENSION: ("pending_extension",), A.APPROVE_PARK: ("pending_park",),
         A.REJECT_PARK: ("pending_park",)}


def _case(name, sources, target, capability, guards=(in_jurisdiction,), inputs=(), required=(), danger=False,
          button=True):
    name = CaseAction(name).value
    form = tuple(inputs) + HINTS.get(name, ()) + ("note",) + (("photos",) if name in PHOTO_ACTIONS else ())
    return Action(name=name, label=CaseAction(name).label, sources=frozenset(sources), target=target,
                  capability=capability, service=f"{SVC}case_{name}", guards=tuple(guards),
                  inputs=COMMON + tuple(inputs), required=tuple(required), danger=danger, button=button, form=form)


UNIT = (with_my_unit,)
# The 值班长 (grid.approve) or the 城运中心 leader (grid.approve_senior); the guards say which request is whose.
APPROVERS = ("grid.approve", "grid.approve_senior")
CASE = Workflow(
    entity="grid.case", param="case", status_labels=lambda s: str(CaseStatus(s).label),
    number=lambda case: _("案件 %(n)s") % {"n": case.number},
    actions=(
        _case(A.SEND_VERIFY, {S.REPORTED}, S.VERIFYING, "grid.accept"),
        _case(A.VERIFY_OK, {S.VERIFYING}, S.VERIFIED, "grid.verify"),
        _case(A.VERIFY_FALSE, {S.VERIFYING}, S.VOID, "grid.verify", required=("note",), danger=True),
        _case(A.FILE, {S.REPORTED, S.VERIFIED}, S.FILED, "grid.file", (in_jurisdiction, verified_if_needed),
              inputs=("category", "urgency")),
        _case(A.VOID, {S.REPORTED, S.VERIFYING, S.VERIFIED}, S.VOID, "grid.accept", required=("note",),
              danger=True),
        _case(A.MERGE, {S.REPORTED, S.VERIFYING, S.VERIFIED}, S.MERGED, "grid.accept", inputs=("target",),
              required=("target",)),
        _case(A.DISPATCH, {S.FILED}, S.DISPATCHED, "grid.dispatch", inputs=("unit",), required=("unit",)),
        _case(A.REDISPATCH, {S.DISPATCHED}, S.DISPATCHED, "grid.dispatch", inputs=("unit",), required=("unit",)),
        _case(A.SIGN, {S.DISPATCHED}, S.HANDLING, "grid.handle", UNIT),
        _case(A.REQUEST_RETURN, {S.DISPATCHED, S.HANDLING}, S.RETURNED, "grid.handle", UNIT + (as_department,),
              required=("note",), danger=True),
        _case(A.APPROVE_RETURN, {S.RETURNED}, S.FILED, "grid.approve"),
        _case(A.REJECT_RETURN, {S.RETURNED}, S.DISPATCHED, "grid.approve", required=("note",), danger=True),
        _case(A.ESCALATE, {S.DISPATCHED, S.HANDLING}, S.FILED, "grid.handle", UNIT + (as_work_station,),
              required=("note",), danger=True),
        _case(A.FEEDBACK, {S.HANDLING}, S.FED_BACK, "grid.handle", UNIT, required=("note",)),
        _case(A.CHECK_PASS, {S.FED_BACK}, S.CHECKED, "grid.verify"),
        _case(A.CHECK_FAIL, {S.FED_BACK}, S.HANDLING, "grid.verify", required=("note",), danger=True),
        _case(A.CLOSE, {S.CHECKED}, S.CLOSED, "grid.close"),
        _case(A.EVALUATE, {S.CLOSED}, S.EVALUATED, "grid.evaluate", inputs=("satisfaction",),
              required=("satisfaction",)),
        _case(A.REQUEST_EXTENSION, {S.DISPATCHED, S.HANDLING}, None, "grid.handle",
              UNIT + (before_deadline, under_extension_limit, no_pending_extension),
              inputs=("hours",), required=("hours", "note")),
        _case(A.APPROVE_EXTENSION, {S.DISPATCHED, S.HANDLING, S.RETURNED}, None, APPROVERS,
              (in_jurisdiction, pending_extension, decides_extension_level)),
        _case(A.REJECT_EXTENSION, {S.DISPATCHED, S.HANDLING, S.RETURNED}, None, APPROVERS,
              (in_jurisdiction, pending_extension, decides_extension_level), required=("note",), danger=True),
        _case(A.REQUEST_PARK, {S.DISPATCHED, S.HANDLING}, None, "grid.handle", UNIT + (no_pending_park,),
              required=("note",), danger=True),
        _case(A.APPROVE_PARK, {S.DISPATCHED, S.HANDLING}, S.PARKED, "grid.approve_senior",
              (in_jurisdiction, pending_park), inputs=("review_on",), required=("review_on",)),
        _case(A.REJECT_PARK, {S.DISPATCHED, S.HANDLING}, None, "grid.approve_senior", (in_jurisdiction, pending_park),
              required=("note",), danger=True),
        _case(A.UNPARK, {S.PARKED}, S.HANDLING, APPROVERS),
        _case(A.SELF_HANDLE, {S.REPORTED}, S.CLOSED, "grid.handle", (own_station_report,), required=("note",)),
        _case(A.NOTE, OPEN_STATUSES | FINAL_STATUSES, None, "grid.view", required=("note",), button=False),
    ))


# --- the 12345 work order -----------------------------------------------------------------------------------------

def contacted(actor, order):
    """答复 only after 先行联系 is on record."""
    if not order.contact_at:
        return ConflictError(_("答复前须先登记先行联系（何时、何人、以何种方式联系来电人）。"),
                             {"contact_at": [_("尚未先行联系。")]})
    return None


def _window(step: str, what, field: str):
    """退单/延期 may be asked only within the configured working days of the order's receipt (a 延期 also only
    before the reply limit)."""
    def guard(actor, order):
        end = timing.working_day_due(order.received_at, timing.step_days(step))
        if step == "hotline_extend_window" and order.reply_due:
            end = min(end, order.reply_due)
        if timezone.now() > end:
            return ConflictError(_("%(w)s须在%(t)s前提出，已超过申请时限。") % {
                "w": what, "t": timezone.localtime(end).strftime("%Y年%-m月%-d日 %H:%M")},
                {field: [_("已超过申请时限。")]})
        return None
    guard.__name__ = f"within_{step}"
    return guard


def _pending_request(order, kind=None):
    qs = order.requests.filter(status=RequestStatus.PENDING)
    return qs.filter(kind=kind).exists() if kind else qs.exists()


def no_pending_extend(actor, order):
    if _pending_request(order, RequestKind.EXTEND):
        return ConflictError(_("已有一项延期申请待区12345热线办审核。"), {"days": [_("请等待审核结果。")]})
    return None


def pending_extend(actor, order):
    if not _pending_request(order, RequestKind.EXTEND):
        return ConflictError(_("没有待审核的延期申请。"), {"status": [_("没有待审核的延期申请。")]})
    return None


def not_refused_before(actor, order):
    """A 退单 refused by the hotline office is not asked again: the 街道 handles the order."""
    if order.requests.filter(kind=RequestKind.RETURN, status=RequestStatus.REJECTED).exists():
        return ConflictError(_("该工单的退单申请已被区12345热线办驳回，须由街道办理。"),
                             {"reason": [_("退单申请已被驳回。")]})
    return None


def pending_return(actor, order):
    if not _pending_request(order, RequestKind.RETURN):
        return ConflictError(_("没有待审核的退单申请。"), {"status": [_("没有待审核的退单申请。")]})
    return None


def pending_request(actor, order):
    """The request a recorded platform decision answers: the 退单 while the order waits for it, else the 延期."""
    kind = RequestKind.RETURN if order.status == H.RETURN_PENDING else RequestKind.EXTEND
    if not _pending_request(order, kind):
        return ConflictError(_("没有待审核的退单或延期申请。"), {"status": [_("没有待审核的申请。")]})
    return None


within_return_window = _window("hotline_return_window", gettext_lazy("退单申请"), "reason")
within_extend_window = _window("hotline_extend_window", gettext_lazy("延期申请"), "days")


def _hotline(name, sources, target, inputs=(), rename=None, required=(), danger=False, hint="", guards=(),
             capability="grid.hotline"):
    name = HotlineAction(name).value
    rename = dict(rename or {})
    form = tuple(dict.fromkeys(rename.get(i, i) for i in inputs))
    return Action(name=name, label=HotlineAction(name).label, sources=frozenset(sources), target=target,
                  capability=capability, service=f"{SVC}hotline_{name}", guards=(order_in_jurisdiction, *guards),
                  inputs=tuple(inputs), rename=rename,
                  required=tuple(required), danger=danger, form=form, hint=hint)


DECIDE = "grid.hotline_decide"  # 区12345热线办
HOTLINE = Workflow(
    entity="grid.hotlineorder", param="order", status_labels=lambda s: str(HotlineStatus(s).label),
    number=lambda order: _("工单 %(n)s") % {"n": order.order_no},
    actions=(
        _hotline(HA.SIGN, {H.RECEIVED}, H.SIGNED, inputs=("category",)),
        # 退单 and 延期 are requests to the district hotline office, asked within a window after receipt.
        _hotline(HA.RETURN, {H.RECEIVED, H.SIGNED}, H.RETURN_PENDING, inputs=("reason", "note"), danger=True,
                 required=("reason",), hint=gettext_lazy("补充说明"),
                 guards=(within_return_window, no_pending_extend, not_refused_before)),
        _hotline(HA.EXTEND, {H.SIGNED}, None, inputs=("days", "reason", "note"),
                 required=("days", "reason"), hint=gettext_lazy("补充说明"),
                 guards=(within_extend_window, no_pending_extend)),
        _hotline(HA.APPROVE_RETURN, {H.RETURN_PENDING}, H.RETURNED, inputs=("note",), capability=DECIDE,
                 guards=(pending_return,), hint=gettext_lazy("审核意见")),
        _hotline(HA.REJECT_RETURN, {H.RETURN_PENDING}, H.SIGNED, inputs=("note",), required=("note",),
                 capability=DECIDE, danger=True, guards=(pending_return,), hint=gettext_lazy("必填：驳回理由（工单退回街道继续办理）")),
        _hotline(HA.APPROVE_EXTEND, {H.SIGNED}, None, inputs=("note",), capability=DECIDE,
                 guards=(pending_extend,), hint=gettext_lazy("审核意见")),
        _hotline(HA.REJECT_EXTEND, {H.SIGNED}, None, inputs=("note",), required=("note",), capability=DECIDE,
                 guards=(pending_extend,), danger=True, hint=gettext_lazy("必填：驳回理由")),
        # The office decided on the hotline platform itself: the desk records the decision as it came.
        _hotline(HA.RECORD_DECISION, {H.RETURN_PENDING, H.SIGNED}, None, inputs=("decision", "note"),
                 required=("decision", "note"), guards=(pending_request,),
                 hint=gettext_lazy("必填：平台审核意见")),
        _hotline(HA.CONTACT, {H.SIGNED}, None, inputs=("method", "at", "by", "note"),
                 rename={"method": "contact_method", "at": "contact_at", "by": "contact_by"},
                 required=("contact_method",), hint=gettext_lazy("联系情况")),
        _hotline(HA.ASSIGN, {H.SIGNED}, None, inputs=("assignee", "due", "instruction"),
                 rename={"instruction": "note"}, required=("assignee", "due", "note"),
                 hint=gettext_lazy("必填：交办要求")),
        _hotline(HA.REPLY, {H.SIGNED}, H.REPLIED, inputs=("text", "resolution"), rename={"text": "note"},
                 required=("resolution", "note"), hint=gettext_lazy("必填：答复内容（办理结果）"), guards=(contacted,)),
        _hotline(HA.VISIT, {H.REPLIED}, None, inputs=("satisfaction", "note"), required=("satisfaction",),
                 hint=gettext_lazy("回访记录")),
        _hotline(HA.REOPEN, {H.REPLIED, H.CLOSED}, H.SIGNED, inputs=("reason",), rename={"reason": "note"},
                 required=("note",), hint=gettext_lazy("必填：重办理由")),
        _hotline(HA.MERGE, {H.RECEIVED, H.SIGNED}, H.MERGED, inputs=("target",), required=("target",),
                 danger=True),
    ))


# --- a 12345 order's internal sub-dispatch (内部交办) ----------------------------------------------------------------

def task_assignee(actor, task):
    """承办反馈 by the assignee only: the 科室 or work station the actor works for, or the actor's committee."""
    unit = acting_unit(actor)
    if task.department_id and unit is not None and unit.pk == task.department_id:
        return None
    if task.committee_id and actor.role == Role.COMMITTEE_WORKER and in_scope(actor, task.committee):
        return None
    if not (in_scope(actor, task.order.node) and actor.can("grid.hotline_view")):
        return ActionNotFound(_("未找到该交办任务。"), {})
    return ActionForbidden(_("该任务交办给“%(u)s”，您不能反馈。") % {"u": task.assignee_name},
                           {"unit": [_("不是交给本单位的任务。")]})


def task_order_in_jurisdiction(actor, task):
    return order_in_jurisdiction(actor, task.order)


def _task(name, capability, guard, required=(), danger=False, hint=""):
    return Action(name=name, label=_TASK_LABELS[name], sources=frozenset({TaskStatus.OPEN}),
                  target=TaskStatus.DONE if name == "finish" else TaskStatus.CANCELLED, capability=capability,
                  service=f"{SVC}hotline_task_{name}", guards=(guard,), inputs=("note",), required=required,
                  danger=danger, form=("note",), hint=hint)


_TASK_LABELS = {"finish": gettext_lazy("承办反馈"), "cancel": gettext_lazy("撤回交办")}
HOTLINE_TASK = Workflow(
    entity="grid.hotlinetask", param="task", status_labels=lambda s: str(TaskStatus(s).label),
    number=lambda task: _("工单 %(n)s 的交办") % {"n": task.order.order_no},
    actions=(
        _task("finish", "grid.hotline_task", task_assignee, required=("note",),
              hint=gettext_lazy("必填：办理结果")),
        _task("cancel", "grid.hotline", task_order_in_jurisdiction, danger=True, hint=gettext_lazy("撤回说明")),
    ))

WORKFLOWS = (CASE, HOTLINE, HOTLINE_TASK)
