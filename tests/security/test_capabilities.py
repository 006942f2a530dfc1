"""Least privilege: each role holds exactly the capabilities its work needs (the grants of every
`shequ/*/registry.py` together). A grant added or removed anywhere fails here until this table says why."""

import pytest

from shequ.core.choices import Role
from shequ.core.permissions import capabilities_of

BASE = {"core.inbox"}
STAFF = BASE | {"core.view_tree"}
ACCEPTANCE_FRONT = {"acceptance.archive", "acceptance.case_view", "acceptance.cases_all", "acceptance.catalogue",
                    "acceptance.display", "acceptance.intake", "acceptance.kiosk", "acceptance.rota_view",
                    "acceptance.window"}
# Applicants at the window are residents: the front desk finds, registers and (with a reason) reveals them.
RESIDENTS_AT_WINDOW = {"people.view", "people.edit", "people.reveal"}
FIELD = {"grid.patrol", "grid.report", "grid.roster", "grid.verify", "grid.view"}
CENTRE = {"grid.hotline", "grid.hotline_view", "grid.report", "grid.roster", "grid.stats", "grid.view",
          "core.view_calendar"}

INTENDED = {
    # 三权分立: configuration, users and roles, the audit log; no business data at all.
    # Each approves the resets of the others' accounts (two-person rule).
    # The system administrator also watches the background tasks (no arguments, no business data on that page).
    Role.SYSADMIN: BASE | {"core.manage_config", "core.view_tree", "core.view_calendar", "core.approve_admin_reset",
                           "core.operations"},
    Role.SECADMIN: BASE | {"core.manage_users", "core.view_tree", "core.approve_admin_reset"},
    Role.AUDITOR: BASE | {"core.read_audit", "core.approve_admin_reset"},
    # Reads the whole 街道 and exports figures; never edits or reveals a resident.
    Role.LEADER: STAFF | {"core.view_calendar", "acceptance.case_view", "acceptance.cases_all", "acceptance.catalogue",
                          "acceptance.dashboard", "acceptance.display", "acceptance.figures", "acceptance.reviews",
                          "acceptance.rota_view", "grid.hotline_view", "grid.inspect", "grid.roster", "grid.stats",
                          "grid.view", "people.export", "people.view"},
    Role.HALL_SUPERVISOR: STAFF | ACCEPTANCE_FRONT | RESIDENTS_AT_WINDOW | {
        "core.view_calendar", "acceptance.catalogue_manage", "acceptance.dashboard", "acceptance.figures",
        "acceptance.rectify", "acceptance.reviews", "acceptance.supervise",
        # publishes the appointment slots residents book on their phones
        "portal.slots"},
    Role.WINDOW_CLERK: STAFF | ACCEPTANCE_FRONT | RESIDENTS_AT_WINDOW | {"core.view_calendar"},
    # Back office: its department's cases (acceptance and 大联动); no residents registry.
    Role.DEPT_OFFICER: STAFF | {"core.view_calendar", "acceptance.backoffice", "acceptance.case_view",
                                "acceptance.catalogue", "acceptance.rectify", "acceptance.reviews", "grid.handle",
                                "grid.roster", "grid.view"},
    Role.OPS_OPERATOR: STAFF | CENTRE | {"grid.accept", "grid.close", "grid.evaluate", "grid.file",
                                         "grid.manage_grids"},
    Role.DISPATCHER: STAFF | CENTRE | {"grid.dispatch"},
    Role.SHIFT_LEADER: STAFF | CENTRE | {"grid.accept", "grid.approve", "grid.close", "grid.dispatch", "grid.evaluate",
                                         "grid.file", "grid.inspect", "grid.manage_grids", "grid.roster_manage"},
    Role.PATROL: STAFF | FIELD,
    Role.INSPECTOR: STAFF | FIELD,
    # The committee's own residents: register, import, export (masked), reveal with a reason; handle its cases.
    Role.COMMITTEE_WORKER: STAFF | RESIDENTS_AT_WINDOW | {"people.import", "people.export", "grid.handle",
                                                          "grid.report", "grid.roster", "grid.view"},
    # Run neighbourhood facilities / help out: no residents registry, no cases.
    Role.FACILITY_OPERATOR: STAFF,
    Role.VOLUNTEER: STAFF,
    # Their own pages: bookings, reports, cases, reviews — only their own and their family's.
    Role.RESIDENT: BASE | {"portal.use"},
}


def test_it_describes_every_role():
    assert set(INTENDED) == set(Role)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_it_grants_each_role_exactly_what_its_work_needs(role):
    held = capabilities_of(role)
    assert held == INTENDED[role], (f"{role}: unexpected {sorted(held - INTENDED[role])}, "
                                    f"missing {sorted(INTENDED[role] - held)}")


def test_it_keeps_the_residents_registry_from_roles_that_do_not_work_with_residents():
    readers = {Role.LEADER, Role.HALL_SUPERVISOR, Role.WINDOW_CLERK, Role.COMMITTEE_WORKER}
    assert {role for role in Role if "people.view" in capabilities_of(role)} == readers
