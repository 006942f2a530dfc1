"""Capabilities, navigation, counters, the residents' tile, the volunteer's landing page and the schedule of the
volunteer service (志愿服务).

- `volunteers.view`: see the 街道's teams and activities (a resident: the published ones).
- `volunteers.serve`: take part as a volunteer: register oneself, sign up, check in and out, see one's own hours,
  stars and certificates. A resident or a committee worker serves with his own login (a volunteer is a profile
  of a person, not a second account).
- `volunteers.organise`: publish and run activities, show the check-in code, approve or reject records; always
  limited to the teams the user administers (the 志愿中心's admins: every team of the 街道).
- `volunteers.manage`: register volunteers of one's committee; the 志愿中心's admins and the leader also add
  honour hours, grant stars after the notice and keep the certificate register.
"""

from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, PendingCounter, landing, nav, pending, section
from shequ.core.permissions import grant
from shequ.portal.hooks import Tile, tile

grant([Role.LEADER, Role.COMMITTEE_WORKER, Role.VOLUNTEER, Role.RESIDENT], "volunteers.view")
grant([Role.VOLUNTEER, Role.RESIDENT, Role.COMMITTEE_WORKER], "volunteers.serve")
grant([Role.VOLUNTEER, Role.COMMITTEE_WORKER, Role.LEADER], "volunteers.organise")
grant([Role.VOLUNTEER, Role.COMMITTEE_WORKER, Role.LEADER], "volunteers.manage")
# An organiser places an activity in a room of the facilities module: the booking is made in his name.
grant([Role.VOLUNTEER], "facilities.book")

S = _("志愿服务")
section(S, 45)
nav(
    NavItem(S, _("我的志愿服务"), "volunteers:me", "volunteers.serve", "person-heart", 10),
    NavItem(S, _("志愿活动"), "volunteers:activity-list", "volunteers.view", "calendar-heart", 11),
    NavItem(S, _("服务时长审核"), "volunteers:review", "volunteers.organise", "clipboard-check", 12),
    NavItem(S, _("志愿者"), "volunteers:volunteer-list", "volunteers.manage", "people", 13),
    NavItem(S, _("队伍与服务站"), "volunteers:teams", "volunteers.view", "diagram-3", 14),
    NavItem(S, _("星级与证明"), "volunteers:stars", "volunteers.manage", "star", 15),
)


def _selectors():
    from . import selectors

    return selectors


def _my_signups(user):
    volunteer = _selectors().volunteer_of(user)
    return _selectors().my_signups(volunteer=volunteer).count() if volunteer else 0


pending(
    PendingCounter(_("我报名的志愿活动"), "volunteers.serve", _my_signups, "volunteers:me", "primary", 50),
    PendingCounter(_("待审核服务记录"), "volunteers.organise",
                   lambda u: _selectors().records_to_review(user=u).count(), "volunteers:review", "warning", 51),
)

# The `volunteer` login's workbench is his volunteer page (hours, star, sign-ups; for an organiser his teams).
landing(Role.VOLUNTEER, "volunteers:me")


def _badge(account):
    volunteer = _selectors().volunteer_of(account.user)
    return (_selectors().my_signups(volunteer=volunteer).count() or None) if volunteer else None


tile(Tile(_("志愿服务"), "volunteers:m-home", "person-heart", 50, badge=_badge,
          description=_("报名志愿活动，签到签退，查看服务时长和证明")))


def _register_schedule():
    from shequ.core.schedule import periodic

    from .tasks import remind_activities

    periodic("volunteers.remind", "*/10 * * * *", remind_activities, label=_("志愿活动：开始前提醒"))


_register_schedule()


def _environment_volunteers(*, user, start, end):
    from decimal import Decimal

    from shequ.targets.hooks import Figure

    counts = {pk: Decimal(n) for pk, n in _selectors().environment_volunteers(user=user, end=end).items()}
    return Figure(Decimal(sum(counts.values())), counts)


def _register_computers():
    from shequ.targets.hooks import Computer, computer

    computer(Computer("volunteers.environment", _("环保（市容环境）志愿者人数"), _environment_volunteers,
                      _("截至期末登记在册、属于市容环境志愿服务队的志愿者（去重），按所属居委会统计"), cumulative=True))


_register_computers()
