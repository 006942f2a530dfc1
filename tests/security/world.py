"""The data the security tests run against, built once per module through the product's own services.

One persona per role (all 19 of `Role`), scoped as the role is in a real 街道: centre and hall staff, the leader
and the 民政 back-office officer to 延吉新村街道; the committee worker and the volunteer to 敦化路居委会; the three
administrators and the resident to nothing. Every kind of object the API exposes exists in up to three places:

- ``in``      敦化路居委会 / 延吉新村街道 / the 民政 department: inside the scope of every persona that works on it;
- ``sibling`` 控江路645弄居委会, or (acceptance) the 城管 department of the same 街道: visible to 街道-level staff,
              not to a 敦化路 worker or a 民政 officer;
- ``away``    殷行街道: outside every persona's scope.

Room bookings also have an ``own`` one: the resident persona's, in the 敦化路 facility.
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
        Role.HOTLINE_OFFICE: (sub, None),  # a district office in the product; one 街道 here, like the others
        Role.RESIDENT: (None, None),
        # Outside evaluators (社会监督评议) belong to the 街道 they inspect.
        Role.NPC_DEPUTY: (sub, None), Role.ETHICS_MONITOR: (sub, None), Role.INSPECTION_TEAM: (sub, None),
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
    # 全市通办 transfers (收受分离): 延吉 → 殷行 (in, still to send), 殷行 → an outside centre (away); a paper batch
    # of each centre.
    tongban = centre["long"]
    tongban.tongban, tongban.separated = True, True
    tongban.save()
    outside = {"outside": "浦东新区潍坊新村街道社区事务受理服务中心"}
    courier = {"courier_name": "周师傅", "courier_phone": "13912345678"}
    objects["transfer"] = {
        "in": intake(clerk, tongban, 51, home={"node": tree["other_sub"].pk}).transfer,
        "away": intake(other_clerk, tongban, 52, home=outside).transfer,
    }
    objects["transfer_batch"] = {
        "in": acc.batch_create(actor=clerk, transfers=[intake(clerk, tongban, 53, home=outside).transfer], **courier),
        "away": acc.batch_create(actor=other_clerk, transfers=[intake(other_clerk, tongban, 54, home=outside).transfer],
                                 **courier),
    }
    world.secrets.add(courier["courier_phone"])
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

    def hotline_task(actor, subdistrict, committee):  # 内部交办 of a signed order to one of its committees
        from django.utils import timezone

        order = grid.hotline_sign(actor=actor, order=hotline(actor, subdistrict))
        grid.hotline_assign(actor=actor, order=order, assignee=f"committee:{committee.code}",
                            due=timezone.localtime(order.reply_due).date(), instruction="请居委会上门核实")
        return order.tasks.get()

    objects["hotline_task"] = {"in": hotline_task(p[Role.OPS_OPERATOR], tree["sub"], tree["dunhua"]),
                               "away": hotline_task(other_operator, tree["other_sub"], tree["yinxing"])}
    # Objects only the HTML pages name.
    from shequ.acceptance.models import CatalogueImport
    from shequ.core.models import Job
    from shequ.grid.testing import inspection_sheet, sheet_items
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
    # Staff files (六个统一): a training of each centre and the certification it gave.
    from shequ.acceptance.testing import certify

    away_training = certify(other_supervisor, tree["other_sub"], [other_clerk], [centre["dibao"]])
    objects["training"] = {"in": clerk.acceptance_certifications.get(item=centre["dibao"]).session,
                           "away": away_training}
    objects["certification"] = {"in": clerk.acceptance_certifications.get(item=centre["dibao"]),
                                "away": other_clerk.acceptance_certifications.get(item=centre["dibao"])}
    template = inspection_sheet("居民区考评表")
    marks = {item.pk: "20" for item in sheet_items(template)}
    other_leader = make_user(Role.LEADER, [tree["other_sub"]], username="x_leader_yx")
    objects["inspection"] = {
        v: grid.inspection_create(actor=p[Role.LEADER] if v != "away" else other_leader, sheet=template,
                                  title="季度考评", date=START.date(), committee=tree[c], scores=marks)
        for v, c in (("in", "dunhua"), ("sibling", "kongjiang"), ("away", "yinxing"))}
    # Owner-only records: someone else's import is never anyone else's business.
    objects["job"] = {"away": Job.objects.create(kind="people.resident_import", created_by=yinxing_worker,
                                                 filename="x.xlsx")}
    objects["catalogue_import"] = {"away": CatalogueImport.objects.create(created_by=other_supervisor,
                                                                          filename="x.xlsx")}
    world.extra["kongjiang_worker"] = kongjiang_worker
    world.extra["yinxing_worker"] = yinxing_worker
    _portal_objects(world, p, centre)
    _facility_objects(world, p)
    _eldercare_objects(world, p)
    _health_objects(world, p)
    _events_objects(world, p)
    _volunteer_objects(world, p)
    _socialorgs_objects(world, p)
    _target_objects(world)
    _governance_objects(world, p, other_leader)
    _evaluation_objects(world, p, other_leader)
    return world


def _evaluation_objects(world: World, p: dict, other_leader) -> None:
    """社会监督评议: the 人大代表 persona's scheduled inspection of 民政 ("in") and one of 殷行 ("away"); a published
    one of each with a site photo (the photo's page)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.evaluators import selectors as ev_selectors
    from shequ.evaluators import services as ev
    from shequ.targets import services as targets
    from shequ.targets.selectors import Rule, SheetUse

    tree = world.tree
    sheet = targets.sheet_ensure(name="窗口服务行风测评表", use=SheetUse.INSPECT_DEPARTMENT, pass_line=80, sections=[
        ("服务态度", [("文明用语", "", 10, Rule.POINTS, None)])])
    marks = {item.pk: "8" for _s, items in ev_selectors.sheet_layout(sheet) for item in items}
    other_npc = make_user(Role.NPC_DEPUTY, [tree["other_sub"]], username="x_npc_yx")
    day = START.date()

    def photo():
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), "green").save(buffer, "JPEG")
        return SimpleUploadedFile("site.jpg", buffer.getvalue(), content_type="image/jpeg")

    def schedule(actor, evaluator):
        return ev.evaluation_schedule(actor=actor, evaluator=evaluator, sheet=sheet, department=tree["minzheng"],
                                      topic="窗口服务", place="民政科接待窗口", date=day)

    import time_machine

    with time_machine.travel(START, tick=False):
        scheduled = {"in": schedule(p[Role.LEADER], p[Role.NPC_DEPUTY]), "away": schedule(other_leader, other_npc)}
        photos = {}
        for variant, (actor, evaluator) in {"in": (p[Role.LEADER], p[Role.NPC_DEPUTY]),
                                            "away": (other_leader, other_npc)}.items():
            done = ev.evaluation_submit(actor=evaluator, evaluation=schedule(actor, evaluator), marks=marks,
                                        photos=[photo()])
            photos[variant] = done.photos.get()
    world.objects["evaluation"] = scheduled
    world.objects["evaluation_photo"] = photos


