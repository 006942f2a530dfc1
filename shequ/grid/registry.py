from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import HomeChart, NavItem, PendingCounter, home_chart, nav, pending, section
from shequ.core.permissions import grant

from . import signals  # noqa: F401  (grid polygon changes rebuild the spatial index)

CENTRE = [Role.OPS_OPERATOR, Role.SHIFT_LEADER, Role.DISPATCHER]
FIELD = [Role.PATROL, Role.INSPECTOR]
ALL = CENTRE + FIELD + [Role.DEPT_OFFICER, Role.COMMITTEE_WORKER, Role.LEADER]

grant(ALL, "grid.view")
grant(CENTRE + FIELD + [Role.COMMITTEE_WORKER], "grid.report")
grant([Role.OPS_OPERATOR, Role.SHIFT_LEADER], "grid.accept", "grid.file", "grid.close", "grid.evaluate")
grant([Role.SHIFT_LEADER], "grid.approve", "grid.roster_manage")
# The 城运中心's leadership (the 街道 leader in charge): second-level extensions and parking (挂账).
grant([Role.LEADER], "grid.approve_senior")
grant([Role.DISPATCHER, Role.SHIFT_LEADER], "grid.dispatch")
grant(FIELD, "grid.verify", "grid.patrol")
grant([Role.DEPT_OFFICER, Role.COMMITTEE_WORKER], "grid.handle")
grant(CENTRE + [Role.LEADER, Role.HOTLINE_OFFICE], "grid.hotline_view")
grant(CENTRE, "grid.hotline")
# 区12345热线办 decides the 街道's 退单/延期 requests; the 科室, committees and work stations report on the work
# handed to them (内部交办).
grant([Role.HOTLINE_OFFICE], "grid.hotline_decide")
grant([Role.DEPT_OFFICER, Role.COMMITTEE_WORKER], "grid.hotline_task")
grant(ALL, "grid.roster")
grant([Role.LEADER, Role.SHIFT_LEADER], "grid.inspect")
grant(CENTRE + [Role.LEADER], "grid.stats")
grant([Role.OPS_OPERATOR, Role.SHIFT_LEADER], "grid.manage_grids")

section(_("大联动"), 30)
nav(
    NavItem(_("大联动"), _("巡查上报"), "grid:report", "grid.report", "camera", 0),
    NavItem(_("大联动"), _("核实核查任务"), "grid:tasks", "grid.verify", "clipboard-check", 1),
    NavItem(_("大联动"), _("受理与结案"), "grid:desk", "grid.accept", "inboxes", 2),
    NavItem(_("大联动"), _("派遣"), "grid:dispatch", "grid.dispatch", "send", 3),
    NavItem(_("大联动"), _("本单位案件"), "grid:unit", "grid.handle", "briefcase", 4),
    NavItem(_("大联动"), _("案件查询"), "grid:case-list", "grid.view", "list-check", 5),
    NavItem(_("大联动"), _("网格地图"), "grid:map", "grid.view", "map", 6),
    NavItem(_("大联动"), _("12345工单"), "grid:hotline-list", "grid.hotline_view", "telephone", 7),
    NavItem(_("大联动"), _("12345交办"), "grid:hotline-tasks", "grid.hotline_task", "telephone-forward", 7),
    NavItem(_("大联动"), _("12345考核"), "grid:hotline-figures", "grid.hotline_view", "trophy", 11),
    NavItem(_("大联动"), _("联勤排班"), "grid:roster", "grid.roster", "calendar-week", 8),
    NavItem(_("大联动"), _("巡查日志"), "grid:patrol", "grid.patrol", "signpost-split", 9),
    NavItem(_("大联动"), _("督查考评"), "grid:inspection-list", "grid.inspect", "award", 10),
    NavItem(_("大联动"), _("综合评价"), "grid:stats", "grid.stats", "bar-chart-line", 11),
    NavItem(_("大联动"), _("立结案标准"), "grid:taxonomy", "grid.view", "journal-bookmark", 12),
)


def _count(user, **filters):
    from . import selectors

    return selectors.case_base(user=user).filter(**filters).count()


def _to_verify(user):
    return _count(user, status__in=["verifying", "fed_back"])


def _desk(user):
    return _count(user, status__in=["reported", "verified", "checked"])


def _dispatch(user):
    return _count(user, status="filed")


def _unit(user):
    from .models import Case
    from .selectors import acting_unit

    unit = acting_unit(user)
    return Case.objects.filter(unit=unit, status__in=["dispatched", "handling"]).count() if unit else 0


def _approvals(user):
    from .choices import ExtensionStatus

    return (_count(user, status="returned")
            + _count(user, extensions__status=ExtensionStatus.PENDING))


def _hotline(user):
    from . import selectors

    return selectors.hotline_list(user=user, status="received").count()


def _hotline_requests(user):
    from . import selectors

    return selectors.hotline_request_queue(user=user).count()


def _hotline_tasks(user):
    from . import selectors

    return selectors.hotline_tasks_for(user=user, open_only=True).count()


pending(
    PendingCounter(_("待核实/核查"), "grid.verify", _to_verify, "grid:tasks", "warning", 20),
    PendingCounter(_("待受理/立案/结案"), "grid.accept", _desk, "grid:desk", "primary", 20),
    PendingCounter(_("待审批（延期/回退）"), "grid.approve", _approvals, "grid:desk", "danger", 21),
    PendingCounter(_("待派遣案件"), "grid.dispatch", _dispatch, "grid:dispatch", "primary", 22),
    PendingCounter(_("本单位待办案件"), "grid.handle", _unit, "grid:unit", "danger", 23),
    PendingCounter(_("待签收12345工单"), "grid.hotline", _hotline, "grid:hotline-list", "info", 24),
    PendingCounter(_("待审核12345退单/延期"), "grid.hotline_decide", _hotline_requests, "grid:hotline-requests",
                   "danger", 24),
    PendingCounter(_("12345交办待反馈"), "grid.hotline_task", _hotline_tasks, "grid:hotline-tasks", "warning", 25),
)


def _register_schedule():
    from shequ.core.schedule import command_task, periodic

    from .reminders import deadline_reminders
    from .tasks import stats_catch_up

    periodic("grid.roster", "0 1 20 * *", command_task, label=_("大联动排班生成（本月和下月）"), catch_up_hours=48,
             command="grid_roster")
    periodic("grid.deadline_reminders", "*/10 * * * *", deadline_reminders, label=_("网格案件与12345工单时限提醒"))
    periodic("grid.stats_catch_up", "*/5 * * * *", stats_catch_up, label=_("大联动指标汇总：计入新上报的案件"))


_register_schedule()

def _case_trend(user):
    from .home_charts import case_trend

    return case_trend(user)


home_chart(HomeChart(_("近30天案件与按期结案率"), "grid.stats", _case_trend, "grid:stats", 20))

from . import config_tables  # noqa: E402,F401  (系统配置 tables)
from . import target_computers  # noqa: E402,F401  (the grid's computed targets)
