from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, nav, section
from shequ.core.permissions import capabilities_of, department_only, grant
from shequ.portal.hooks import Tile, tile
from shequ.portal.selectors import actable_residents

from . import config_tables  # noqa: F401 - declares the tier, canteen and route tables
from .selectors import orders_of_residents

STREET = [Role.LEADER, Role.DEPT_OFFICER]
# Seeing meal assistance: the 街道, the committees for their residents, the operators for their facilities.
grant([*STREET, Role.COMMITTEE_WORKER, Role.FACILITY_OPERATOR], "eldercare.view")
grant([Role.DEPT_OFFICER, Role.COMMITTEE_WORKER], "eldercare.enrol")
# Ordering for a resident: his committee, the 街道's 民政 officers and the 96980 hotline's operators.
grant([Role.DEPT_OFFICER, Role.COMMITTEE_WORKER, Role.OPS_OPERATOR], "eldercare.order")
grant([*STREET, Role.FACILITY_OPERATOR], "eldercare.kitchen")
grant([Role.DEPT_OFFICER], "eldercare.settle")
grant([Role.LEADER], "eldercare.settle_approve")
# Day care: the centre's operator records the days; the 街道 enrols and reads.
grant([*STREET, Role.FACILITY_OPERATOR], "eldercare.daycare_view")
grant([Role.DEPT_OFFICER, Role.FACILITY_OPERATOR], "eldercare.daycare")
grant([Role.FACILITY_OPERATOR], "eldercare.attendance")
# Health readings listed or exported in bulk (audited each time).
grant([Role.DEPT_OFFICER, Role.FACILITY_OPERATOR], "eldercare.health_export")
# Care home: committees file applications for their residents; the 街道 and the home assess and admit.
grant([*STREET, Role.COMMITTEE_WORKER, Role.FACILITY_OPERATOR], "eldercare.carehome_view")
grant([Role.DEPT_OFFICER, Role.COMMITTEE_WORKER], "eldercare.carehome_apply")
grant([Role.DEPT_OFFICER, Role.FACILITY_OPERATOR], "eldercare.carehome_manage")
# Of the back-office officers, elderly care is the 民政 (civil affairs) department's work only: an officer of 城管
# or 水务 sees no elder, reading or settlement.
department_only(Role.DEPT_OFFICER, *sorted(c for c in capabilities_of(Role.DEPT_OFFICER) if c.startswith("eldercare.")),
                department="civil_affairs")

S = _("社区服务")
section(S, 40)
nav(
    NavItem(S, _("助餐登记"), "eldercare:enrolments", "eldercare.view", "person-plus", 10),
    NavItem(S, _("助餐订单"), "eldercare:orders", "eldercare.view", "basket", 12),
    NavItem(S, _("厨房备餐"), "eldercare:kitchen", "eldercare.kitchen", "egg-fried", 14),
    NavItem(S, _("助餐结算"), "eldercare:settlements", "eldercare.kitchen", "cash-coin", 16),
    NavItem(S, _("日托出勤"), "eldercare:daycare", "eldercare.daycare_view", "sun", 20),
    NavItem(S, _("敬老院轮候"), "eldercare:carehome", "eldercare.carehome_view", "house-heart", 30),
)


def _upcoming(account):
    people = ([account.resident] if account.resident_id else []) + actable_residents(account=account)
    return orders_of_residents(residents=people, date_from=timezone.localdate()).filter(status="active").count() \
        or None


tile(Tile(_("助餐"), "eldercare:m-meals", "cup-hot", 45, badge=_upcoming, needs_binding=True,
          description=_("长者食堂订餐、送餐")))
