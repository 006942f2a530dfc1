"""The declared workflows of the acceptance centre: the case (办件) and the archive request (查档出证).

Each action names its statuses, capability, guards, inputs and its one service; the services check themselves
against this declaration (`CASE.check`, `ARCHIVE.check`) under their lock, the case page shows and the API offers
`CASE.available(...)`, and a refusal is one `DomainError` (403 / 404 / 409) whichever door it came through. A rule
is written here once.

A case's first action (受理 / 一次告知 / 容缺受理 / 不予受理) and an archive request's first status are taken on a
record that does not exist yet: its status is `None` (`choices.NEW`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.errors import ConflictError
from shequ.core.scoping import in_scope
from shequ.core.workflow import Action, ActionForbidden, ActionNotFound, Workflow

from .choices import CASE_ACTION_LABELS, NEW, ArchiveStatus, CaseStatus, TransferStatus

S, AS = CaseStatus, ArchiveStatus
FRONT, BACK = "acceptance.intake", "acceptance.backoffice"


def _status_label(labels: dict):
    return lambda status: str(labels.get(status, _("（新建）")))


# --- guards: each returns the refusal, or None --------------------------------------------------------------------

def in_jurisdiction(actor, case):
    """A case outside the actor's jurisdiction does not exist for them (a new one is the actor's own centre's).
    The approving department's officers see their department's cases wherever they were taken in."""
    if case.pk is None or case.node_id is None or in_scope(actor, case.node):
        return None
    if actor.can(BACK) and actor.department_id == case.department_id:
        return None
    return ActionNotFound(_("未找到该办件。"), {})


def of_the_department(actor, case):
    """The back office's steps: only the officers of the case's approving department."""
    if actor.department_id != case.department_id:
        return ActionForbidden(_("只有%(d)s的后台审批人员可以审核该办件。") % {"d": case.department.name},
                               {"actor": [_("不是本办件的审批部门。")]})
    return None


RETURN_AGAIN = "acceptance.return_again"


def return_allowed(actor, case):
    """退回补正 once: the department's officer sends one notice listing everything missing; a second notice needs
    the hall supervisor, with a reason (the service asks for it)."""
    if not case.return_count:
        return of_the_department(actor, case)
    if actor.can(RETURN_AGAIN):
        return None
    return ActionForbidden(_("办件 %(n)s 已退回补正过一次；再次退回补正须由受理大厅主管说明理由后办理。") % {"n": case.number},
                           {"actor": [_("再次退回补正须由受理大厅主管办理。")]})


def materials_awaited(actor, case):
    """补交材料 after intake: a one-time notice, a return for 补正, or 容缺 materials still owed."""
    if case.status in (S.NOTIFIED, S.RETURNED) or case.rongque_pending:
        return None
    return ConflictError(_("办件 %(n)s 当前状态为“%(s)s”，没有待补交的材料。") % {
        "n": case.number, "s": case.get_status_display()}, {"status": [_("当前状态不允许补交材料。")]})


def completion_allowed(actor, case):
    """办结: a 即办件 at the window right after acceptance (its 容缺 materials in); a 承诺件 after the department's
    decision, by the window or the department's officers."""
    if case.status == S.ACCEPTED:
        if not actor.can(FRONT):
            return ActionForbidden(_("只有窗口受理人员可以执行该操作。"), {"actor": [_("不是窗口受理人员。")]})
        if not case.item.is_instant:
            return ConflictError(_("承诺件须经%(d)s审核后才能办结。") % {"d": case.department.short_name},
                                 {"status": [_("尚未审核。")]})
        if case.rongque_pending:
            return ConflictError(_("容缺材料尚未补齐，不能办结。"), {"materials": [_("材料未补齐。")]})
        return None
    if actor.can(FRONT) or (actor.can(BACK) and actor.department_id == case.department_id):
        return None
    return ActionForbidden(_("只有窗口人员或%(d)s的审批人员可以办结该办件。") % {"d": case.department.name},
                           {"actor": [_("不是本办件的审批部门。")]})


# --- the case -----------------------------------------------------------------------------------------------------

SVC = "shequ.acceptance.services."
CASE_LABELS = {"supplement": gettext_lazy("补交材料"), **CASE_ACTION_LABELS}
# The service of each action; the four intake decisions are one service (`case_intake`, the record is new).
CASE_SERVICES = {"notify": "case_intake", "reject": "case_reject", "return": "case_return"}


