"""Capabilities and navigation of events and festivals (活动与节庆).

- `events.view`: see the events, registrations and delegations of one's jurisdiction.
- `events.manage`: organise events in one's jurisdiction (create, cancel, register walk-ins, check in, photos,
  delegations).
- `events.register`: register for an event (a resident for himself; organisers for walk-ins).
"""

from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, nav, section
from shequ.core.permissions import grant

grant([Role.LEADER, Role.COMMITTEE_WORKER], "events.view", "events.manage", "events.register")
grant([Role.RESIDENT], "events.register")

S = _("社区服务")
section(S, 40)
nav(
    NavItem(S, _("活动与节庆"), "events:list", "events.view", "calendar-event", 50),
    NavItem(S, _("来访考察"), "events:delegation-list", "events.view", "people", 51),
    NavItem(S, _("系列、节庆与共建单位"), "events:groups", "events.view", "collection", 52),
)


def _figure(read):
    def compute(*, user, start, end):
        from decimal import Decimal

        from shequ.targets.hooks import Figure

        from . import selectors

        total, committees = getattr(selectors, read)(user=user, start=start, end=end)
        return Figure(Decimal(total), {pk: Decimal(n) for pk, n in committees.items()})
    return compute


def _register_computers():
    from shequ.targets.hooks import Computer, computer

    computer(Computer("events.participations", _("活动参与人次"), _figure("participation_by_committee"),
                      _("期内举办活动的签到人次，加上接待来访考察团的人数；街道举办的活动计入全街道合计"),
                      cumulative=True))
    computer(Computer("events.delegations", _("接待来访考察批次"), _figure("delegations_by_committee"),
                      _("期内登记的来访考察团批次"), cumulative=True))


_register_computers()
