"""Capabilities, navigation and home-page counters of the acceptance centre (受理中心)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import (HomeChart, NavItem, PendingCounter, home_chart, nav, on_calendar_year, pending,
                              section)
from shequ.core.permissions import grant

CLERK, SUPERVISOR, OFFICER, LEADER = Role.WINDOW_CLERK, Role.HALL_SUPERVISOR, Role.DEPT_OFFICER, Role.LEADER

grant([CLERK, SUPERVISOR], "acceptance.window", "acceptance.kiosk", "acceptance.intake", "acceptance.archive")
grant([CLERK, SUPERVISOR, LEADER], "acceptance.cases_all", "acceptance.display", "acceptance.rota_view")
grant([CLERK, SUPERVISOR, LEADER, OFFICER], "acceptance.case_view", "acceptance.catalogue")
grant([OFFICER], "acceptance.backoffice")
grant([SUPERVISOR, OFFICER], "acceptance.rectify")
grant([SUPERVISOR, OFFICER, LEADER], "acceptance.reviews")
grant([SUPERVISOR, LEADER], "acceptance.figures", "acceptance.dashboard", "acceptance.staff_files")
grant([SUPERVISOR], "acceptance.supervise", "acceptance.catalogue_manage")
# A second 退回补正 of a case (the first is the department officer's one notice listing everything missing).
grant([SUPERVISOR], "acceptance.return_again")
# 全市通办 transfers: the window staff of the sending and of the home centre (both sides of a transfer).
grant([CLERK, SUPERVISOR], "acceptance.transfer")

S = _("受理中心")
section(S, 20)
nav(
    NavItem(S, _("叫号窗口"), "acceptance:window-select", "acceptance.window", "megaphone", 0),
    NavItem(S, _("新建受理"), "acceptance:case-intake", "acceptance.intake", "file-earmark-plus", 1),
    NavItem(S, _("办件查询"), "acceptance:case-list", "acceptance.case_view", "folder2-open", 2),
    NavItem(S, _("部门审核"), "acceptance:backoffice", "acceptance.backoffice", "inboxes", 3),
    NavItem(S, _("到期督办"), "acceptance:overdue", "acceptance.case_view", "alarm", 4),
    NavItem(S, _("大厅看板"), "acceptance:dashboard", "acceptance.dashboard", "speedometer2", 5),
    NavItem(S, _("好差评与整改"), "acceptance:rectification-list", "acceptance.reviews", "emoji-frown", 6),
    NavItem(S, _("民生档案查询"), "acceptance:archive-list", "acceptance.archive", "archive", 7),
    NavItem(S, _("通办转递"), "acceptance:transfer-list", "acceptance.transfer", "send", 7),
    NavItem(S, _("取号机"), "acceptance:kiosk", "acceptance.kiosk", "ticket-perforated", 8),
    NavItem(S, _("大厅显示屏"), "acceptance:hall-display", "acceptance.display", "display", 9),
    NavItem(S, _("事项目录"), "acceptance:catalogue", "acceptance.catalogue", "journal-bookmark", 10),
    NavItem(S, _("窗口排班"), "acceptance:rota", "acceptance.rota_view", "calendar-week", 11),
    NavItem(S, _("窗口与技能"), "acceptance:windows", "acceptance.supervise", "grid-3x3-gap", 12),
    NavItem(S, _("考核统计"), "acceptance:figures", "acceptance.figures", "bar-chart", 13),
    NavItem(S, _("大厅设备"), "acceptance:devices", "acceptance.supervise", "cpu", 14),
    NavItem(S, _("人员档案与培训"), "acceptance:staff-list", "acceptance.staff_files", "mortarboard", 15),
    NavItem(_("系统"), _("民生档案查询日志"), "acceptance:archive-log", "core.read_audit", "journal-check", 45),
)


def _selectors():
    from . import selectors

    return selectors


pending(
    PendingCounter(_("今日等候人数"), "acceptance.window", lambda u: _selectors().count_waiting(u),
                   "acceptance:window-select", "info", 20),
    PendingCounter(_("一次告知待补齐"), "acceptance.intake", lambda u: _selectors().count_notified(u),
                   "acceptance:case-list", "secondary", 21),
    PendingCounter(_("已办结待出件"), "acceptance.intake", lambda u: _selectors().count_to_deliver(u),
                   "acceptance:case-list", "primary", 22),
    PendingCounter(_("部门待审办件"), "acceptance.backoffice", lambda u: _selectors().count_backoffice(u),
                   "acceptance:backoffice", "primary", 23),
    PendingCounter(_("临近到期办件"), "acceptance.case_view", lambda u: _selectors().count_due_soon(u),
                   "acceptance:overdue", "warning", 24),
    PendingCounter(_("超期办件"), "acceptance.case_view", lambda u: _selectors().count_overdue(u),
                   "acceptance:overdue", "danger", 25),
    PendingCounter(_("通办转递待处理"), "acceptance.transfer", lambda u: _selectors().count_transfers_waiting(u),
                   "acceptance:transfer-list", "info", 27),
    PendingCounter(_("待整改差评"), "acceptance.rectify", lambda u: _selectors().count_open_rectifications(u),
                   "acceptance:rectification-list", "danger", 26),
)


def _register_schedule():
    from shequ.core.schedule import command_task, periodic

    from .tasks import rongque_lapse

    periodic("acceptance.close_day", "30 18 * * *", command_task, label=_("受理中心日终处理"), catch_up_hours=12,
             command="acceptance_close_day")
    # 容缺 promises whose deadline passed yesterday end in 终止 early in the morning, before the hall opens.
    periodic("acceptance.rongque_lapse", "10 0 * * *", rongque_lapse, label=_("容缺受理：逾期未补齐的办件终止办理"),
             catch_up_hours=8)


def _calendar_entered(*, actor, year):
    from .services import case_recompute_provisional

    case_recompute_provisional(actor=actor, year=year)


on_calendar_year(_calendar_entered)


_register_schedule()

def _hall_trend(user):
    from .home_charts import hall_trend

    return hall_trend(user)


home_chart(HomeChart(_("受理大厅：服务人次与平均等候"), "acceptance.figures", _hall_trend, "acceptance:figures", 10))

from . import config_tables  # noqa: E402,F401  (系统配置 tables)
from . import target_computers  # noqa: E402,F401  (the centre's computed target)
