"""Capabilities and navigation of the leader's cockpit (领导驾驶舱) and the monthly brief (月度工作简报).

- `cockpit.view`: the cockpit of one's jurisdiction, its Excel exports (audited) and the monthly brief PDF.
The public headline page needs no login and shows no personal data."""

from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, nav, section
from shequ.core.permissions import grant

grant([Role.LEADER], "cockpit.view")

S = _("领导驾驶舱")
section(S, 5)
nav(NavItem(S, _("领导驾驶舱"), "cockpit:index", "cockpit.view", "speedometer2", 1))
