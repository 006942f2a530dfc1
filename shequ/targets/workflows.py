"""The declared workflows of the targets module: an entered value awaits approval (待审核 → 已通过 / 已退回; a
returned one is submitted again through `entry_submit`), an eco household awaits certification (待认定 → 已认定 /
未通过, 已认定 → 已撤销), an assessment is scored by its panel and signed off (评分中 → 已签发)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shequ.core.errors import ConflictError
from shequ.core.workflow import Action, ActionNotFound, Workflow

from . import selectors
from .choices import (AssessmentAction, AssessmentStatus, EcoAction, EcoStatus, EntryAction, EntryStatus)

SVC = "shequ.targets.services."


def entry_visible(actor, entry):
    if not selectors.entry_visible(user=actor, entry=entry):
        return ActionNotFound(_("未找到该填报。"), {})
    return None


def eco_visible(actor, household):
    if not selectors.eco_visible(user=actor, household=household):
        return ActionNotFound(_("未找到该家庭。"), {})
    return None


def assessment_visible(actor, assessment):
    if not selectors.assessment_visible(user=actor, assessment=assessment):
        return ActionNotFound(_("未找到该考核。"), {})
    return None


def panel_complete(actor, assessment):
    members = selectors.panel(assessment=assessment)
    waiting = [m.expert.display_name for m in members if m.submitted_at is None]
    if not members:
        return ConflictError(_("评审组还没有专家。"), {"panel": [_("请先组成评审组。")]})
    if waiting:
        return ConflictError(_("还有专家未提交评分：%(n)s。") % {"n": "、".join(waiting)},
                             {"panel": [_("评分未完成。")]})
    return None


ENTRY = Workflow(
    entity="targets.entry", param="entry", status_labels=lambda s: EntryStatus(s).label, number=lambda e: e.number,
    actions=(
        Action(name=EntryAction.APPROVE, label=EntryAction.APPROVE.label, sources=frozenset({EntryStatus.SUBMITTED}),
               target=EntryStatus.APPROVED, capability="targets.approve", service=f"{SVC}entry_approve",
               guards=(entry_visible,)),
        Action(name=EntryAction.REJECT, label=EntryAction.REJECT.label, sources=frozenset({EntryStatus.SUBMITTED}),
               target=EntryStatus.REJECTED, capability="targets.approve", service=f"{SVC}entry_reject",
               guards=(entry_visible,), inputs=("reason",), form=("reason",), required=("reason",), danger=True),
    ),
)

ECO = Workflow(
    entity="targets.eco", param="household", status_labels=lambda s: EcoStatus(s).label, number=lambda h: h.number,
    actions=(
        Action(name=EcoAction.CERTIFY, label=EcoAction.CERTIFY.label, sources=frozenset({EcoStatus.APPLIED}),
               target=EcoStatus.CERTIFIED, capability="targets.approve", service=f"{SVC}eco_certify",
               guards=(eco_visible,), form=()),
        Action(name=EcoAction.REJECT, label=EcoAction.REJECT.label, sources=frozenset({EcoStatus.APPLIED}),
               target=EcoStatus.REJECTED, capability="targets.approve", service=f"{SVC}eco_reject",
               guards=(eco_visible,), inputs=("reason",), form=("reason",), required=("reason",), danger=True),
        Action(name=EcoAction.REVOKE, label=EcoAction.REVOKE.label, sources=frozenset({EcoStatus.CERTIFIED}),
               target=EcoStatus.REVOKED, capability="targets.approve", service=f"{SVC}eco_revoke",
               guards=(eco_visible,), inputs=("reason",), form=("reason",), required=("reason",), danger=True),
    ),
)

ASSESSMENT = Workflow(
    entity="targets.assessment", param="assessment", status_labels=lambda s: AssessmentStatus(s).label,
    number=lambda a: a.number,
    actions=(
        Action(name=AssessmentAction.SIGN, label=AssessmentAction.SIGN.label,
               sources=frozenset({AssessmentStatus.SCORING}), target=AssessmentStatus.SIGNED,
               capability="targets.assess", service=f"{SVC}assessment_sign",
               guards=(assessment_visible, panel_complete), inputs=("conclusion",), form=("conclusion",)),
    ),
)