def _governance_objects(world: World, p: dict, other_leader) -> None:
    """综合治理: a joint meeting of 延吉 (its decisions: one to 民政 "in", one to 城管 "sibling") and one of 殷行
    ("away"); a 顽症 of each 街道 ("in" and "sibling" in 延吉, "away" in 殷行)."""
    from shequ.core.choices import Role
    from shequ.governance import services as gov
    from shequ.grid import selectors as grid

    tree, leader = world.tree, p[Role.LEADER]
    committee = gov.committee_create(actor=leader, node=tree["sub"], name="城区综合管理委员会", kind="urban")
    away = gov.committee_create(actor=other_leader, node=tree["other_sub"], name="殷行城管委", kind="urban")
    meeting = gov.meeting_create(actor=leader, committee=committee, title="联席会议", date=START.date())
    away_meeting = gov.meeting_create(actor=other_leader, committee=away, title="殷行联席会议", date=START.date())
    world.objects["gov_task"] = {
        "in": gov.task_create(actor=leader, meeting=meeting, title="清运", department=tree["minzheng"],
                              working_days=5),
        "sibling": gov.task_create(actor=leader, meeting=meeting, title="定岗", department=tree["chengguan"],
                                   working_days=5),
        "away": gov.task_create(actor=other_leader, meeting=away_meeting, title="清运", department=tree["minzheng"],
                                working_days=5)}
    category = grid.categories().first()
    world.objects["gov_problem"] = {
        v: gov.problem_create(actor=actor, node=node, title=f"顽症{v}", place="示例路", category=category,
                              description="反复发生", first_seen=START.date())
        for v, actor, node in (("in", leader, tree["sub"]), ("sibling", leader, tree["sub"]),
                               ("away", other_leader, tree["other_sub"]))}


