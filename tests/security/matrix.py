"""The authorization policy of the API, one entry per operation, from which the expected answer of every role on
every object is derived.

An entry says which capabilities the endpoint checks before it looks the object up (`gate`), which it checks
after (`act`), what kind of object its URL names (`obj`) or its body refers to (`ref`), and, for a list, which
kind of object its rows are (`rows`). The capabilities themselves come from the real grants (`registry.py` of each
app), so the expectations follow the grants:

- a role without a gate capability                     → 403 (whatever the object);
- an object the role cannot see (other committee, other 街道, other department)
                                                       → 404 for an object in the URL, and never a 2xx for an
                                                         object named in the body;
- a role without an `act` capability on an object it sees → 403;
- otherwise the call passes authorization: 2xx, or a refusal on the merits (400/409/412), never 401/403/404;
- anonymous (and a bogus token)                        → 401/403; a paired kiosk may only take a number.

A list never contains an object the role cannot see and does contain those it can.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from shequ.core.choices import Role

from .world import POINTS, Persona, World

ALLOWED = frozenset({200, 201, 204, 400, 409, 412})  # passed authorization (a refusal on the merits is fine)
FORBIDDEN = frozenset({403})
HIDDEN = frozenset({404})
NOT_2XX_REF = frozenset({400, 403, 404, 409})  # a body naming an object the caller cannot see
ANONYMOUS = frozenset({401, 403})


@dataclass(frozen=True)
class Spec:
    gate: tuple = ()  # capabilities checked before the object is looked up
    obj: str | None = None  # kind of the object in the URL
    act: tuple = ()  # capabilities checked once the object is found
    ref: str | None = None  # kind of the object the body names (creates, merge targets)
    rows: str | None = None  # list endpoint: kind of its rows
    body: Callable | dict | None = None  # body(world, persona, variant) → JSON body
    query: dict | Callable = field(default_factory=dict)  # or query(world, variant) → dict, with `qobj`
    qobj: str | None = None  # kind of the object the query string names (answered like one in the URL)
    refine: Callable | None = None  # refine(world, persona, variant) → expected set, for rules beyond the grants
    check: Callable | None = None  # check(world, persona, response) → list of problems (extra assertions)
    public: bool = False  # needs no authentication (the token endpoint)
    device: bool = False  # a paired kiosk may call it
    reveals: bool = False  # the one place plaintext personal data may appear (audited reveal)
    oracle: bool = False  # a body naming an object out of scope must be answered exactly like a missing one
    ref_path: Callable | None = None  # ref_path(world) → URL kwargs of the object the body-variant runs act on
    ref_path_kind: str | None = None  # its kind, for who sees it (default: `obj`)
    ends_credentials: bool = False  # the call revokes the caller's own token (logout): nothing left to replay with


# --- who sees what ---------------------------------------------------------------------------------------------

def visible(world: World, kind: str, persona: Persona, variant: str) -> bool:
    """Whether `persona` (holding the capabilities to look) sees the `variant` object of `kind`."""
    scope = persona.scope
    if kind in _SERVICE_KINDS:
        return _SERVICE_KINDS[kind](persona, variant)
    if variant == "away":
        return False
    if kind in ("resident", "household", "grid_loc"):  # tied to a committee
        return scope == "sub" or (scope == "dunhua" and variant == "in")
    if kind == "grid_case_new":  # a case just reported: not yet any department's
        return not persona.is_unit_handler and visible(world, "grid_case", persona, variant)
    if kind == "grid_case":
        if persona.is_unit_handler:  # a department sees the cases assigned to it (the "in" case: 民政)
            return variant == "in" and persona.department == "MZ"
        return scope == "sub" or (scope == "dunhua" and variant == "in")
    if kind == "acc_case":  # the "sibling" case is 城管's
        if scope != "sub":
            return False
        if persona.can("acceptance.cases_all"):
            return True
        return persona.can("acceptance.backoffice") and persona.department == "MZ" and variant == "in"
    if kind in ("review", "rect"):
        if scope != "sub":
            return False
        if persona.can("acceptance.supervise"):
            return True
        return persona.department == "MZ" and variant == "in"
    if kind in ("ticket", "window", "archive", "hotline", "training", "certification"):  # tied to the 街道
        return scope == "sub"
    if kind in ("transfer", "transfer_batch"):  # the sending and the home centre's staff (both 街道-level)
        return scope == "sub"
    if kind == "item":  # the catalogue is district-wide
        return True
    if kind == "appointment":  # a resident's own record: only its owner sees it
        return persona.key == Role.RESIDENT and variant == "in"
    raise KeyError(kind)


def _committee_tied(persona, variant):
    if variant == "away":  # 殷行街道
        return False
    return persona.scope == "sub" or (persona.scope == "dunhua" and variant == "in")


def _is_operator(persona):
    return persona.key == Role.FACILITY_OPERATOR


def _room(persona, variant):
    """An operator sees the rooms of the facility he runs (FacilityStaff), other staff those of their
    jurisdiction, a resident the rooms open to residents in his own 街道 (he is bound to a resident of 敦化路:
    the 敦化路 and 控江路 rooms, not 殷行's)."""
    if persona.key == Role.RESIDENT:
        return variant in ("in", "sibling")
    if _is_operator(persona):
        return variant == "in"
    return _committee_tied(persona, variant)


def _booking(persona, variant):
    """A resident sees only his own booking; staff the bookings of the facilities they see."""
    if persona.key == Role.RESIDENT:
        return variant == "own"
    if _is_operator(persona):
        return variant in ("in", "own")
    return _committee_tied(persona, "in" if variant == "own" else variant)


def _by_canteen(persona, variant):
    """Canteens, and orders to an operator: the facilities he runs (the 敦化路 canteen hangs off his 睦邻中心);
    other staff: their jurisdiction. A resident sees only his household's orders (the persona has none)."""
    if persona.key == Role.RESIDENT:
        return False
    if _is_operator(persona):
        return variant == "in"
    return _committee_tied(persona, variant)


def _event(persona, variant):
    """A resident sees every open event; staff the events of their jurisdiction."""
    if persona.key == Role.RESIDENT:
        return True
    return _committee_tied(persona, variant)


def _registration(persona, variant):
    """The resident persona registered for every event: he sees his own; staff those of their events."""
    if persona.key == Role.RESIDENT:
        return True
    return _committee_tied(persona, variant)


def _volunteer_service(persona, variant):
    """Teams and activities are public inside a 街道: its staff and volunteers see them all (a committee's too);
    a resident sees every published one."""
    if persona.key == Role.RESIDENT:
        return True
    return variant != "away" and persona.scope in ("sub", "dunhua")


def _so_project(persona, variant):
    """A purchased-service project: the 街道's staff who read 社会组织 work, and the experts of its panel (the
    敦化 worker persona sits on the "in" project's)."""
    if variant != "in":
        return False
    return persona.scope == "sub" or persona.key == Role.COMMITTEE_WORKER


def _org(persona, variant):
    """An organisation: the 街道's staff see its registry; a committee worker those serving his committee."""
    return _committee_tied(persona, variant)


def _gov_task(persona, variant):
    """A 街道's tasks: its staff with governance.view see them all, a department officer only his department's
    (the 民政 persona: the "in" task)."""
    if variant == "away":
        return False
    if persona.key == Role.DEPT_OFFICER:
        return variant == "in"
    return persona.scope == "sub"


def _gov_problem(persona, variant):
    return variant != "away" and persona.scope == "sub"


def _hotline_task(persona, variant):
    """Work handed to the 敦化路 committee (内部交办): its committee worker sees it, and so does the 街道's hotline
    desk (it may withdraw it); nobody else."""
    if variant != "in":
        return False
    return persona.key == Role.COMMITTEE_WORKER or (persona.can("grid.hotline_view") and persona.scope == "sub")


_SERVICE_KINDS = {
    "gov_task": _gov_task, "gov_problem": _gov_problem,
    "event": _event, "registration": _registration,
    "team": _volunteer_service, "activity": _volunteer_service,
    "so_project": _so_project, "org": _org, "claim_project": _committee_tied,
    "room": _room, "booking": _booking, "canteen": _by_canteen, "meal_order": _by_canteen,
    "elder": _committee_tied, "contract": _committee_tied, "hotline_task": _hotline_task,
}


def url_kwargs(world: World, kind: str, variant: str) -> dict:
    obj = world.obj(kind, variant)
    if kind == "window":
        return {"number": obj.number}
    return {"pk": obj.pk}


def object_id(kind: str, row: dict):
    return row.get("id")


# --- bodies ------------------------------------------------------------------------------------------------------

def _resident_body(world, persona, variant):
    r = world.obj("resident", "in")
    committee = world.obj("resident", variant).committee.code
    return {"name": "新居民", "id_number": _fresh_id(), "phone": "", "committee": committee, "address": "示例路1号"}


def _resident_put(world, persona, variant):
    r = world.obj("resident", variant)
    return {"name": r.name, "id_number": r.id_number, "committee": r.committee.code, "address": r.address,
            "note": "核对"}


_ids = iter(range(500, 10_000))


def _fresh_id():
    from shequ.core.testing import valid_id_number

    return valid_id_number(seed=next(_ids))


MISSING = "missing"  # a body variant naming an object that does not exist


def _resident_pk(world, variant):
    return 10 ** 9 if variant == MISSING else world.obj("resident", variant).pk


def _acc_case_body(world, persona, variant):
    item = world.extra["centre"]["dibao"]
    return {"item": item.code, "decision": "accept", "applicant_resident": _resident_pk(world, variant),
            "materials": [m.pk for m in item.materials.all()]}


def _review_body(world, persona, variant):
    number = "SL209901010001" if variant == MISSING else world.extra["review_cases"][variant].number
    return {"case": number, "score": 5}


def _archive_body(world, persona, variant):
    return {"record_type": "marriage", "relation": "self", "id_check": "card_reader", "purpose": "办理退休手续",
            "requester_resident": _resident_pk(world, variant)}


def _grid_case_body(world, persona, variant):
    lat, lng = POINTS[variant]
    return {"category": "E0102", "description": "路边暴露垃圾", "lat": lat, "lng": lng, "address": "示例路2号"}


def _hotline_body(world, persona, variant):
    lat, lng = POINTS[variant]
    return {"order_no": f"SEC-NEW-{persona.key}-{variant}", "content": "噪声扰民", "lat": lat, "lng": lng}


GRID_BODIES = {
    "dispatch": {"unit": "MZ"}, "redispatch": {"unit": "CGZF", "note": "改派城管"},
    "request_return": {"note": "不属于本单位职责"}, "request_extension": {"hours": 8, "note": "需要协调"},
    "escalate": {"note": "需要街道协调"}, "feedback": {"note": "已处置完毕"}, "void": {"note": "重复上报"},
    "verify_false": {"note": "现场无此问题"}, "check_fail": {"note": "未处置到位"}, "request_park": {"note": "需专项资金"},
    "approve_park": {"review_on": "2026-06-01"}, "reject_park": {"note": "不予挂账"},
    "reject_return": {"note": "属于本单位"}, "reject_extension": {"note": "不予延期"}, "evaluate": {"satisfaction": "satisfied"},
    "note": {"note": "已电话联系"},
}


def _grid_merge_body(world, persona, variant):
    return {"target": "310110015-20990101-9999" if variant == MISSING else world.extra["merge_targets"][variant].number}


def _hotline_merge_body(world, persona, variant):
    return {"target": "SEC-9999" if variant == MISSING else world.extra["hotline_targets"][variant].order_no}


# --- rules beyond the grants -----------------------------------------------------------------------------------

def _grid_unit_action(world, persona, variant):
    """Sign / return / feedback / extension / escalate: only the unit the case is with (民政 for "in"); another
    unit gets 403, or 409 when the case is not in a state for the step at all."""
    from shequ.grid.services import acting_unit

    unit = acting_unit(persona.user)
    if unit is not None and unit.pk == world.obj("grid_case", variant).unit_id:
        return ALLOWED
    return frozenset({403, 409})


def _grid_escalate(world, persona, variant):
    """Escalating to the 街道 is for the committee's work station, when the case is with it."""
    from shequ.core.choices import DepartmentKind

    allowed = _grid_unit_action(world, persona, variant)
    unit = persona.user.department
    if allowed is ALLOWED and (unit is None or unit.kind != DepartmentKind.WORK_STATION):
        return frozenset({403})
    return allowed


def _grid_self_handle(world, persona, variant):
    """Only the committee's work station may close a case itself."""
    return ALLOWED if persona.user.role == Role.COMMITTEE_WORKER else frozenset({403, 409})


def _acc_complete(world, persona, variant):
    """办结: an accepted 即办件 at the window only; once decided, the window or the deciding department."""
    from shequ.acceptance.choices import CaseStatus

    if persona.can("acceptance.intake"):
        return ALLOWED
    if persona.can("acceptance.backoffice") and world.obj("acc_case", variant).status != CaseStatus.ACCEPTED:
        return ALLOWED
    return FORBIDDEN


def _rect_step(step):
    def rule(world, persona, variant):
        if step in ("uphold", "dismiss") and not persona.can("acceptance.supervise"):
            return FORBIDDEN
        return ALLOWED

    return rule


# --- extra checks on answers -----------------------------------------------------------------------------------

def _check_me(world, persona, response):
    body = response.json()
    expected = {"sub": [world.tree["sub"].code], "dunhua": [world.tree["dunhua"].code], None: []}[persona.scope]
    problems = []
    if body.get("role") != persona.key or body.get("scope") != expected:
        problems.append(f"/me/ says role={body.get('role')} scope={body.get('scope')}, expected {expected}")
    return problems


def _check_grids(world, persona, response):
    codes = {f["properties"]["code"] for f in response.json().get("features", [])}
    allowed = {world.tree["grid_dunhua"].code}
    if persona.scope == "sub":
        allowed.add(world.tree["grid_kongjiang"].code)
    if persona.scope is None:
        allowed = set()
    return [f"grids outside scope: {sorted(codes - allowed)}"] if codes - allowed else []


def _check_indicators(world, persona, response):
    keys = {str(r.get("key")) for r in response.json().get("rows", [])}
    outside = {world.tree["yinxing"].code, world.tree["yinxing"].name} & keys
    if persona.scope == "dunhua":
        outside |= {world.tree["kongjiang"].code, world.tree["kongjiang"].name} & keys
    return [f"indicator rows of committees outside scope: {sorted(outside)}"] if outside else []


# --- the registry: every API operation ---------------------------------------------------------------------------

R = {}

# core
R["POST core-api:api-token"] = Spec(public=True, body=lambda w, p, v: {"username": p.user.username,
                                                                        "password": "wrong-password"})
R["GET core-api:api-me"] = Spec(check=_check_me)
R["POST core-api:api-logout"] = Spec(ends_credentials=True)
R["POST core-api:api-token-revoke"] = Spec(gate=("core.manage_users",),
                                           body=lambda w, p, v: {"username": w.personas["committee_worker"]
                                                                 .user.username})
_calendar = "calendar needs only authentication: working days are public knowledge"
R["GET core-api:api-add-working-days"] = Spec(query={"start": "2026-03-10", "days": 5})
R["GET core-api:api-count-working-days"] = Spec(query={"start": "2026-03-01", "end": "2026-03-31"})
R["GET core-api:api-add-working-hours"] = Spec(query={"start": "2026-03-10T09:00:00+08:00", "hours": 4})

# people
R["GET people-api:resident-list"] = Spec(gate=("people.view",), rows="resident")
R["POST people-api:resident-list"] = Spec(gate=("people.edit",), ref="resident", body=_resident_body)
R["GET people-api:resident-detail"] = Spec(gate=("people.view",), obj="resident")
R["PUT people-api:resident-detail"] = Spec(gate=("people.edit",), obj="resident", body=_resident_put)
R["PATCH people-api:resident-detail"] = Spec(gate=("people.edit",), obj="resident", body={"note": "已核对"})
R["POST people-api:resident-reveal"] = Spec(gate=("people.reveal", "people.view"), obj="resident",
                                            body={"reason": "核对身份"}, reveals=True)

# acceptance: catalogue and queue
R["GET acceptance-api:category-list"] = Spec()  # the ticket categories are public (the kiosk shows them)
R["GET acceptance-api:item-list"] = Spec(gate=("acceptance.catalogue",))
R["GET acceptance-api:item-detail"] = Spec(gate=("acceptance.catalogue",), obj="item")
R["GET acceptance-api:ticket-list"] = Spec(gate=("acceptance.window",), rows="ticket")
R["POST acceptance-api:ticket-list"] = Spec(gate=("acceptance.kiosk",), body={"category": "A"}, device=True)
R["GET acceptance-api:ticket-detail"] = Spec(gate=("acceptance.window",), obj="ticket")
R["GET acceptance-api:window-list"] = Spec(gate=("acceptance.window",), rows="window")
R["GET acceptance-api:window-detail"] = Spec(gate=("acceptance.window",), obj="window")
for _a in ("call-next", "recall", "start", "finish", "no-show", "sign-in", "sign-out", "pause", "resume"):
    R[f"POST acceptance-api:window-{_a}"] = Spec(gate=("acceptance.window",), obj="window", body={})
R["POST acceptance-api:window-transfer"] = Spec(gate=("acceptance.window",), obj="window", body={"to_window": 2})

# acceptance: cases
_view = ("acceptance.case_view",)
R["GET acceptance-api:case-list"] = Spec(gate=_view, rows="acc_case")
R["POST acceptance-api:case-list"] = Spec(gate=("acceptance.intake",), ref="resident", body=_acc_case_body,
                                         oracle=True)
R["GET acceptance-api:case-detail"] = Spec(gate=_view, obj="acc_case")
_front = {"supplement": {"materials": []}, "accept": {}, "rongque": {"rongque_deadline": "2026-03-20"},
          "reject": {"reasons": "不符合条件"}, "terminate": {"reason": "申请人撤回"}, "resubmit": {},
          "deliver": {"to": "applicant", "id_check": "card_reader"}}
for _a, _b in _front.items():
    R[f"POST acceptance-api:case-{_a}"] = Spec(gate=_view, obj="acc_case", act=("acceptance.intake",), body=_b)
_back = {"claim": {}, "approve": {"note": "同意"}, "refuse": {"reasons": "不符合条件"},
         "return-for-supplement": {"reason": "请补充收入证明"}}
for _a, _b in _back.items():
    R[f"POST acceptance-api:case-{_a}"] = Spec(gate=_view, obj="acc_case", act=("acceptance.backoffice",), body=_b)
R["POST acceptance-api:case-complete"] = Spec(gate=_view, obj="acc_case", refine=_acc_complete, body={})
for _k in ("receipt", "notice", "rongque", "refusal"):
    R[f"GET acceptance-api:case-document kind={_k}"] = Spec(gate=_view, obj="acc_case")

# acceptance: reviews, rectification, 民生档案
R["GET acceptance-api:review-list"] = Spec(gate=("acceptance.reviews",), rows="review")
R["POST acceptance-api:review-list"] = Spec(gate=("acceptance.intake",), ref="acc_case", body=_review_body,
                                           oracle=True)
R["GET acceptance-api:rectification-list"] = Spec(gate=("acceptance.reviews",), rows="rect")
R["GET acceptance-api:rectification-detail"] = Spec(gate=("acceptance.reviews",), obj="rect")
_steps = {"contact": {"note": "已电话致歉", "contact_method": "phone"}, "rectify": {"note": "增开窗口"},
          "close": {"note": "回访满意", "callback_result": "satisfied"}, "reopen": {"note": "仍不满意"},
          "appeal": {"note": "评价与事实不符"}, "uphold": {"note": "申诉成立"}, "dismiss": {"note": "申诉不成立"}}
for _s, _b in _steps.items():
    R[f"POST acceptance-api:rectification-step step={_s}"] = Spec(
        gate=("acceptance.rectify", "acceptance.reviews"), obj="rect", refine=_rect_step(_s), body=_b)
R["GET acceptance-api:archive-request-list"] = Spec(gate=("acceptance.archive",), rows="archive")
R["POST acceptance-api:archive-request-list"] = Spec(gate=("acceptance.archive",), ref="resident", body=_archive_body,
                                                    oracle=True)
R["GET acceptance-api:archive-request-detail"] = Spec(gate=("acceptance.archive",), obj="archive")
R["POST acceptance-api:archive-request-result"] = Spec(gate=("acceptance.archive",), obj="archive",
                                                       body={"found": True, "file_reference": "DA-1", "pages": 2})
R["POST acceptance-api:archive-request-issue"] = Spec(gate=("acceptance.archive",), obj="archive", body={"copies": 1})


def _batch_body(world, persona, variant):
    pk = 10 ** 9 if variant == MISSING else world.obj("transfer", variant).pk
    return {"transfers": [pk], "courier_name": "周师傅", "courier_phone": "13912345678"}


# acceptance: 全市通办 transfers
_tr = ("acceptance.transfer",)
R["GET acceptance-api:transfer-list"] = Spec(gate=_tr, rows="transfer")
R["GET acceptance-api:transfer-detail"] = Spec(gate=_tr, obj="transfer")
R["GET acceptance-api:transfer-actions"] = Spec(gate=_tr, obj="transfer")
_tsteps = {"send": {"courier_name": "周师傅", "courier_phone": "13912345678"}, "receive": {},
           "review": {"outcome": "approved"}, "return-result": {"result_note": "核准"}, "cancel": {"reason": "误转"}}
for _s, _b in _tsteps.items():
    R[f"POST acceptance-api:transfer-step step={_s}"] = Spec(gate=_tr, obj="transfer", body=_b)
R["GET acceptance-api:transfer-batch-list"] = Spec(gate=_tr, rows="transfer_batch")
R["POST acceptance-api:transfer-batch-list"] = Spec(gate=_tr, ref="transfer", body=_batch_body, oracle=True)
R["GET acceptance-api:transfer-batch-detail"] = Spec(gate=_tr, obj="transfer_batch")
R["GET acceptance-api:transfer-batch-pdf"] = Spec(gate=_tr, obj="transfer_batch")

# 大联动
R["GET grid-api:api-categories"] = Spec(gate=("grid.view",))
R["GET grid-api:api-grids"] = Spec(gate=("grid.view",), check=_check_grids)
R["GET grid-api:api-grid-locate"] = Spec(gate=("grid.view",), query={"lat": POINTS["in"][0], "lng": POINTS["in"][1]})
R["GET grid-api:api-on-duty"] = Spec(gate=("grid.roster",))
R["GET grid-api:api-indicators"] = Spec(gate=("grid.stats",), query={"by": "committee"}, check=_check_indicators)
R["GET grid-api:case-list"] = Spec(gate=("grid.view",), rows="grid_case")
R["POST grid-api:case-list"] = Spec(gate=("grid.report",), ref="grid_loc", body=_grid_case_body)
R["GET grid-api:case-detail"] = Spec(gate=("grid.view",), obj="grid_case")
R["GET grid-api:case-duplicates"] = Spec(gate=("grid.view",), obj="grid_case")
R["GET grid-api:case-actions"] = Spec(gate=("grid.view",), obj="grid_case")


def _any_capability(capability):
    """An action declared with a tuple of capabilities needs any one of them."""
    if isinstance(capability, str):
        return capability
    def passes(persona):
        return any(persona.can(c) for c in capability)
    passes.__name__ = " or ".join(capability)
    return passes


def _grid_actions():
    from shequ.grid.choices import CaseAction
    from shequ.grid.workflows import CASE, with_my_unit

    for declared in CASE.actions:
        action = declared.name
        refine = {CaseAction.ESCALATE: _grid_escalate, CaseAction.SELF_HANDLE: _grid_self_handle}.get(
            action, _grid_unit_action if with_my_unit in declared.guards else None)
        extra = {"body": GRID_BODIES.get(action, {})}
        if action == CaseAction.MERGE:  # merge a reported case into the target its body names
            extra = {"ref": "grid_case", "body": _grid_merge_body, "oracle": True, "ref_path_kind": "grid_case_new",
                     "ref_path": lambda w: {"pk": w.extra["merge_source"].pk}}
        R[f"POST grid-api:case-{action}"] = Spec(gate=("grid.view",), obj="grid_case",
                                                 act=(_any_capability(declared.capability),), refine=refine, **extra)


_grid_actions()
R["GET grid-api:hotline-list"] = Spec(gate=("grid.hotline_view",), rows="hotline")
R["POST grid-api:hotline-list"] = Spec(gate=("grid.hotline",), ref="grid_loc", body=_hotline_body)
R["GET grid-api:hotline-detail"] = Spec(gate=("grid.hotline_view",), obj="hotline")
R["GET grid-api:hotline-actions"] = Spec(gate=("grid.hotline_view",), obj="hotline")
_hotline_acts = {"sign": {}, "return": {"note": "不属于本街道"}, "extend": {"days": 3, "note": "需要协调"},
                 "contact": {"contact_method": "phone"}, "reply": {"note": "已处理完毕", "resolution": "solved"},
                 "visit": {"satisfaction": "satisfied"}, "reopen": {"note": "未解决"}}
for _a, _b in _hotline_acts.items():
    R[f"POST grid-api:hotline-act act={_a}"] = Spec(gate=("grid.hotline", "grid.hotline_view"), obj="hotline", body=_b)
R["POST grid-api:hotline-act act=merge"] = Spec(gate=("grid.hotline", "grid.hotline_view"), obj="hotline",
                                                ref="hotline", body=_hotline_merge_body, oracle=True)
# 区12345热线办 decides the 街道's requests; the desk records a decision taken on the platform and hands work out.
for _a, _b in {"approve-return": {}, "reject-return": {"note": "属本街道"}, "approve-extend": {},
               "reject-extend": {"note": "可按时办结"}}.items():
    R[f"POST grid-api:hotline-act act={_a}"] = Spec(gate=("grid.hotline_decide", "grid.hotline_view"), obj="hotline",
                                                    body=_b)
R["POST grid-api:hotline-act act=record-decision"] = Spec(gate=("grid.hotline", "grid.hotline_view"), obj="hotline",
                                                          body={"decision": "approved", "note": "平台已批准"})
R["POST grid-api:hotline-act act=assign"] = Spec(gate=("grid.hotline", "grid.hotline_view"), obj="hotline", body={
    "assignee": "committee:310110015001", "due": "2026-03-13", "note": "请上门核实"})
R["GET grid-api:hotline-task-list"] = Spec(gate=("grid.hotline_task",), rows="hotline_task")
R["GET grid-api:hotline-task-detail"] = Spec(gate=("grid.hotline_task",), obj="hotline_task")
R["POST grid-api:hotline-task-finish"] = Spec(gate=("grid.hotline_task",), obj="hotline_task",
                                              body={"note": "已上门处理完毕"})
R["GET grid-api:api-hotline-figures"] = Spec(gate=("grid.hotline_view",), query={"month": "2026-03"})

# 居民端: resident logins only (portal.use); slots are visible to any signed-in user.
R["GET portal-api:slots"] = Spec(query={"date": "2026-03-17"})
R["GET portal-api:appointments"] = Spec(gate=("portal.use",))
R["POST portal-api:appointments"] = Spec(gate=("portal.use",), body=lambda world, persona, variant: {
    "slot": world.extra["slot"].pk, "item": world.extra["centre"]["dibao"].pk})
R["GET portal-api:appointment-detail"] = Spec(gate=("portal.use",), obj="appointment")
R["DELETE portal-api:appointment-detail"] = Spec(gate=("portal.use",), obj="appointment")
R["GET portal-api:reports"] = Spec(gate=("portal.use",))
R["POST portal-api:reports"] = Spec(gate=("portal.use",), body={"category": "E0102", "description": "绿化带边有暴露垃圾",
                                                               "lat": 31.2775, "lng": 121.5325})

# 设施与场地
R["GET facilities-api:room-list"] = Spec(gate=("facilities.book",), rows="room")
R["GET facilities-api:room-detail"] = Spec(gate=("facilities.book",), obj="room")


def _room_pk(world, variant):
    return 10 ** 9 if variant == MISSING else world.obj("room", variant).pk


def _booking_body(world, persona, variant):
    return {"room": _room_pk(world, variant), "start": "2026-03-13T10:00:00+08:00",
            "end": "2026-03-13T11:30:00+08:00", "purpose": "读书会", "attendees": 12}


def _booking_cancel(world, persona, variant):
    """Cancelling: the one who booked, or whoever runs the facility (its operator, 街道 staff who manage)."""
    if world.obj("booking", variant).booked_by_id == persona.user.pk:
        return ALLOWED
    return ALLOWED if persona.key in (Role.FACILITY_OPERATOR, Role.LEADER) else FORBIDDEN


R["GET facilities-api:booking-list"] = Spec(gate=("facilities.book",), rows="booking")
R["POST facilities-api:booking-list"] = Spec(gate=("facilities.book",), ref="room", body=_booking_body, oracle=True)
R["POST facilities-api:booking-series"] = Spec(gate=("facilities.book",), ref="room", oracle=True,
                                               body=lambda w, p, v: {**_booking_body(w, p, v), "weeks": 2})
R["GET facilities-api:booking-detail"] = Spec(gate=("facilities.book",), obj="booking")
R["POST facilities-api:booking-cancel"] = Spec(gate=("facilities.book",), obj="booking", refine=_booking_cancel,
                                               body={"reason": "活动取消"})
for _a, _b in {"approve": {}, "reject": {"reason": "该时段另有安排"}, "check-in": {}, "no-show": {}}.items():
    # Both roles with facilities.operate run the 敦化路 睦邻中心: its operator and the 街道's leader.
    R[f"POST facilities-api:booking-{_a}"] = Spec(gate=("facilities.operate",), obj="booking", body=_b)


# 为老服务: meal assistance. A resident needs no capability: he orders for himself and his household.
def _resident_or(capability):
    def passes(persona):
        return persona.key == Role.RESIDENT or persona.can(capability)

    passes.__name__ = f"resident or {capability}"
    return passes


def _meal_order_body(world, persona, variant):
    resident = 10 ** 9 if variant == MISSING else world.obj("elder", variant).pk
    return {"resident": resident, "date": "2026-03-13", "meal": "lunch", "mode": "dine_in"}


R["GET eldercare-api:meal-order-list"] = Spec(gate=(_resident_or("eldercare.view"),), rows="meal_order")
R["POST eldercare-api:meal-order-list"] = Spec(gate=(_resident_or("eldercare.order"),), ref="elder",
                                               body=_meal_order_body, oracle=True)
# Cancelling needs the ordering capability only: the 96980 seat orders and cancels without reading the lists.
R["POST eldercare-api:meal-order-cancel"] = Spec(gate=(_resident_or("eldercare.order"),), obj="meal_order")
R["GET eldercare-api:kitchen-count-list"] = Spec(gate=("eldercare.kitchen",), qobj="canteen", query=lambda w, v: {
    "canteen": w.obj("canteen", v).pk, "date": "2026-03-12"})

# 家庭医生签约
def _check_targets(world, persona, response):
    codes = {r.get("code") for r in response.json()}
    problems = ["a target of 殷行街道 listed"] if "away-only" in codes else []
    if persona.scope in ("sub", "dunhua") and "lc-awareness" not in codes:
        problems.append("the 街道's own targets missing")
    return problems


# 指标与考核
R["GET targets-api:target-list"] = Spec(gate=("targets.view",), check=_check_targets)

R["GET health-api:contract-list"] = Spec(gate=("health.view",), rows="contract")
R["GET health-api:contract-due"] = Spec(gate=("health.view",), rows="contract")
R["GET health-api:contract-detail"] = Spec(gate=("health.view",), obj="contract")
R["GET health-api:contract-actions"] = Spec(gate=("health.view",), obj="contract")
R["POST health-api:contract-act"] = Spec(gate=("health.view", "health.manage"), obj="contract",
                                         body={"action": "renew", "years": 1})

# 活动与节庆
R["GET events-api:event-list"] = Spec(gate=("events.register",), rows="event")
R["GET events-api:event-detail"] = Spec(gate=("events.register",), obj="event")
R["POST events-api:event-register"] = Spec(gate=("events.register",), obj="event",
                                           body={"name": "王阿姨", "phone": "13912345678"})
R["GET events-api:registration-detail"] = Spec(gate=("events.register",), obj="registration")
R["POST events-api:registration-cancel"] = Spec(gate=("events.register",), obj="registration")
R["POST events-api:registration-check-in"] = Spec(gate=("events.manage",), obj="registration")

# 综合治理
def _gov_task_act(world, persona, variant):
    """A task's steps: the department it was given to, or the committee's office (the leader)."""
    return ALLOWED if persona.key in (Role.LEADER, Role.DEPT_OFFICER) else FORBIDDEN


R["GET governance-api:task-list"] = Spec(gate=("governance.view",), rows="gov_task")
R["GET governance-api:task-detail"] = Spec(gate=("governance.view",), obj="gov_task")
R["GET governance-api:task-actions"] = Spec(gate=("governance.view",), obj="gov_task")
R["POST governance-api:task-act"] = Spec(gate=("governance.view",), obj="gov_task", refine=_gov_task_act,
                                         body={"action": "note", "note": "已安排人员清运"})
R["GET governance-api:problem-list"] = Spec(gate=("governance.view",), rows="gov_problem")
R["GET governance-api:problem-detail"] = Spec(gate=("governance.view",), obj="gov_problem")

# 领导驾驶舱 and the monthly brief
R["GET cockpit-api:overview"] = Spec(gate=("cockpit.view",), query={"month": "2026-03"})
R["GET reports-api:monthly-brief"] = Spec(gate=("cockpit.view",), query={"month": "2026-03"})


# 志愿服务
def _activity_body(world, persona, variant):
    team = 10 ** 9 if variant == MISSING else world.obj("team", variant).pk
    return {"title": "平安巡逻", "team": team, "start": "2027-03-13T09:00:00+08:00",
            "end": "2027-03-13T11:00:00+08:00", "place": "敦化路1号", "slots": 5}


def _organises(world, persona, variant):
    """Publishing is for the team's admins (the volunteer persona runs the "in" team) and the 街道 leader."""
    if persona.key == Role.LEADER or (persona.key == Role.VOLUNTEER and variant == "in"):
        return ALLOWED
    return FORBIDDEN


R["GET volunteers-api:team-list"] = Spec(gate=("volunteers.view",), rows="team")
R["GET volunteers-api:activity-list"] = Spec(gate=("volunteers.view",), rows="activity")
R["POST volunteers-api:activity-list"] = Spec(gate=("volunteers.organise",), ref="team", body=_activity_body,
                                              oracle=True, refine=_organises)
R["GET volunteers-api:activity-detail"] = Spec(gate=("volunteers.view",), obj="activity")
R["POST volunteers-api:activity-signup"] = Spec(gate=("volunteers.serve",), obj="activity")
R["DELETE volunteers-api:activity-signup"] = Spec(gate=("volunteers.serve",), obj="activity")
R["POST volunteers-api:activity-checkin"] = Spec(gate=("volunteers.serve",), obj="activity", body={"code": "123456"})
R["POST volunteers-api:activity-checkout"] = Spec(gate=("volunteers.serve",), obj="activity",
                                                  body={"code": "123456"})



# 社会组织 (三社联动)
def _so_expert(world, persona, variant):
    """Scoring: only an expert of the project's panel (the leader and the 敦化 worker personas)."""
    return ALLOWED if persona.key in (Role.LEADER, Role.COMMITTEE_WORKER) else FORBIDDEN


R["GET socialorgs-api:organisation-list"] = Spec(gate=("socialorgs.view",), rows="org")
R["GET socialorgs-api:organisation-detail"] = Spec(gate=("socialorgs.view",), obj="org")
R["POST socialorgs-api:organisation-list"] = Spec(gate=("socialorgs.manage",),
                                                  body={"name": "矩阵测试社", "kind": "community"})
R["GET socialorgs-api:project-list"] = Spec(gate=("socialorgs.score",), rows="so_project")
R["GET socialorgs-api:project-detail"] = Spec(gate=("socialorgs.score",), obj="so_project")
R["POST socialorgs-api:project-score"] = Spec(gate=("socialorgs.score",), obj="so_project", refine=_so_expert,
                                              body=lambda w, p, v: {"proposal": w.extra["so_proposal_in"].pk,
                                                                    "score": 80})
R["GET socialorgs-api:claim-project-list"] = Spec(gate=("socialorgs.view",), rows="claim_project")
R["GET socialorgs-api:claim-project-detail"] = Spec(gate=("socialorgs.view",), obj="claim_project")
R["POST socialorgs-api:claim-project-claims"] = Spec(
    gate=("socialorgs.view", "socialorgs.claims"), obj="claim_project",
    body={"claimant": "矩阵测试公司", "contributions": [{"kind": "goods", "description": "物资"}]})

REGISTRY = R


def passes(persona: Persona, capabilities) -> bool:
    """Whether `persona` holds every capability (a callable entry is a rule on the persona)."""
    return all(c(persona) if callable(c) else persona.can(c) for c in capabilities)


def expected(world: World, spec: Spec, persona: Persona, variant: str | None, *, on: str) -> frozenset:
    """The answers `persona` may get. `on` is "obj" (the URL names the `variant` object), "ref" (the body names
    it) or "none"."""
    if spec.public:
        return frozenset({400})
    if not passes(persona, spec.gate):
        return FORBIDDEN
    if on == "obj" and not visible(world, spec.obj or spec.qobj, persona, variant):
        return HIDDEN
    if on == "ref" and spec.obj and not visible(world, spec.ref_path_kind or spec.obj, persona, "in"):
        return HIDDEN
    if not passes(persona, spec.act):
        return FORBIDDEN
    if on == "ref" and not visible(world, spec.ref, persona, variant):
        return NOT_2XX_REF
    if spec.refine is not None:
        return spec.refine(world, persona, variant)
    return ALLOWED


# --- the HTML pages that take an object id ------------------------------------------------------------------------

def visible_html(world: World, kind: str, persona: Persona, variant: str) -> bool:
    if variant == "away":
        return False
    if kind in ("grid", "inspection"):  # tied to a committee
        return visible(world, "resident", persona, variant)
    if kind == "photo":
        return visible(world, "grid_case", persona, variant)
    if kind in ("evaluation", "evaluation_photo"):
        # The 人大代表 persona's own inspection; the 综管委办 sees its 街道's; the 民政 officer only the published one.
        if persona.user.role in (Role.NPC_DEPUTY, Role.LEADER, Role.SHIFT_LEADER):
            return True
        return kind == "evaluation_photo" and persona.department == "MZ"
    if kind in ("device", "clerk"):
        return persona.scope == "sub"
    if kind in ("item", "category"):
        return True
    return visible(world, kind, persona, variant)


@dataclass(frozen=True)
class Page:
    gate: tuple  # the capability the page's decorator requires
    obj: str  # kind of the object in the URL
    method: str = "GET"
    param: str = "pk"  # the URL parameter naming the object
    kwargs: dict = field(default_factory=dict)  # the other URL parameters
    data: dict = field(default_factory=dict)  # POST data
    act: tuple = ()  # capabilities the service checks once the object is found


PAGES = {
    "people:resident-detail": Page(("people.view",), "resident"),
    "people:resident-edit": Page(("people.edit",), "resident"),
    "people:resident-reveal": Page(("people.reveal",), "resident", "POST", data={"reason": "核对身份"}),
    "people:household-detail": Page(("people.view",), "household"),
    "people:import-status": Page(("people.import",), "job"),
    "people:import-errors": Page(("people.import",), "job"),
    "acceptance:window-console": Page(("acceptance.window",), "window", param="number"),
    "acceptance:window-queue": Page(("acceptance.window",), "window", param="number"),
    "acceptance:window-transfer": Page(("acceptance.window",), "window", "POST", param="number"),
    "acceptance:window-sign": Page(("acceptance.window",), "window", "POST", param="number", kwargs={"what": "in"}),
    "acceptance:window-action": Page(("acceptance.window",), "window", "POST", param="number",
                                     kwargs={"action": "call"}),
    "acceptance:ticket-requeue": Page(("acceptance.window",), "ticket", "POST"),
    "acceptance:window-display": Page(("acceptance.window",), "window", param="number"),
    "acceptance:window-display-review": Page(("acceptance.window",), "window", "POST", param="number"),
    "acceptance:device-code": Page(("acceptance.supervise",), "device", "POST"),
    "acceptance:device-revoke": Page(("acceptance.supervise",), "device", "POST"),
    "acceptance:applicant-pick": Page(("acceptance.intake",), "resident"),
    "acceptance:case-detail": Page(("acceptance.case_view",), "acc_case"),
    "acceptance:case-action": Page(("acceptance.case_view",), "acc_case", "POST", kwargs={"action": "terminate"},
                                   data={"reason": "申请人撤回"}, act=("acceptance.intake",)),
    "acceptance:case-pdf": Page(("acceptance.case_view",), "acc_case", kwargs={"kind": "receipt"}),
    "acceptance:catalogue-import-result": Page(("acceptance.catalogue_manage",), "catalogue_import"),
    "acceptance:category-edit": Page(("acceptance.catalogue_manage",), "category"),  # district-wide catalogue
    "acceptance:item-detail": Page(("acceptance.catalogue",), "item"),  # district-wide catalogue
    "acceptance:item-edit": Page(("acceptance.catalogue_manage",), "item"),  # district-wide catalogue
    "acceptance:rectification-detail": Page(("acceptance.reviews",), "rect"),
    "acceptance:rectification-action": Page(("acceptance.rectify",), "rect", "POST", kwargs={"action": "contact"},
                                            data={"note": "已致歉", "contact_method": "phone"}),
    "acceptance:window-edit": Page(("acceptance.supervise",), "window"),
    "acceptance:skills-edit": Page(("acceptance.supervise",), "clerk", param="user_id"),
    "acceptance:staff-detail": Page(("acceptance.staff_files",), "clerk", param="user_id"),
    "acceptance:staff-edit": Page(("acceptance.supervise",), "clerk", param="user_id"),
    "acceptance:staff-year-export": Page(("acceptance.staff_files",), "clerk", param="user_id"),
    "acceptance:training-detail": Page(("acceptance.staff_files",), "training"),
    "acceptance:certification-revoke": Page(("acceptance.supervise",), "certification", "POST",
                                            data={"reason": "复核不合格"}),
    "acceptance:archive-detail": Page(("acceptance.archive",), "archive"),
    "acceptance:transfer-detail": Page(("acceptance.transfer",), "transfer"),
    "acceptance:transfer-action": Page(("acceptance.transfer",), "transfer", "POST", kwargs={"action": "cancel"},
                                       data={"reason": "误转"}),
    "acceptance:transfer-batch": Page(("acceptance.transfer",), "transfer_batch"),
    "acceptance:transfer-batch-pdf": Page(("acceptance.transfer",), "transfer_batch"),
    "acceptance:archive-action": Page(("acceptance.archive",), "archive", "POST", kwargs={"action": "issue"},
                                      data={"copies": 1}),
    "grid:case-detail": Page(("grid.view",), "grid_case"),
    "grid:case-act": Page(("grid.view",), "grid_case", "POST", kwargs={"action": "note"}, data={"note": "已联系"}),
    "grid:photo": Page(("grid.view",), "photo"),
    "grid:grid-detail": Page(("grid.view",), "grid"),
    "grid:hotline-detail": Page(("grid.hotline_view",), "hotline"),
    "grid:hotline-act": Page(("grid.hotline_view",), "hotline", "POST", kwargs={"action": "sign"},
                             act=("grid.hotline",)),
    "grid:hotline-task-finish": Page(("grid.hotline_task",), "hotline_task", "POST", data={"note": "已上门处理完毕"}),
    "grid:hotline-task-cancel": Page(("grid.hotline",), "hotline_task", "POST", data={"note": "改由城管处理"}),
    "grid:inspection-detail": Page(("grid.inspect",), "inspection"),
    "evaluators:detail": Page(("evaluators.view",), "evaluation"),
    "evaluators:score": Page(("evaluators.inspect",), "evaluation"),
    "evaluators:act": Page(("evaluators.view",), "evaluation", "POST", kwargs={"action": "cancel"},
                           data={"reason": "部门搬迁，改期测评"}),
    "evaluators:photo": Page(("evaluators.view",), "evaluation_photo"),
}


def html_object_id(world: World, kind: str, variant: str, param: str):
    obj = world.obj(kind, variant)
    return obj.number if param == "number" else obj.pk