def _case(name, sources, target, capability, guards=(), inputs=(), required=(), danger=False, button=True):
    return Action(name=name, label=CASE_LABELS[name], sources=frozenset(sources), target=target,
                  capability=capability, service=SVC + CASE_SERVICES.get(name, f"case_{name}"),
                  guards=(in_jurisdiction, *guards), inputs=tuple(inputs), required=tuple(required), form=tuple(inputs),
                  danger=danger, button=button)


OPEN_FRONT = {S.NOTIFIED, S.ACCEPTED, S.REVIEWING, S.RETURNED}
CASE = Workflow(
    entity="acceptance.case", param="case", status_labels=_status_label(dict(CaseStatus.choices)),
    number=lambda case: _("办件 %(n)s") % {"n": case.number},
    actions=(
        _case("supplement", {S.NOTIFIED, S.RETURNED, S.ACCEPTED, S.REVIEWING, S.APPROVED}, None, FRONT,
              (materials_awaited,), inputs=("materials",), required=("materials",)),
        _case("notify", {NEW}, S.NOTIFIED, FRONT, button=False),
        _case("accept", {NEW, S.NOTIFIED}, S.ACCEPTED, FRONT),
        _case("rongque", {NEW, S.NOTIFIED}, S.ACCEPTED, FRONT, inputs=("deadline", "promise_signed"),
              required=("deadline", "promise_signed")),
        _case("reject", {NEW, S.NOTIFIED}, S.REJECTED, FRONT, inputs=("reasons",), required=("reasons",),
              danger=True),
        _case("claim", {S.ACCEPTED}, S.REVIEWING, BACK, (of_the_department,)),
        _case("approve", {S.ACCEPTED, S.REVIEWING}, S.APPROVED, BACK, (of_the_department,), inputs=("note",)),
        _case("refuse", {S.ACCEPTED, S.REVIEWING}, S.REFUSED, BACK, (of_the_department,), inputs=("reasons",),
              required=("reasons",), danger=True),
        _case("return", {S.ACCEPTED, S.REVIEWING}, S.RETURNED, (BACK, RETURN_AGAIN), (return_allowed,),
              inputs=("reason", "materials", "second_reason"), required=("reason", "materials"), danger=True),
        _case("resubmit", {S.RETURNED}, S.ACCEPTED, FRONT),
        _case("complete", {S.ACCEPTED, S.APPROVED, S.REFUSED}, S.COMPLETED, (FRONT, BACK), (completion_allowed,),
              inputs=("result_note",)),
        _case("deliver", {S.COMPLETED}, S.DELIVERED, FRONT,
              inputs=("to", "id_check", "recipient_name", "recipient_id_number", "authorized"),
              required=("to", "id_check")),
        _case("terminate", OPEN_FRONT, S.TERMINATED, FRONT, inputs=("reason",), required=("reason",), danger=True),
    ),
)

# The decision taken at intake → its action (the record is new: status NEW).
INTAKE_ACTIONS = {"accept": "accept", "notify": "notify", "rongque": "rongque", "reject": "reject"}


def case_available_actions(user, case) -> list[str]:
    """The names of the actions `user` may take on `case` now: what the page shows and the API offers."""
    return [a.name for a in CASE.available(user, case)]


# --- the archive request (查档出证) ----------------------------------------------------------------------------

def archive_in_jurisdiction(actor, req):
    if req.pk is not None and req.node_id is not None and not in_scope(actor, req.node):
        return ActionNotFound(_("未找到该查档申请。"), {})
    return None


ARCHIVE_CAP = "acceptance.archive"
ASVC = "shequ.acceptance.services."


def _archive(name, label, sources, target, service, inputs=(), required=(), button=True):
    return Action(name=name, label=label, sources=frozenset(sources), target=target, capability=ARCHIVE_CAP,
                  service=ASVC + service, guards=(archive_in_jurisdiction,), inputs=tuple(inputs),
                  required=tuple(required), form=tuple(inputs), button=button)


ARCHIVE = Workflow(
    entity="acceptance.archive_request", param="request", status_labels=_status_label(dict(ArchiveStatus.choices)),
    number=lambda req: _("查档申请 %(n)s") % {"n": req.number} if req.number else str(_("查档申请")),
    actions=(
        # A new request goes to the archive, or is refused at once when the relation may not query the type (the
        # refusal is recorded: the attempt is part of the access log).
        _archive("submit", gettext_lazy("提交档案馆查询"), {NEW}, AS.SUBMITTED, "archive_request_create",
                 button=False),
        _archive("refuse", gettext_lazy("不予查询"), {NEW}, AS.REFUSED, "archive_request_create", button=False),
        _archive("found", gettext_lazy("登记查询结果：查有档案"), {AS.SUBMITTED}, AS.FOUND, "archive_record_result",
                 inputs=("file_reference", "pages", "result_note"), required=("file_reference", "pages")),
        _archive("not_found", gettext_lazy("登记查询结果：查无档案"), {AS.SUBMITTED}, AS.NOT_FOUND,
                 "archive_record_result", inputs=("result_note",), required=("result_note",)),
        _archive("issue", gettext_lazy("出证"), {AS.FOUND}, AS.ISSUED, "archive_issue", inputs=("copies",),
                 required=("copies",)),
    ),
)