def _target_objects(world: World) -> None:
    """The seed's targets in both 街道s; the API list must show each persona only its own 街道's."""
    from shequ.targets.config import indicators_ensure
    from shequ.targets.models import Indicator

    indicators_ensure(node=world.tree["sub"], start_year=2025, grid_year=2026)
    Indicator.objects.create(node=world.tree["other_sub"], code="away-only", name="殷行专用指标", unit="%",
                             target=50, start_year=2026, end_year=2026, source="entered")


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


def _at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=SH)


def _facility_objects(world: World, p: dict) -> None:
    """设施与场地: a 睦邻中心 of 敦化路 run by the facility operator persona, a 睦邻点 of 控江路 that he does not
    run, and one of 殷行街道, each with a room that needs approval and a pending booking (by the committee worker,
    a 控江 worker, a 殷行 worker), and the resident persona's own pending booking in 敦化路."""
    from shequ.core.choices import Role
    from shequ.facilities import services as fac
    from shequ.facilities.choices import FacilityLevel

    tree = world.tree
    centre = fac.facility_create(actor=p[Role.LEADER], level=FacilityLevel.NEIGHBOURHOOD_CENTRE,
                                 name="敦化路睦邻中心", node=tree["dunhua"], address="敦化路1号")
    point = fac.facility_create(actor=p[Role.LEADER], level=FacilityLevel.NEIGHBOURHOOD_POINT, name="控江睦邻点",
                                node=tree["kongjiang"], address="控江路645弄1号")
    far = fac.facility_create(actor=None, level=FacilityLevel.NEIGHBOURHOOD_POINT, name="殷行一村睦邻点",
                              node=tree["yinxing"], address="殷行路1号")
    for facility in (centre, point, far):
        fac.opening_hours_set(actor=None, facility=facility,
                              periods=[(d, dt.time(8), dt.time(21)) for d in range(7)])
    fac.facility_staff_assign(actor=None, facility=centre, user=p[Role.FACILITY_OPERATOR])
    rooms = {"in": fac.room_create(actor=p[Role.LEADER], facility=centre, name="舞蹈房", capacity=30,
                                   needs_approval=True),
             "sibling": fac.room_create(actor=p[Role.LEADER], facility=point, name="活动室", capacity=20,
                                        needs_approval=True),
             "away": fac.room_create(actor=None, facility=far, name="活动室", capacity=20, needs_approval=True)}
    world.objects["room"] = rooms

    # A resident books in his own 街道: the resident persona is bound to a registry record of 敦化路 (a household of
    # his own, so it gives him no one else to act for).
    from shequ.core.testing import make_resident, valid_id_number
    from shequ.portal import services as portal

    number = valid_id_number(birth=dt.date(1968, 6, 6), seed=67)
    own = make_resident(p[Role.COMMITTEE_WORKER], tree["dunhua"], name="居民甲", id_number=number,
                        household_number="DH-RES-1", relation="head")
    world.secrets.add(number)
    portal.account_bind(account=portal.account_for(p[Role.RESIDENT]), name="居民甲", id_number=number, consent=True)
    p[Role.RESIDENT].__dict__.pop("_shequ_resident_home", None)

    def book(actor, variant, hour):
        return fac.booking_create(actor=actor, room=rooms[variant], start=_at(12, hour), end=_at(12, hour + 1),
                                  purpose="合唱团排练")

    world.objects["booking"] = {"in": book(p[Role.COMMITTEE_WORKER], "in", 14),
                                "own": book(p[Role.RESIDENT], "in", 16),
                                "sibling": book(world.extra["kongjiang_worker"], "sibling", 14),
                                "away": book(world.extra["yinxing_worker"], "away", 14)}
    world.extra["facility_centre"] = centre


def _elder(actor, committee, name: str, seed: int, world: World):
    from shequ.core.testing import make_resident, valid_id_number

    birth = dt.date(1942, 5, 1)
    resident = make_resident(actor, committee, name=name, birth_date=birth, gender="F", hukou_type="registered",
                             id_number=valid_id_number(birth=birth, male=False, seed=seed),
                             phone=f"1360013{seed:04d}")
    world.secrets.update({resident.id_number, resident.phone})
    return resident


