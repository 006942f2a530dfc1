"""Capabilities and navigation of 社会监督评议 (outside evaluators).

- `evaluators.view`: the evaluations one may see (an evaluator his own, a department officer his department's
  published scores, the 综管委办 all of its 街道).
- `evaluators.schedule`: schedule an inspection (an evaluator for himself, the 综管委办 for any evaluator).
- `evaluators.inspect`: carry out one's own inspection on the sheet (the three evaluator roles only).
- `evaluators.dispute`: a department officer disputes his department's score.
- `evaluators.manage`: the 综管委办 (the 街道 leader, the command centre's shift leader): every evaluation of the
  街道, answers the disputes.
- `evaluators.composite`: the departments' composite assessment (a department officer: his own department)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.choices import EVALUATOR_ROLES, Role
from shequ.core.hooks import NavItem, PendingCounter, landing, nav, pending, section
from shequ.core.permissions import grant

EVALUATORS = sorted(EVALUATOR_ROLES)
OFFICE = [Role.LEADER, Role.SHIFT_LEADER]

grant(EVALUATORS + OFFICE + [Role.DEPT_OFFICER], "evaluators.view")
grant(EVALUATORS + OFFICE, "evaluators.schedule")
grant(EVALUATORS, "evaluators.inspect")
grant([Role.DEPT_OFFICER], "evaluators.dispute")
grant(OFFICE, "evaluators.manage")
grant(OFFICE + [Role.DEPT_OFFICER], "evaluators.composite")

for role in EVALUATORS:
    landing(role, "evaluators:home")

S = _("社会监督评议")
section(S, 36)
nav(
    NavItem(S, _("测评任务"), "evaluators:home", "evaluators.view", "clipboard2-check", 10),
    NavItem(S, _("部门综合考评"), "evaluators:composite", "evaluators.composite", "trophy", 11),
)


def _to_score(user):
    from . import selectors

    return selectors.evaluation_list(user=user).filter(status="scheduled").count()


def _disputes(user):
    from . import selectors

    return selectors.evaluation_list(user=user).filter(status="disputed").count()


pending(
    PendingCounter(_("待测评"), "evaluators.inspect", _to_score, "evaluators:home", "primary", 30),
    PendingCounter(_("待答复的测评申诉"), "evaluators.manage", _disputes, "evaluators:home", "warning", 31),
)

from . import config_tables  # noqa: E402,F401  (系统配置: the weights)
