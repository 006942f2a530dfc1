"""Capabilities and navigation of the social-organisation module (社会组织 and 三社联动).

- `socialorgs.view`: read the registry, incubations, purchased-service projects and claim projects of one's
  jurisdiction (a committee worker: the organisations serving his committee and his committee's claim projects).
- `socialorgs.manage`: the 街道's 社会组织 work, which is 民政's: register organisations and their documents, run the
  incubation centre, run a purchase of services (need, call, proposals, panel, contract, reviews, appraisal).
- `socialorgs.award`: decide the award on the panel's results (the 街道 leader).
- `socialorgs.score`: may sit on a review panel; scoring still needs the project's panel to name the account.
- `socialorgs.claims`: publish community projects for units and companies to claim and record their claims and
  activities (民政 for the 街道's, a committee worker for his committee's).
"""

from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, nav, section
from shequ.core.permissions import department_only, grant

grant([Role.LEADER, Role.DEPT_OFFICER, Role.COMMITTEE_WORKER], "socialorgs.view", "socialorgs.score")
grant([Role.DEPT_OFFICER], "socialorgs.manage")
grant([Role.DEPT_OFFICER, Role.COMMITTEE_WORKER], "socialorgs.claims")
grant([Role.LEADER], "socialorgs.award")
# Of the back-office officers, social organisations are the 民政 (civil affairs) department's work only.
department_only(Role.DEPT_OFFICER, "socialorgs.view", "socialorgs.score", "socialorgs.manage", "socialorgs.claims",
                department="civil_affairs")

S = _("三社联动")
section(S, 45)
nav(
    NavItem(S, _("社会组织"), "socialorgs:org-list", "socialorgs.view", "people", 10),
    NavItem(S, _("孵化基地"), "socialorgs:incubation-list", "socialorgs.view", "egg", 11),
    NavItem(S, _("政府购买服务"), "socialorgs:project-list", "socialorgs.score", "clipboard-check", 12),
    NavItem(S, _("项目认领"), "socialorgs:claim-list", "socialorgs.view", "hand-thumbs-up", 13),
)