def _eldercare_objects(world: World, p: dict) -> None:
    """助餐: a 长者食堂 under the 敦化路 睦邻中心 (so its operator runs it), a 助餐点 of 控江路 and a 长者食堂 of
    殷行街道; an elder of each committee enrolled at his own, with a lunch ordered for Thursday."""
    from decimal import Decimal

    from shequ.core.choices import Role
    from shequ.eldercare import services as eldercare
    from shequ.eldercare.models import Canteen, MealTier
    from shequ.eldercare.tiers import ensure_default_tiers
    from shequ.facilities import services as fac

    tree = world.tree
    ensure_default_tiers(MealTier)
    yinxing_worker = world.extra["yinxing_worker"]
    kitchens = {
        "in": fac.facility_create(actor=p[Role.LEADER], level="canteen", name="敦化路长者食堂", node=tree["dunhua"],
                                  address="敦化路1号1楼", parent=world.extra["facility_centre"]),
        "sibling": fac.facility_create(actor=p[Role.LEADER], level="canteen", name="控江路645弄助餐点",
                                       node=tree["kongjiang"], address="控江路645弄2号"),
        "away": fac.facility_create(actor=None, level="canteen", name="殷行长者食堂", node=tree["yinxing"],
                                    address="殷行路2号"),
    }
    canteens = {v: Canteen.objects.create(facility=f, lunch_price=Decimal("15.00"), dinner_price=Decimal("12.00"),
                                          cutoff_time=dt.time(16, 0), cutoff_days_before=1)
                for v, f in kitchens.items()}
    world.objects["canteen"] = canteens
    elders = {"in": _elder(p[Role.COMMITTEE_WORKER], tree["dunhua"], "王秀英", 71, world),
              "sibling": _elder(world.extra["kongjiang_worker"], tree["kongjiang"], "周玉兰", 73, world),
              "away": _elder(yinxing_worker, tree["yinxing"], "陈桂芳", 72, world)}
    world.objects["elder"] = elders
    actors = {"in": p[Role.COMMITTEE_WORKER], "sibling": world.extra["kongjiang_worker"], "away": yinxing_worker}
    for v, elder in elders.items():
        eldercare.meal_enrol(actor=actors[v], resident=elder, canteen=canteens[v])
    world.objects["meal_order"] = {
        v: eldercare.meal_order_create(actor=actors[v], resident=elder, date=dt.date(2026, 3, 12), meal="lunch",
                                       mode="dine_in") for v, elder in elders.items()}


def _health_objects(world: World, p: dict) -> None:
    """家庭医生签约: one contract of a resident of each committee (敦化路, 控江路, 殷行), all due for renewal."""
    from shequ.core.choices import Role
    from shequ.health.testing import build_health, sign

    health = build_health()
    actors = {"in": p[Role.COMMITTEE_WORKER], "sibling": world.extra["kongjiang_worker"],
              "away": world.extra["yinxing_worker"]}
    world.objects["contract"] = {v: sign(actor, world.obj("resident", v), health, start=dt.date(2025, 4, 1))
                                 for v, actor in actors.items()}


def _events_objects(world: World, p: dict) -> None:
    """活动与节庆: an event of each committee (敦化路, 控江路, 殷行) a week ahead, each with the resident persona's
    registration."""
    from django.utils import timezone

    from shequ.core.choices import Role
    from shequ.events import services as events

    tree = world.tree
    start = timezone.now() + dt.timedelta(days=7)
    places = {"in": (p[Role.COMMITTEE_WORKER], tree["dunhua"]),
              "sibling": (world.extra["kongjiang_worker"], tree["kongjiang"]),
              "away": (world.extra["yinxing_worker"], tree["yinxing"])}
    world.objects["event"] = {v: events.event_create(actor=actor, title=f"读书会{v}", node=node, organiser="居委会",
                                                     start=start, end=start + dt.timedelta(hours=2), capacity=30,
                                                     venue="活动室")
                              for v, (actor, node) in places.items()}
    world.objects["registration"] = {v: events.registration_create(actor=p[Role.RESIDENT], event=e)
                                     for v, e in world.objects["event"].items()}
