from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, PendingCounter, nav, pending, section
from shequ.core.permissions import department_only, grant
from shequ.core.schedule import periodic
from shequ.portal.hooks import Due, Tile, due_source, tile

from . import config_tables  # noqa: F401  (registers the configuration tables)

grant([Role.COMMITTEE_WORKER, Role.LEADER, Role.DEPT_OFFICER], "health.view")
grant([Role.COMMITTEE_WORKER, Role.DEPT_OFFICER], "health.manage")
grant([Role.COMMITTEE_WORKER, Role.DEPT_OFFICER], "health.import")
grant([Role.COMMITTEE_WORKER, Role.DEPT_OFFICER], "health.reveal")
# Of the back-office officers, family-doctor contracts are the health commission's (卫健) work only.
department_only(Role.DEPT_OFFICER, "health.view", "health.manage", "health.import", "health.reveal",
                department="health")

section(_("社区服务"), 40)
nav(NavItem(_("社区服务"), _("家庭医生签约"), "health:contract-list", "health.view", "heart-pulse", 30))
nav(NavItem(_("社区服务"), _("待续约"), "health:due-list", "health.view", "arrow-repeat", 31))
nav(NavItem(_("社区服务"), _("签约覆盖率"), "health:coverage", "health.view", "bar-chart", 32))
nav(NavItem(_("社区服务"), _("导入签约名单"), "health:import", "health.import", "upload", 33))


def _due(user):
    from .selectors import due_count

    return due_count(user=user)


def _my_contracts(account):
    from shequ.portal.selectors import actable_residents

    from .selectors import contracts_for_residents, due_limit

    people = ([account.resident] if account.resident_id else []) + actable_residents(account=account)
    return sum(1 for c in contracts_for_residents(residents=people) if c.end_date <= due_limit()) or None


pending(PendingCounter(_("待续约签约"), "health.manage", _due, "health:due-list", "warning", 40))
tile(Tile(_("家庭医生"), "health:m-mine", "heart-pulse", 45, badge=_my_contracts, needs_binding=True,
          description=_("我和家人的签约医生")))


def _renewal_wanted(due, account):
    from .services import contract_renewal_wanted

    contract_renewal_wanted(contract_id=int(due.key.rsplit(":", 1)[1]), requested_by=account.user.display_name,
                            for_self=due.person_id == account.resident_id)


def _due_contracts(account, people):
    """到期提醒: the family-doctor contracts of my people within the renewal window (60 days)."""
    from .selectors import contracts_for_residents, due_limit

    limit = due_limit()
    return [Due(key=f"health.contract:{c.pk}", title=_("家庭医生签约"), person_id=c.resident_id,
                person_name=c.resident.name, end_date=c.end_date, detail=c.doctor.name, url_name="health:m-mine",
                on_renew=_renewal_wanted)
            for c in contracts_for_residents(residents=people) if c.end_date <= limit]


due_source("health.contract", _due_contracts)


def _register_schedule():
    from .services import coverage_refresh_nightly

    periodic("health.coverage", "30 2 * * *", coverage_refresh_nightly, label=_("家庭医生签约覆盖率统计"),
             catch_up_hours=12)


_register_schedule()

from . import target_computers  # noqa: E402,F401  (family-doctor coverage as a computed target)
