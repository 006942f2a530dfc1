"""Least privilege: each role holds exactly the capabilities its work needs (the grants of every
`shequ/*/registry.py` together). A grant added or removed anywhere fails here until this table says why."""

import pytest

from shequ.core.choices import Role
from shequ.core.permissions import capabilities_of

BASE = {"core.inbox"}
STAFF = BASE | {"core.view_tree"}
ACCEPTANCE_FRONT = {"acceptance.archive", "acceptance.case_view", "acceptance.cases_all", "acceptance.catalogue",
                    "acceptance.display", "acceptance.intake", "acceptance.kiosk", "acceptance.rota_view",
                    "acceptance.window",
                    # 全市通办: send a 收受分离 case to the home centre, and take the home centre's steps
                    "acceptance.transfer"}
# Applicants at the window are residents: the front desk finds, registers and (with a reason) reveals them.
RESIDENTS_AT_WINDOW = {"people.view", "people.edit", "people.reveal"}
FIELD = {"grid.patrol", "grid.report", "grid.roster", "grid.verify", "grid.view"}
CENTRE = {"grid.hotline", "grid.hotline_view", "grid.report", "grid.roster", "grid.stats", "grid.view",
          "core.view_calendar"}

# 社区公共服务: the facilities everyone on the staff may see and book a room in; the 街道's reading of each service.
ROOMS = {"facilities.view", "facilities.book"}
SERVICES_READ = {"charity.view", "eldercare.view", "eldercare.carehome_view", "eldercare.daycare_view",
                 "eldercare.kitchen", "health.view", "helpline.view"}
# 民政 officers only (department_only): enrol, order, settle, day care and the care home.
CIVIL_AFFAIRS = {"eldercare.view", "eldercare.enrol", "eldercare.order", "eldercare.kitchen", "eldercare.settle",
                 "eldercare.daycare_view", "eldercare.daycare", "eldercare.health_export", "eldercare.carehome_view",
                 "eldercare.carehome_apply", "eldercare.carehome_manage"}
# 卫健 officers only (department_only): the family-doctor contracts.
HEALTH_OFFICE = {"health.view", "health.manage", "health.import", "health.reveal"}
# 社会组织 (三社联动): 民政 officers run the registry, the incubation centre, purchases and claims; the leader reads
# and decides the award; a committee worker reads the organisations serving his committee and records the claims of
# his committee's projects. Staff of these three may sit on a review panel (scoring needs the panel to name them).
SOCIALORGS_READ = {"socialorgs.view", "socialorgs.score"}
SOCIALORGS_OFFICE = SOCIALORGS_READ | {"socialorgs.manage", "socialorgs.claims"}

