"""The declared workflow of an outside evaluation (社会监督评议, on `shequ.core.workflow`).

scheduled (待测评) → published (已发布, 提交即向被测评部门公开) by the evaluator scoring it on the sheet; a scheduled
one cancelled (取消) by its evaluator or the 综管委办. The department disputes a published score once (申诉) →
disputed; the 综管委办 (evaluators.manage) answers: upheld (申诉成立, the score adjusted) or rejected (驳回, with
its reason), either way back to published."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.errors import ConflictError
from shequ.core.workflow import Action, ActionForbidden, ActionNotFound, Workflow

from . import selectors
from .choices import EvaluationStatus

S = EvaluationStatus
SVC = "shequ.evaluators.services."


def visible(actor, evaluation):
    if evaluation.pk is not None and not selectors.evaluation_visible(user=actor, evaluation=evaluation):
        return ActionNotFound(_("未找到该测评。"), {})
    return None


def own_or_office(actor, evaluation):
    """An evaluator schedules and cancels only his own inspections; the 综管委办 any of its 街道."""
    if actor.can("evaluators.manage") or evaluation.evaluator_id == actor.pk:
        return None
    return ActionForbidden(_("只能安排或取消本人的测评。"), {"evaluator": [_("不是本人的测评。")]})


def the_evaluator(actor, evaluation):
    if evaluation.evaluator_id == actor.pk:
        return None
    return ActionForbidden(_("只有被安排的评议人本人可以评分。"), {"actor": [_("不是该测评的评议人。")]})


def the_department(actor, evaluation):
    if actor.department_id and actor.department_id == evaluation.department_id:
        return None
    return ActionNotFound(_("未找到该测评。"), {})


def not_disputed_before(actor, evaluation):
    if evaluation.disputed_at is not None:
        return ConflictError(_("每次测评只能申诉一次，本次测评已经申诉过。"), {"reason": [_("已申诉过。")]})
    return None


EVALUATION = Workflow(
    entity="evaluators.evaluation", param="evaluation",
    status_labels=lambda s: EvaluationStatus(s).label if s else "—",
    number=lambda e: f"{e.department.name}·{e.topic}" if e.pk else e.topic,
    actions=(
        Action(name="schedule", label=gettext_lazy("安排测评"), sources=frozenset({None}), target=S.SCHEDULED,
               capability="evaluators.schedule", service=f"{SVC}evaluation_schedule", guards=(own_or_office,),
               button=False, form=()),
        Action(name="submit", label=gettext_lazy("提交评分"), sources=frozenset({S.SCHEDULED}), target=S.PUBLISHED,
               capability="evaluators.inspect", service=f"{SVC}evaluation_submit", guards=(visible, the_evaluator),
               inputs=("marks", "item_notes", "note", "photos"), button=False, form=()),
        Action(name="cancel", label=gettext_lazy("取消测评"), sources=frozenset({S.SCHEDULED}), target=S.CANCELLED,
               capability=("evaluators.inspect", "evaluators.manage"), service=f"{SVC}evaluation_cancel",
               guards=(visible, own_or_office), inputs=("reason",), required=("reason",), form=("reason",),
               hint=gettext_lazy("如：部门搬迁，改期测评"), danger=True),
        Action(name="dispute", label=gettext_lazy("提出申诉"), sources=frozenset({S.PUBLISHED}), target=S.DISPUTED,
               capability="evaluators.dispute", service=f"{SVC}evaluation_dispute",
               guards=(visible, the_department, not_disputed_before), inputs=("reason",), required=("reason",),
               form=("reason",), hint=gettext_lazy("如：扣分项当日已整改到位，附整改记录")),
        Action(name="uphold", label=gettext_lazy("申诉成立（调整得分）"), sources=frozenset({S.DISPUTED}),
               target=S.PUBLISHED, capability="evaluators.manage", service=f"{SVC}evaluation_uphold",
               guards=(visible,), inputs=("answer", "total"), required=("answer", "total"), form=("answer", "total")),
        Action(name="reject", label=gettext_lazy("驳回申诉"), sources=frozenset({S.DISPUTED}), target=S.PUBLISHED,
               capability="evaluators.manage", service=f"{SVC}evaluation_reject", guards=(visible,),
               inputs=("answer",), required=("answer",), form=("answer",), danger=True),
    ),
)
