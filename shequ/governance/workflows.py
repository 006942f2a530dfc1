"""The declared workflows of 综合治理 (on `shequ.core.workflow`).

A task (交办任务, a meeting's decision): assigned → in progress (开始办理) → closed (办结, with evidence); progress
notes on an open task; a closed task reopened (退回重办) by the committee's office. The department the task was given
to acts on it; the committee's office (`governance.manage`) may act on any task of its 街道.

A 顽症's campaign: open → in campaign → consolidating → closed, a relapse from consolidating back to the campaign.
The ledger keepers (`governance.ledger`) move it; closing (销项) is the committee's decision (`governance.manage`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shequ.core.workflow import Action, ActionForbidden, ActionNotFound, Workflow

from . import selectors
from .choices import ProblemAction, ProblemStatus, TaskAction, TaskStatus

T, TA = TaskStatus, TaskAction
P, PA = ProblemStatus, ProblemAction
SVC = "shequ.governance.services."


def task_visible(actor, task):
    if not selectors.task_visible(user=actor, task=task):
        return ActionNotFound(_("未找到该任务。"), {})
    return None


def owner_or_office(actor, task):
    if selectors.is_owner(actor, task) or actor.can("governance.manage"):
        return None
    return ActionForbidden(_("只有责任部门或会议办公室可以办理该任务。"), {"actor": [_("不是该任务的责任部门。")]})


def problem_visible(actor, problem):
    if not selectors.problem_visible(user=actor, problem=problem):
        return ActionNotFound(_("未找到该顽症。"), {})
    return None


TASK = Workflow(
    entity="governance.task", param="task", status_labels=lambda s: TaskStatus(s).label if s else "—",
    number=lambda t: t.number,
    actions=(
        Action(name=TA.START, label=TA.START.label, sources=frozenset({T.ASSIGNED}), target=T.IN_PROGRESS,
               capability=("governance.task", "governance.manage"), service=f"{SVC}task_start",
               guards=(task_visible, owner_or_office), inputs=("note",), form=("note",)),
        Action(name=TA.NOTE, label=TA.NOTE.label, sources=frozenset({T.ASSIGNED, T.IN_PROGRESS}), target=None,
               capability=("governance.task", "governance.manage"), service=f"{SVC}task_note",
               guards=(task_visible, owner_or_office), inputs=("note",), required=("note",), form=("note",),
               hint=_("如：已约谈物业，下周一起每日清运")),
        Action(name=TA.CLOSE, label=TA.CLOSE.label, sources=frozenset({T.ASSIGNED, T.IN_PROGRESS}),
               target=T.CLOSED, capability=("governance.task", "governance.manage"), service=f"{SVC}task_close",
               guards=(task_visible, owner_or_office), inputs=("note", "uploads"), required=("note", "uploads"),
               form=("note", "evidence")),
        Action(name=TA.REOPEN, label=TA.REOPEN.label, sources=frozenset({T.CLOSED}), target=T.IN_PROGRESS,
               capability="governance.manage", service=f"{SVC}task_reopen", guards=(task_visible,),
               inputs=("note",), required=("note",), form=("note",), danger=True),
    ),
)


def _problem_action(name, sources, target, capability, danger=False):
    return Action(name=name, label=ProblemAction(name).label, sources=frozenset(sources), target=target,
                  capability=capability, service=f"{SVC}problem_{name}", guards=(problem_visible,),
                  inputs=("note",), form=("note",), danger=danger)


PROBLEM = Workflow(
    entity="governance.problem", param="problem", status_labels=lambda s: ProblemStatus(s).label if s else "—",
    number=lambda p: p.title,
    actions=(
        _problem_action(PA.LAUNCH, {P.OPEN}, P.CAMPAIGN, "governance.ledger"),
        _problem_action(PA.CONSOLIDATE, {P.CAMPAIGN}, P.CONSOLIDATING, "governance.ledger"),
        _problem_action(PA.RELAPSE, {P.CONSOLIDATING}, P.CAMPAIGN, "governance.ledger", danger=True),
        _problem_action(PA.CLOSE, {P.CONSOLIDATING}, P.CLOSED, "governance.manage"),
    ),
)
