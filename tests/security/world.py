"""The data the security tests run against, built once per module through the product's own services.

One persona per role (all 16 of `Role`), scoped as the role is in a real 街道: centre and hall staff, the leader
and the 民政 back-office officer to 延吉新村街道; the committee worker and the volunteer to 敦化路居委会; the three
administrators and the resident to nothing. Every kind of object the API exposes exists in up to three places:

- ``in``      敦化路居委会 / 延吉新村街道 / the 民政 department: inside the scope of every persona that works on it;
- ``sibling`` 控江路645弄居委会, or (acceptance) the 城管 department of the same 街道: visible to 街道-level staff,
              not to a 敦化路 worker or a 民政 officer;
- ``away``    殷行街道: outside every persona's scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")
# A Tuesday inside the working periods, in a year the holiday calendar covers; every deadline stays in 2026.
START = dt.datetime(2026, 3, 10, 9, 30, tzinfo=SH)

VARIANTS = ("in", "sibling", "away")

# Points inside the grids below (WGS84 lat, lng).
POINTS = {"in": (31.2775, 121.5325), "sibling": (31.2775, 121.5375), "away": (31.3225, 121.6025)}


@dataclass
class Persona:
    key: str  # the role value
    user: object
    scope: str | None  # "sub" (延吉新村街道), "dunhua" (敦化路居委会) or None
    department: str | None = None  # department code (MZ for the officer)
    client: object = None  # an APIClient authenticated as the user (token or, for admin roles, session + 2FA)
    html: object = None  # a Django test Client logged in as the user
    token: str = ""  # its API token (not for the admin roles: they get none)

    def can(self, capability: str) -> bool:
        return self.user.can(capability)

    def has(self, capabilities) -> bool:
        return all(self.user.can(c) for c in capabilities)

    @property
    def is_unit_handler(self) -> bool:
        from shequ.core.choices import Role

        return self.user.role == Role.DEPT_OFFICER and bool(self.department)


@dataclass
class World:
    tree: dict
    personas: dict  # role value → Persona
    objects: dict = field(default_factory=dict)  # kind → {variant: object}
    extra: dict = field(default_factory=dict)
    secrets: set = field(default_factory=set)  # plaintext ID numbers and phones that no API answer may contain
    device_token: str = ""

    def obj(self, kind: str, variant: str = "in"):
        return self.objects[kind][variant]


def _persona_specs(tree):
    from shequ.core.choices import Role

    sub, dunhua, mz = tree["sub"], tree["dunhua"], tree["minzheng"]
    return {
        Role.SYSADMIN: (None, None), Role.SECADMIN: (None, None), Role.AUDITOR: (None, None),
        Role.LEADER: (sub, None), Role.HALL_SUPERVISOR: (sub, None), Role.WINDOW_CLERK: (sub, None),
        Role.DEPT_OFFICER: (sub, mz), Role.OPS_OPERATOR: (sub, None), Role.DISPATCHER: (sub, None),
        Role.SHIFT_LEADER: (sub, None), Role.PATROL: (sub, None), Role.INSPECTOR: (sub, None),
        Role.COMMITTEE_WORKER: (dunhua, None), Role.FACILITY_OPERATOR: (sub, None), Role.VOLUNTEER: (dunhua, None),
        Role.RESIDENT: (None, None),
    }


def _token_client(user):
    from rest_framework.test import APIClient

    from shequ.core.testing import PASSWORD

    client = APIClient()
    answer = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert answer.status_code == 200, (user.username, answer.content)
    token = answer.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client, token


def build_world() -> World:
    """Build everything; call inside a transaction that the caller rolls back."""
    from django.test import Client
    from rest_framework.test import APIClient

    from shequ.acceptance import services as acc
    from shequ.acceptance.models import Device
    from shequ.acceptance.testing import build_centre
    from shequ.core import services as core_services
    from shequ.core.choices import ADMIN_ROLES, DepartmentKind, NodeKind, Role
    from shequ.core.models import Department
    from shequ.core.testing import build_tree, login, make_resident, make_user, valid_id_number
    from shequ.grid import services as grid
    from shequ.grid import spatial
    from shequ.grid.models import WorkStation
    from shequ.grid.taxonomy import ensure_process_limits, ensure_taxonomy
    from shequ.people.services import tags_ensure_defaults

    tags_ensure_defaults()
    tree = build_tree()
    square = lambda x0, y0: {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + 0.005, y0], [x0 + 0.005, y0 + 0.005],  # noqa: E731
                                                                  [x0, y0 + 0.005], [x0, y0]]]}
    tree["grid_yinxing"] = core_services.node_create(actor=None, kind=NodeKind.GRID, code="31011001600101",
                                                     name="殷行第1网格", parent=tree["yinxing"],
                                                     geometry=square(121.600, 31.320))
    spatial.clear()

    # --- personas: one per role ------------------------------------------------------------------------------
    personas: dict[str, Persona] = {}
    for role, (node, department) in _persona_specs(tree).items():
        user = make_user(role, [node] if node else [], department, username=f"p_{role}")
        scope = None if node is None else ("sub" if node == tree["sub"] else "dunhua")
        token = ""
        if role in ADMIN_ROLES:
            client = login(APIClient(), user)  # admin roles get no API token: session + second factor
        else:
            client, token = _token_client(user)
        html = login(Client(), user)
        personas[role] = Persona(role, user, scope, department.code if department else None, client, html, token)
    p = {r: personas[r].user for r in personas}
    # Helpers who are not under test (other 街道, other department).
    yinxing_worker = make_user(Role.COMMITTEE_WORKER, [tree["yinxing"]], username="x_yinxing")
    kongjiang_worker = make_user(Role.COMMITTEE_WORKER, [tree["kongjiang"]], username="x_kongjiang")
    other_inspector = make_user(Role.INSPECTOR, [tree["other_sub"]], username="x_inspector_yx")
    other_operator = make_user(Role.OPS_OPERATOR, [tree["other_sub"]], username="x_operator_yx")
    other_supervisor = make_user(Role.HALL_SUPERVISOR, [tree["other_sub"]], username="x_supervisor_yx")

    world = World(tree=tree, personas=personas)
    objects = world.objects

    # --- residents ---------------------------------------------------------------------------------------------
    objects["resident"] = {
        "in": make_resident(p[Role.COMMITTEE_WORKER], tree["dunhua"], name="张阿姨", phone="13800138001",
                            household_number="DH-0001"),
        "sibling": make_resident(kongjiang_worker, tree["kongjiang"], name="王老伯", phone="13800138002",
                                 household_number="KJ-0001"),
        "away": make_resident(yinxing_worker, tree["yinxing"], name="李先生", phone="13800138003",
                              household_number="YX-0001"),
    }
    for r in objects["resident"].values():
        world.secrets.update({r.id_number, r.phone})
    objects["household"] = {v: r.household for v, r in objects["resident"].items()}

    # --- acceptance centre -------------------------------------------------------------------------------------
    centre_personas = {"clerk": p[Role.WINDOW_CLERK], "officer": p[Role.DEPT_OFFICER]}
    centre = build_centre(tree, centre_personas)
    world.extra["centre"] = centre
    away_window = acc.window_save(actor=other_supervisor, node=tree["other_sub"], number=9, name="综合受理",
                                  categories=[centre["A"]])
    objects["window"] = {"in": centre["w1"], "away": away_window}
    objects["item"] = {"in": centre["dibao"]}
    objects["category"] = {"in": centre["A"]}
    clerk, other_clerk = p[Role.WINDOW_CLERK], centre["other_clerk"]
    objects["ticket"] = {
        "in": acc.ticket_issue(node=tree["sub"], category="A", actor=clerk),
        "away": acc.ticket_issue(node=tree["other_sub"], category="A", actor=other_clerk),
    }

    def visitor(seed):
        person = {"name": "王访客", "id_number": valid_id_number(seed=seed), "phone": f"1390013{seed:04d}"}
        world.secrets.update({person["id_number"], person["phone"]})
        return person

    def intake(actor, item, seed, **kw):
        return acc.case_intake(actor=actor, item=item, decision="accept", applicant=visitor(seed),
                               provided=[m.pk for m in item.materials.all()], **kw)

    objects["acc_case"] = {
        "in": intake(clerk, centre["dibao"], 11),
        "sibling": intake(clerk, centre["cg_item"], 12),  # 城管's case: not the 民政 officer's
        "away": intake(other_clerk, centre["dibao"], 13),
    }
    review_cases = {"in": intake(clerk, centre["dibao"], 21), "sibling": intake(clerk, centre["cg_item"], 22),
                    "away": intake(other_clerk, centre["dibao"], 23)}
    for variant, case in review_cases.items():  # decided by the department, so a poor review is the department's
        officer = centre["officer_other"] if variant == "sibling" else centre["officer"]
        review_cases[variant] = acc.case_approve(actor=officer, case=case)
    objects["review"] = {v: acc.review_submit(score=1, channel="web", case=c, comment="审批时间太长")
                         for v, c in review_cases.items()}
    objects["rect"] = {v: r.rectification for v, r in objects["review"].items()}
    assert objects["rect"]["in"].department == tree["minzheng"] and objects["rect"]["sibling"].department_id
    world.extra["review_cases"] = {v: intake(clerk if v != "away" else other_clerk,
                                             centre["dibao"] if v != "sibling" else centre["cg_item"], 30 + i)
                                   for i, v in enumerate(VARIANTS)}  # not yet rated: targets of POST /reviews/
    objects["archive"] = {
        "in": acc.archive_request_create(actor=clerk, record_type="marriage", relation="self",
                                         id_check="card_reader", purpose="办理退休手续", requester=visitor(41)),
        "away": acc.archive_request_create(actor=other_clerk, record_type="marriage", relation="self",
                                           id_check="card_reader", purpose="办理退休手续", requester=visitor(42)),
    }
    device, code = acc.device_create(actor=p[Role.HALL_SUPERVISOR], node=tree["sub"], name="取号机1",
                                     kind="kiosk")
    _device, world.device_token = acc.device_pair(code=code, source="security-tests")
    assert Device.objects.filter(pk=device.pk, is_active=True).exists()

    # --- 大联动 ---------------------------------------------------------------------------------------------------
    ensure_taxonomy()
    ensure_process_limits()
    station = Department.objects.create(code="GZZ01", name="敦化路居民区网格工作站", short_name="敦化路工作站",
                                        kind=DepartmentKind.WORK_STATION, node=tree["dunhua"])
    WorkStation.objects.create(department=station, committee=tree["dunhua"])

    def report(actor, variant, **kw):
        lat, lng = POINTS[variant]
        return grid.case_report(actor=actor, category="E0102", source="patrol", description="绿化带边有暴露垃圾",
                                lat=lat, lng=lng, address="示例路100号", **kw)

    inspector, shift, dispatcher = p[Role.INSPECTOR], p[Role.SHIFT_LEADER], p[Role.DISPATCHER]
    in_case = report(inspector, "in")
    in_case = grid.case_transition(actor=shift, case=in_case, action="file")
    in_case = grid.case_transition(actor=dispatcher, case=in_case, action="dispatch", unit=tree["minzheng"])
    objects["grid_case"] = {"in": in_case, "sibling": report(inspector, "sibling"),
                            "away": report(other_inspector, "away")}
    # Reported cases: targets of a merge.
    world.extra["merge_targets"] = {"in": report(inspector, "in"), "sibling": report(inspector, "sibling"),
                                    "away": report(other_inspector, "away")}
    world.extra["merge_source"] = report(inspector, "in")  # a reported case, which may be merged into another
    order = 0

    def hotline(actor, subdistrict):
        nonlocal order
        order += 1
        phone = f"1370013{order:04d}"
        world.secrets.add(phone)
        return grid.hotline_receive(actor=actor, subdistrict=subdistrict, data={
            "order_no": f"SEC-{order:04d}", "content": "楼道堆物影响通行", "caller_name": "赵女士",
            "caller_phone": phone, "address": "示例路1号"})

    objects["hotline"] = {"in": hotline(p[Role.OPS_OPERATOR], tree["sub"]),
                          "away": hotline(other_operator, tree["other_sub"])}
    world.extra["hotline_targets"] = {"in": hotline(p[Role.OPS_OPERATOR], tree["sub"]),
                                      "away": hotline(other_operator, tree["other_sub"])}
    # Objects only the HTML pages name.
    from shequ.acceptance.models import CatalogueImport
    from shequ.core.models import Job
    from shequ.grid.models import InspectionTemplate
    from shequ.grid.tests.conftest import jpeg, upload

    photo_cases = {v: report(inspector if v != "away" else other_inspector, v,
                             photos=[upload(jpeg().getvalue(), f"{v}.jpg")]) for v in VARIANTS}
    photo_cases["in"] = grid.case_transition(actor=shift, case=photo_cases["in"], action="file")
    grid.case_transition(actor=dispatcher, case=photo_cases["in"], action="dispatch", unit=tree["minzheng"])
    objects["photo"] = {v: c.photos.get() for v, c in photo_cases.items()}
    objects["grid"] = {"in": tree["grid_dunhua"], "sibling": tree["grid_kongjiang"], "away": tree["grid_yinxing"]}
    away_device, _code = acc.device_create(actor=other_supervisor, node=tree["other_sub"], name="取号机9",
                                           kind="kiosk")
    objects["device"] = {"in": device, "away": away_device}
    objects["clerk"] = {"in": clerk, "away": other_clerk}
    template = InspectionTemplate.objects.create(name="居民区考评表", target="area")
    other_leader = make_user(Role.LEADER, [tree["other_sub"]], username="x_leader_yx")
    objects["inspection"] = {
        v: grid.inspection_create(actor=p[Role.LEADER] if v != "away" else other_leader, template=template,
                                  title="季度考评", date=START.date(), committee=tree[c], scores={})
        for v, c in (("in", "dunhua"), ("sibling", "kongjiang"), ("away", "yinxing"))}
    # Owner-only records: someone else's import is never anyone else's business.
    objects["job"] = {"away": Job.objects.create(kind="people.resident_import", created_by=yinxing_worker,
                                                 filename="x.xlsx")}
    objects["catalogue_import"] = {"away": CatalogueImport.objects.create(created_by=other_supervisor,
                                                                          filename="x.xlsx")}
    world.extra["kongjiang_worker"] = kongjiang_worker
    world.extra["yinxing_worker"] = yinxing_worker
    _portal_objects(world, p, centre)
    return world


def _portal_objects(world: World, p: dict, centre: dict) -> None:
    """居民端: a slot, the resident persona's own appointment ("in") and another resident's ("away")."""
    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.portal import services as portal

    slot = portal.slot_publish(actor=p[Role.HALL_SUPERVISOR], node=world.tree["sub"],
                               date=START.date() + dt.timedelta(days=7), start=dt.time(9), end=dt.time(10),
                               category=centre["B"], capacity=10)
    mine = portal.account_for(p[Role.RESIDENT])
    theirs = portal.account_for(make_user(Role.RESIDENT, username="x_resident_other"))
    book = lambda account: portal.appointment_book(account=account, slot_id=slot.pk,  # noqa: E731
                                                   item_id=centre["dibao"].pk)
    world.objects["appointment"] = {"in": book(mine), "away": book(theirs)}
    world.extra["slot"] = slot
