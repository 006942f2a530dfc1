"""The declared workflows of the social-organisation module: an incubation at the 社会组织服务中心 and a
government purchase of services. Services check themselves against these (`INCUBATION.check`); the pages and the
API offer `…available(...)`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shequ.core.errors import ConflictError
from shequ.core.scoring import TRIMMED_MIN_SCORES, Combination
from shequ.core.workflow import Action, ActionNotFound, Workflow

from . import selectors
from .choices import IncubationAction, IncubationStatus, ProjectAction, ProjectStatus

SVC = "shequ.socialorgs.services."
IS, IA = IncubationStatus, IncubationAction
PS, PA = ProjectStatus, ProjectAction


def incubation_visible(actor, incubation):
    if not selectors.organisation_list(user=actor).filter(pk=incubation.organisation_id).exists():
        return ActionNotFound(_("未找到该孵化记录。"), {})
    return None


def milestones_done(actor, incubation):
    if incubation.milestones.filter(done_on__isnull=True).exists():
        return ConflictError(_("还有未完成的孵化节点，不能出壳。"), {"status": [_("孵化节点未全部完成。")]})
    return None


def _incubation(name, sources, target, guards=(), inputs=(), form=(), required=(), danger=False):
    return Action(name=name, label=IncubationAction(name).label, sources=frozenset(sources), target=target,
                  capability="socialorgs.manage", service=f"{SVC}incubation_{name}",
                  guards=(incubation_visible, *guards), inputs=inputs, form=form, required=required, danger=danger)


INCUBATION = Workflow(
    entity="socialorgs.incubation", param="incubation", status_labels=lambda s: IncubationStatus(s).label,
    number=lambda i: i.number,
    actions=(
        _incubation(IA.ADMIT, {IS.APPLIED}, IS.INCUBATING, inputs=("mentor", "note"), form=("mentor", "note"),
                    required=("mentor",)),
        _incubation(IA.REJECT, {IS.APPLIED}, IS.REJECTED, inputs=("reason",), form=("reason",),
                    required=("reason",), danger=True),
        _incubation(IA.GRADUATE, {IS.INCUBATING}, IS.GRADUATED, guards=(milestones_done,), inputs=("reason",),
                    form=("reason",), required=("reason",)),
        _incubation(IA.WITHDRAW, {IS.APPLIED, IS.INCUBATING}, IS.WITHDRAWN, inputs=("reason",), form=("reason",),
                    required=("reason",), danger=True),
    ),
)


def project_visible(actor, project):
    if not selectors.project_list(user=actor).filter(pk=project.pk).exists():
        return ActionNotFound(_("未找到该项目。"), {})
    return None


def has_proposals_and_panel(actor, project):
    if not project.proposals.exists():
        return ConflictError(_("尚无申报方案，不能进入评审。"), {"status": [_("尚无申报方案。")]})
    experts = project.experts.count()
    needed = TRIMMED_MIN_SCORES if project.combination == Combination.TRIMMED_MEAN else 1
    if experts < needed:
        return ConflictError(_("评审专家不足：按“%(c)s”至少需要%(n)d位专家。") % {
            "c": Combination(project.combination).label, "n": needed}, {"experts": [_("评审专家不足。")]})
    return None


def all_scored(actor, project):
    missing = selectors.missing_scores(project=project)
    if missing:
        return ConflictError(_("还有%(n)d份评分未提交，不能确定承接方。") % {"n": missing},
                             {"status": [_("专家评分未完成。")]})
    return None


def _project(name, sources, target, capability="socialorgs.manage", guards=(), inputs=(), form=(), required=(),
             danger=False, button=True):
    return Action(name=name, label=ProjectAction(name).label, sources=frozenset(sources), target=target,
                  capability=capability, service=f"{SVC}project_{name}", guards=(project_visible, *guards),
                  inputs=inputs, form=form, required=required, danger=danger, button=button)


PROJECT = Workflow(
    entity="socialorgs.project", param="project", status_labels=lambda s: ProjectStatus(s).label,
    number=lambda p: p.number,
    actions=(
        _project(PA.PUBLISH, {PS.NEED}, PS.CALL, inputs=("call_deadline",), form=("call_deadline",),
                 required=("call_deadline",)),
        _project(PA.CLOSE_CALL, {PS.CALL}, PS.SCORING, guards=(has_proposals_and_panel,)),
        _project(PA.AWARD, {PS.SCORING}, PS.AWARDED, capability="socialorgs.award", guards=(all_scored,)),
        # Signing, the reviews and the appraisal have their own forms (instalments, pass/fail, grade).
        _project(PA.SIGN, {PS.AWARDED}, PS.CONTRACTED, button=False,
                 inputs=("amount", "signed_on", "starts_on", "ends_on", "instalments")),
        _project(PA.MIDTERM, {PS.CONTRACTED}, PS.MIDTERM, button=False, inputs=("passed", "note")),
        _project(PA.FINAL, {PS.MIDTERM}, PS.FINAL, button=False, inputs=("passed", "note")),
        _project(PA.APPRAISE, {PS.FINAL}, PS.APPRAISED, button=False, inputs=("grade", "score", "note")),
        _project(PA.TERMINATE, {PS.NEED, PS.CALL, PS.SCORING, PS.AWARDED, PS.CONTRACTED, PS.MIDTERM}, PS.TERMINATED,
                 inputs=("reason",), form=("reason",), required=("reason",), danger=True),
    ),
)