# 活动与节庆: the 街道 and the committees organise events (registration, check-in, photos) and receive delegations.
EVENTS = {"events.view", "events.manage", "events.register"}
# 志愿服务: volunteers, residents and committee workers take part with their own login; organising and the
# 志愿中心's work are limited in the services to the teams a user administers (the leader: his 街道).
VOLUNTEERING = {"volunteers.view", "volunteers.serve"}
ORGANISING = {"volunteers.organise", "volunteers.manage"}
# 指标与考核: the 街道 leader approves entered values, certifies eco households and organises assessments; committee
# workers enter their committee's values and put households forward; the leader and back-office officers sit on
# assessment panels as experts.
TARGETS_READ = {"targets.view"}
# 综合治理: the 街道 leader runs the committees' office (meetings, decisions, closing a 顽症); the command centre's
# shift leader keeps the 顽症 ledger with him; a department officer reads and acts on his department's tasks.
GOVERNANCE_OFFICE = {"governance.view", "governance.manage", "governance.ledger"}
# 社会监督评议: the outside evaluators see and score only their own inspections (no tree, no cases, no residents);
# the 综管委办 (leader, shift leader) schedules them and answers disputes; a department officer reads his department's
# published scores and composite and disputes a score.
EVALUATOR = BASE | {"evaluators.view", "evaluators.schedule", "evaluators.inspect"}
EVALUATION_OFFICE = {"evaluators.view", "evaluators.schedule", "evaluators.manage", "evaluators.composite"}

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
                          "acceptance.rota_view", "acceptance.staff_files", "grid.hotline_view", "grid.inspect",
                          "grid.roster", "grid.stats",
                          # The 城运中心's leadership: second-level extensions and parking (挂账) of grid cases.
                          "grid.approve_senior",
                          "grid.view", "people.export", "people.view", "volunteers.view"} | ORGANISING
    # The 街道 runs its facility network (facilities, rooms, hours) and approves the meal settlements; reads the rest.
    | ROOMS | SERVICES_READ | {"facilities.manage", "facilities.operate", "eldercare.settle_approve"}
    # 街道 events and delegations; the leader's cockpit, its exports and the monthly brief.
    | EVENTS | {"cockpit.view"} | SOCIALORGS_READ | {"socialorgs.award"}
    | TARGETS_READ | {"targets.approve", "targets.assess", "targets.score"} | GOVERNANCE_OFFICE | EVALUATION_OFFICE,
    Role.HALL_SUPERVISOR: STAFF | ACCEPTANCE_FRONT | RESIDENTS_AT_WINDOW | {
        "core.view_calendar", "acceptance.catalogue_manage", "acceptance.dashboard", "acceptance.figures",
        "acceptance.rectify", "acceptance.reviews", "acceptance.staff_files", "acceptance.supervise",
        # a second 退回补正 of a case, with its reason
        "acceptance.return_again",
        # publishes the appointment slots residents book on their phones
        "portal.slots"} | ROOMS,
    Role.WINDOW_CLERK: STAFF | ACCEPTANCE_FRONT | RESIDENTS_AT_WINDOW | {"core.view_calendar"},
    # Back office: its department's cases (acceptance and 大联动); no residents registry.
    Role.DEPT_OFFICER: STAFF | {"core.view_calendar", "acceptance.backoffice", "acceptance.case_view",
                                "acceptance.catalogue", "acceptance.rectify", "acceptance.reviews", "grid.handle",
                                "grid.hotline_task", "grid.roster", "grid.view"} | ROOMS | CIVIL_AFFAIRS | HEALTH_OFFICE
    | SOCIALORGS_OFFICE | TARGETS_READ | {"targets.score"} | {"governance.view", "governance.task"}
    | {"evaluators.view", "evaluators.dispute", "evaluators.composite"},
    # Also answers the 96980 service hotline: books a room or orders a meal for a caller.
    Role.OPS_OPERATOR: STAFF | CENTRE | {"grid.accept", "grid.close", "grid.evaluate", "grid.file",
                                         "grid.manage_grids"} | ROOMS | {"eldercare.order", "helpline.operate",
                                                                          "helpline.view"},
    Role.DISPATCHER: STAFF | CENTRE | {"grid.dispatch"},
    Role.SHIFT_LEADER: STAFF | CENTRE | {"grid.accept", "grid.approve", "grid.close", "grid.dispatch", "grid.evaluate",
                                         "grid.file", "grid.inspect", "grid.manage_grids", "grid.roster_manage",
                                         "governance.view", "governance.ledger"} | EVALUATION_OFFICE,
    Role.PATROL: STAFF | FIELD,
    Role.INSPECTOR: STAFF | FIELD,
    # The committee's own residents: register, import, export (masked), reveal with a reason; handle its cases.
    # Its residents' meals, care-home applications and family-doctor contracts; reads the supermarket and 96980.
    Role.COMMITTEE_WORKER: STAFF | RESIDENTS_AT_WINDOW | {"people.import", "people.export", "grid.handle",
                                                          "grid.hotline_task", "grid.report", "grid.roster",
                                                          "grid.view"} | ROOMS
    | HEALTH_OFFICE | {"charity.view", "eldercare.view", "eldercare.enrol", "eldercare.order", "eldercare.carehome_view",
                       "eldercare.carehome_apply", "helpline.view"} | EVENTS | VOLUNTEERING | ORGANISING
    | SOCIALORGS_READ | {"socialorgs.claims"} | TARGETS_READ | {"targets.enter"},
    # Runs his facilities (rooms, the kitchen, day-care days, the care home's beds, the supermarket) and takes
    # 96980 calls at the 服务办; no residents registry, no cases.
    Role.FACILITY_OPERATOR: STAFF | ROOMS | {
        "facilities.operate", "charity.operate", "charity.view", "eldercare.view", "eldercare.kitchen",
        "eldercare.attendance", "eldercare.daycare", "eldercare.daycare_view", "eldercare.health_export",
        "eldercare.carehome_view", "eldercare.carehome_manage", "helpline.operate", "helpline.view"},
    # An organiser places an activity in a bookable room: the booking is his (like a resident's own booking).
    Role.VOLUNTEER: STAFF | VOLUNTEERING | ORGANISING | {"facilities.book"},
    # 区12345热线办: reads the 12345 orders of its district and decides the 街道's 退单/延期 requests; nothing else.
    Role.HOTLINE_OFFICE: STAFF | {"grid.hotline_view", "grid.hotline_decide"},
    # Their own pages: bookings, reports, cases, reviews — only their own and their family's.
    Role.RESIDENT: BASE | {"portal.use", "facilities.book", "events.register"} | VOLUNTEERING,
    Role.NPC_DEPUTY: EVALUATOR,
    Role.ETHICS_MONITOR: EVALUATOR,
    Role.INSPECTION_TEAM: EVALUATOR,
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