def _volunteer_objects(world: World, p: dict) -> None:
    """志愿服务: the 延吉 志愿中心 with a standing team ("in", run by the volunteer persona) and the 控江 brand team
    ("sibling"), the 殷行 centre's team ("away"), an upcoming activity of each; the volunteer persona registered."""
    from django.utils import timezone

    from shequ.core.choices import Role
    from shequ.core.testing import make_user, valid_id_number
    from shequ.volunteers import services as vol

    tree = world.tree
    centre = vol.centre_create(actor=None, node=tree["sub"], name="延吉志愿中心", person_in_charge="王中心")
    away_centre = vol.centre_create(actor=None, node=tree["other_sub"], name="殷行志愿中心", person_in_charge="殷")
    teams = {
        "in": vol.team_create(actor=None, centre=centre, name="平安志愿服务队", kind="standing",
                              admins=[p[Role.VOLUNTEER]]),
        "sibling": vol.team_create(actor=None, centre=centre, name="控江红马甲", kind="brand",
                                   committee=tree["kongjiang"]),
        "away": vol.team_create(actor=None, centre=away_centre, name="殷行平安队", kind="standing"),
    }
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=30)
    away_leader = make_user(Role.LEADER, [tree["other_sub"]], username="x_vol_leader_yx")
    world.objects["team"] = teams
    world.objects["activity"] = {
        v: vol.activity_create(actor=away_leader if v == "away" else p[Role.LEADER], team=t, title="平安巡逻", place="敦化路",
                               start=start, end=start + dt.timedelta(hours=2), slots=5)
        for v, t in teams.items()}
    number = valid_id_number(seed=9101)
    world.secrets.add(number)
    vol.volunteer_register(actor=None, user=p[Role.VOLUNTEER], committee=tree["dunhua"], name="林志愿",
                           id_number=number, phone="13900139101", consent=True)
    world.secrets.add("13900139101")
def _socialorgs_objects(world: World, p: dict) -> None:
    """社会组织: an organisation of 延吉新村街道 serving 敦化路, one serving 控江路 and one of 殷行街道; a
    purchased-service project of each 街道, 延吉's in expert review with the leader and the 敦化 worker personas on
    its panel; a claim project of each committee (敦化路, 控江路, 殷行)."""
    import datetime as _dt

    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.socialorgs import services as so

    tree = world.tree
    officer = p[Role.DEPT_OFFICER]
    away_officer = make_user(Role.DEPT_OFFICER, [tree["other_sub"]], tree["minzheng"], username="x_mz_yx")
    third_expert = make_user(Role.LEADER, [tree["sub"]], username="x_leader2")
    orgs = {"in": so.organisation_create(actor=officer, node=tree["sub"], name="敦化助老服务社", kind="community",
                                         contact_phone="13700137001", committees=[tree["dunhua"]]),
            "sibling": so.organisation_create(actor=officer, node=tree["sub"], name="控江睦邻互助会",
                                              kind="community", committees=[tree["kongjiang"]]),
            "away": so.organisation_create(actor=away_officer, node=tree["other_sub"], name="殷行读书会",
                                           kind="community", committees=[tree["yinxing"]])}
    world.secrets.add("13700137001")
    world.objects["org"] = orgs
    projects = {}
    for variant, actor, node, org in (("in", officer, tree["sub"], orgs["in"]),
                                      ("away", away_officer, tree["other_sub"], orgs["away"])):
        project = so.project_create(actor=actor, node=node, title="睦邻中心管理", category="社区服务",
                                    need="委托管理。", budget="100000")
        if variant == "in":
            so.project_experts_set(actor=actor, project=project,
                                   experts=[p[Role.LEADER], p[Role.COMMITTEE_WORKER], third_expert])
        so.project_publish(actor=actor, project=project, call_deadline=_dt.date(2099, 1, 1))
        world.extra[f"so_proposal_{variant}"] = so.proposal_submit(actor=actor, project=project, organisation=org,
                                                                   summary="方案", budget="90000")
        if variant == "in":
            so.project_close_call(actor=actor, project=project)
            project.refresh_from_db()
        projects[variant] = project
    world.objects["so_project"] = projects
    world.objects["claim_project"] = {
        "in": so.claim_project_create(actor=p[Role.COMMITTEE_WORKER], node=tree["dunhua"], title="暑托班",
                                      description="暑期托管"),
        "sibling": so.claim_project_create(actor=officer, node=tree["kongjiang"], title="助老餐桌",
                                           description="助餐"),
        "away": so.claim_project_create(actor=away_officer, node=tree["yinxing"], title="读书角",
                                        description="图书")}
