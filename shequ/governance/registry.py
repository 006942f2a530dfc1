"""Capabilities, navigation, counters and the schedule of 综合治理 (城区综合管理委员会 / 综治委, the 顽症 ledger).

- `governance.view`: see the committees, meetings, tasks and 顽症 of one's 街道 (a department officer: only the
  tasks given to his department).
- `governance.manage`: the committee's office (the 街道 leader): committees and members, meetings, agenda,
  attendance, minutes, decisions (tasks), reopening a task, closing a 顽症 (销项).
- `governance.ledger`: keep the 顽症 ledger: record a problem, confirm its cases and orders, measures, campaign
  state (the leader and the command centre's shift leader).
- `governance.task`: act on one's department's tasks: progress notes, closing with evidence.
"""

from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, PendingCounter, nav, pending, section
from shequ.core.permissions import grant

grant([Role.LEADER, Role.SHIFT_LEADER, Role.DEPT_OFFICER], "governance.view")
grant([Role.LEADER], "governance.manage")
grant([Role.LEADER, Role.SHIFT_LEADER], "governance.ledger")
grant([Role.DEPT_OFFICER], "governance.task")

S = _("综合治理")
section(S, 35)
nav(
    NavItem(S, _("联席会议"), "governance:meeting-list", "governance.view", "people-fill", 10),
    NavItem(S, _("交办任务"), "governance:task-list", "governance.view", "list-check", 11),
    NavItem(S, _("顽症台账"), "governance:problem-list", "governance.view", "exclamation-octagon", 12),
    NavItem(S, _("议事机构"), "governance:committee-list", "governance.manage", "diagram-3", 13),
)


def _overdue(user):
    from . import selectors

    return selectors.task_filter(selectors.task_list(user=user), overdue=True).count()


def _mine(user):
    from . import selectors
    from .choices import OPEN_TASK

    return selectors.task_list(user=user).filter(status__in=OPEN_TASK).count()


pending(
    PendingCounter(_("逾期交办任务"), "governance.manage", _overdue, "governance:task-list", "danger", 30),
    PendingCounter(_("本部门交办任务"), "governance.task", _mine, "governance:task-list", "warning", 31),
)


def _register_schedule():
    from shequ.core.schedule import periodic

    from .tasks import remind_overdue_tasks

    periodic("governance.overdue", "30 9 * * *", remind_overdue_tasks, label=_("交办任务：每日逾期催办"),
             catch_up_hours=12)


_register_schedule()
