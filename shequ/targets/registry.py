from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, PendingCounter, nav, pending, section
from shequ.core.permissions import grant
from shequ.core.schedule import periodic

from . import computers  # noqa: F401  (declares the computed targets of the modules present)
from . import config_tables  # noqa: F401  (the targets and scoring sheets as configuration tables)

# The 街道 leader follows every target, approves the committees' entered values, certifies eco households and
# organises assessments; committee workers enter their committee's values and put households forward; back-office
# officers follow the targets their department owns. Experts of a panel: the leader and back-office officers.
grant([Role.LEADER, Role.COMMITTEE_WORKER, Role.DEPT_OFFICER], "targets.view")
grant([Role.COMMITTEE_WORKER], "targets.enter")
grant([Role.LEADER], "targets.approve", "targets.assess")
grant([Role.LEADER, Role.DEPT_OFFICER], "targets.score")

section(_("指标与考核"), 60)
nav(NavItem(_("指标与考核"), _("指标进度"), "targets:index", "targets.view", "speedometer2", 10))
nav(NavItem(_("指标与考核"), _("指标填报"), "targets:entries", "targets.view", "pencil-square", 20))
nav(NavItem(_("指标与考核"), _("生态文明户"), "targets:eco-list", "targets.view", "tree", 30))
nav(NavItem(_("指标与考核"), _("考核评审"), "targets:assessments", "targets.view", "clipboard-check", 40))


def _entries(user):
    from .selectors import count_entries_pending

    return count_entries_pending(user)


def _eco(user):
    from .selectors import count_eco_pending

    return count_eco_pending(user)


def _to_score(user):
    from .selectors import count_to_score

    return count_to_score(user)


pending(PendingCounter(_("待审核指标填报"), "targets.approve", _entries, "targets:entries", "warning", 60))
pending(PendingCounter(_("待认定生态文明户"), "targets.approve", _eco, "targets:eco-list", "warning", 61))
pending(PendingCounter(_("待我评分的考核"), "targets.score", _to_score, "targets:assessments", "primary", 62))


def _register_schedule():
    from .services import snapshot_nightly

    periodic("targets.snapshot", "45 2 * * *", snapshot_nightly, label=_("指标趋势快照"), catch_up_hours=12)


_register_schedule()