def archive_available_actions(user, req) -> list[str]:
    return [a.name for a in ARCHIVE.available(user, req)]


# --- the 全市通办 transfer (收受分离) ------------------------------------------------------------------------------
# The centre that took the case in sends it (its clerks); the home centre receives, reviews and returns the result
# when it is a 街道 of this system; for an outside centre (another district) the sending centre's clerks record
# those steps as the other centre reports them.

TS = TransferStatus
TRANSFER_CAP = "acceptance.transfer"


def transfer_visible(actor, transfer):
    """A transfer exists for the staff of the sending centre and of the home centre, for nobody else."""
    if in_scope(actor, transfer.node) or (transfer.home_node_id and in_scope(actor, transfer.home_node)):
        return None
    return ActionNotFound(_("未找到该转递记录。"), {})


def of_the_sender(actor, transfer):
    if in_scope(actor, transfer.node):
        return None
    return ActionForbidden(_("只有收件中心（%(c)s）的工作人员可以执行该操作。") % {"c": transfer.node.name},
                           {"actor": [_("不是收件中心的工作人员。")]})


def of_the_home_side(actor, transfer):
    """签收/审核/回传: the home centre's staff; for an outside centre, the sending centre records what it reports."""
    if transfer.home_node_id is None:
        return of_the_sender(actor, transfer)
    if in_scope(actor, transfer.home_node):
        return None
    return ActionForbidden(_("只有户籍地/居住地中心（%(c)s）的工作人员可以执行该操作。") % {"c": transfer.home_name},
                           {"actor": [_("不是户籍地/居住地中心的工作人员。")]})


def case_ready_to_send(actor, transfer):
    """Only an accepted case travels: a one-time notice is still waiting for the applicant's materials."""
    case = transfer.case
    if case.accepted_at is not None and case.status in (S.ACCEPTED, S.REVIEWING):
        return None
    return ConflictError(_("办件 %(n)s 当前状态为“%(s)s”，受理后才能寄送。") % {
        "n": case.number, "s": case.get_status_display()}, {"status": [_("办件尚未受理。")]})


def _transfer(name, label, sources, target, guards, service, inputs=(), required=(), danger=False, button=True,
              form=None):
    return Action(name=name, label=label, sources=frozenset(sources), target=target, capability=TRANSFER_CAP,
                  service=SVC + service, guards=(transfer_visible, *guards), inputs=tuple(inputs),
                  required=tuple(required), form=tuple(inputs if form is None else form), danger=danger,
                  button=button)


TRANSFER = Workflow(
    entity="acceptance.transfer", param="transfer", status_labels=_status_label(dict(TransferStatus.choices)),
    number=lambda t: _("转递 %(n)s") % {"n": t.case.number},
    actions=(
        # Sending is done for a batch of cases (the batch page); one case alone is a batch of one.
        _transfer("send", gettext_lazy("寄送纸质材料"), {TS.PENDING}, TS.SENT, (of_the_sender, case_ready_to_send),
                  "transfer_send", inputs=("courier_name", "courier_phone", "note"),
                  required=("courier_name", "courier_phone"), button=False),
        _transfer("receive", gettext_lazy("签收材料"), {TS.SENT}, TS.RECEIVED, (of_the_home_side,),
                  "transfer_receive", inputs=("note",)),
        _transfer("review", gettext_lazy("登记审核结果"), {TS.RECEIVED}, TS.REVIEWED, (of_the_home_side,),
                  "transfer_review", inputs=("outcome", "note"), required=("outcome",)),
        _transfer("return_result", gettext_lazy("回传办理结果"), {TS.REVIEWED}, TS.RETURNED, (of_the_home_side,),
                  "transfer_return_result", inputs=("result_note",), required=("result_note",)),
        _transfer("cancel", gettext_lazy("撤回转递"), {TS.PENDING}, TS.CANCELLED, (of_the_sender,),
                  "transfer_cancel", inputs=("reason",), required=("reason",), danger=True),
    ),
)


def transfer_available_actions(user, transfer) -> list[str]:
    return [a.name for a in TRANSFER.available(user, transfer)]
