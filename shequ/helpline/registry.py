from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, PendingCounter, nav, pending, section
from shequ.core.permissions import grant
from shequ.grid.hooks import case_link

# The line sits in 延吉七村睦邻中心 and is staffed by the 街道 service office's facility operators (the demo's
# `facility`); the operations centre's operators take its calls too. The leader and the committee workers follow
# the calls of their jurisdiction.
grant([Role.FACILITY_OPERATOR, Role.OPS_OPERATOR], "helpline.view", "helpline.operate")
grant([Role.LEADER, Role.COMMITTEE_WORKER], "helpline.view")
# What the line's two routings need of the other modules — nothing is granted here, and no role is widened:
# - 预约场地: both operator roles already hold `facilities.book`, and facilities scopes it. A facility operator
#   books the rooms of the centres he runs (the line's own 睦邻中心 and its children), the rooms whose calendar he
#   answers for; a room elsewhere in the 街道 is booked by the operations centre's operators (whose facilities
#   scope is the 街道) or by the resident himself. Facilities' scoping is not widened for the line.
# - 助餐订餐: eldercare grants `eldercare.order` to the operations centre's operators as the hotline's (orders
#   take the 热线代订 channel). It is deliberately not granted to facility operators: the role is shared by the
#   canteens' cooks, the day-care nurses and the care home's wardens, none of whom may order for a resident, and
#   a grant is per role. So a facility operator at the line is not offered the meal routing (the call page says
#   who places it); the operations centre's operators are.

section(_("社区服务"), 40)
nav(NavItem(_("社区服务"), _("96980热线"), "helpline:calls", "helpline.view", "telephone", 20),
    NavItem(_("社区服务"), _("热线统计"), "helpline:stats", "helpline.view", "bar-chart", 25))


def _due(user):
    from .selectors import count_callbacks_due

    return count_callbacks_due(user)


pending(PendingCounter(_("热线待回访"), "helpline.operate", _due, "helpline:calls", "warning", 60))


@case_link
def _calls_of_case(user, case):
    """The grid case page shows the 96980 call it came from (a link for those who may open it)."""
    from .selectors import calls_for_case
    from .models import Call

    if user.can("helpline.view"):
        return [(_("96980来电"), c.number, reverse("helpline:call", args=[c.pk]))
                for c in calls_for_case(user=user, case_id=case.pk)]
    return [(_("96980来电"), number, "") for number in
            Call.objects.filter(grid_case_id=case.pk).values_list("number", flat=True)]
