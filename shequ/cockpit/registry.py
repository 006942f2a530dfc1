"""Capabilities and navigation of the leader's cockpit (领导驾驶舱) and the monthly brief (月度工作简报).

- `cockpit.view`: the cockpit of one's jurisdiction, its Excel exports (audited) and the monthly brief PDF.
The public headline page needs no login and shows no personal data."""

from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, nav, section
from shequ.core.permissions import grant
from shequ.core.schedule import periodic

grant([Role.LEADER], "cockpit.view")

S = _("领导驾驶舱")
section(S, 5)
nav(NavItem(S, _("领导驾驶舱"), "cockpit:index", "cockpit.view", "speedometer2", 1))


def _register_schedule():
    from .selectors import PREFILL_MINUTES
    from .tasks import prefill_overviews

    # Inside the cockpit's freshness: a leader's current month is always in the cache, at most FRESHNESS old.
    periodic("cockpit.prefill", f"*/{PREFILL_MINUTES} * * * *", prefill_overviews,
             label=_("领导驾驶舱：预先计算本月数字"), catch_up_hours=0.05)


_register_schedule()
