from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, nav, section
from shequ.core.permissions import grant

from . import config_tables  # noqa: F401  (the eligibility rules table)

# The facility's operators run the supermarket; the 街道 leader and the committee workers of its committee follow
# its stock, donations and monthly report.
grant([Role.FACILITY_OPERATOR, Role.LEADER, Role.COMMITTEE_WORKER], "charity.view")
grant([Role.FACILITY_OPERATOR], "charity.operate")

section(_("社区服务"), 40)
nav(NavItem(_("社区服务"), _("慈善超市"), "charity:index", "charity.view", "shop", 30))
