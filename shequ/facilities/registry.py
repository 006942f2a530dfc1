"""Capabilities, navigation, the operator's home-page counters, the residents' tile and the schedule of the
facilities module (设施与场地).

- `facilities.view`: see the facilities of one's jurisdiction (an operator: his own) and their bookings.
- `facilities.book`: book a room (staff for their work and teams, residents for themselves).
- `facilities.operate`: run a facility's day: approve requests, check in, record no-shows; a facility operator
  also edits his facility's rooms, hours and closures. Always limited to the facilities the user runs.
- `facilities.manage`: 街道 staff who create and edit the network itself (facilities, rooms, hours, closures).
"""

from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import HomeChart, NavItem, PendingCounter, home_chart, nav, pending, section
from shequ.core.permissions import grant
from shequ.portal.hooks import Tile, tile

STAFF = [Role.LEADER, Role.DEPT_OFFICER, Role.HALL_SUPERVISOR, Role.COMMITTEE_WORKER, Role.FACILITY_OPERATOR,
         Role.OPS_OPERATOR]
grant(STAFF, "facilities.view", "facilities.book")
grant([Role.RESIDENT], "facilities.book")
grant([Role.FACILITY_OPERATOR, Role.LEADER], "facilities.operate")
grant([Role.LEADER], "facilities.manage")

S = _("社区服务")
section(S, 40)
nav(
    NavItem(S, _("今日场地"), "facilities:today", "facilities.operate", "calendar-day", 10),
    NavItem(S, _("设施与场地"), "facilities:facility-list", "facilities.view", "building", 11),
    NavItem(S, _("场地预约"), "facilities:booking-list", "facilities.view", "calendar-check", 12),
    NavItem(S, _("场地使用统计"), "facilities:usage", "facilities.view", "bar-chart-line", 13),
)


def _selectors():
    from . import selectors

    return selectors


pending(
    PendingCounter(_("今日场地预约"), "facilities.operate", lambda u: _selectors().count_today(u),
                   "facilities:today", "info", 29),
    PendingCounter(_("待审批场地预约"), "facilities.operate", lambda u: _selectors().count_pending_approvals(u),
                   "facilities:today", "warning", 30),
    PendingCounter(_("今日待签到"), "facilities.operate", lambda u: _selectors().count_to_check_in(u),
                   "facilities:today", "primary", 31),
)


def _usage_chart(user):
    from .charts import usage_chart

    return usage_chart(user)


home_chart(HomeChart(_("场地使用（小时，按人群）"), "facilities.operate", _usage_chart, "facilities:usage", 40))


def _my_bookings(account):
    return _selectors().resident_upcoming(user=account.user).count() or None


tile(Tile(_("预约场地"), "facilities:m-rooms", "door-open", 45, badge=_my_bookings,
          description=_("睦邻中心、文化活动中心的活动室")))


def _register_schedule():
    from shequ.core.schedule import periodic

    from .tasks import close_past_bookings

    periodic("facilities.close_past_bookings", "*/15 * * * *", close_past_bookings,
             label=_("场地预约：结束后记未到场、逾期未审批"))


_register_schedule()
