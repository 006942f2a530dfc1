"""API fuzzing with schemathesis against /api/schema/ (in-process, WSGI): for every documented operation,
generated valid and invalid requests, sent with the token of a role that may use the operation, must never get a
5xx, must get only documented status codes, and the answers must match the documented schemas.

The run is bounded for CI and deterministic: a fixed seed, derandomized Hypothesis, no example database, a few
examples per operation. Every request runs in a savepoint that is rolled back, so the data of the `world`
fixture is the same for every example (and path parameters point at real objects half of the time).
"""

from __future__ import annotations

import os
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings

from shequ.core.choices import Role
from shequ.wsgi import application

from .world import POINTS

SEED = 20260310
MAX_EXAMPLES = 20

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                   "with-security-parameters": False, "allow-x00": False},
    "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False},
               "fuzzing": {"enabled": True}},
    "checks": {
        # What the issue asks for: no 5xx, only documented statuses, answers that match the documented schemas.
        "not_a_server_error": {"enabled": True}, "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True}, "response_schema_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": True}, "ignored_auth": {"enabled": True},
        # Not asked for, and not bugs here: DRF ignores a malformed `page_size`/`cursor`-style paging hint and
        # unknown query parameters (negative_data_rejection), and a schema-valid body can still fail the business
        # rules with a documented 400/409 (positive_data_acceptance).
        "negative_data_rejection": {"enabled": False}, "positive_data_acceptance": {"enabled": False},
    },
})

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)

# Whose token each part of the API is fuzzed with: the role that may use most of it.
CALLER = {"/api/v1/residents": Role.COMMITTEE_WORKER, "/api/v1/acceptance": Role.HALL_SUPERVISOR,
          "/api/v1/grid": Role.SHIFT_LEADER, "/api/v1/socialorgs": Role.DEPT_OFFICER}


@pytest.fixture(scope="module")
def _in_process_requests():
    """The WSGI handler closes the connection at the end of each request (Django's test client does not): keep
    it open, or the test's transaction would be lost."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Path parameters: most generated ids name nothing (404). Every other example uses a real object the caller may
# see instead, so the bodies are fuzzed against real cases, residents, windows ... in several states.
REAL_OBJECTS = {
    "/api/v1/residents/{id}/": lambda w: [w.obj("resident")],
    "/api/v1/acceptance/archive-requests/{id}/": lambda w: [w.obj("archive")],
    "/api/v1/acceptance/cases/{id}/": lambda w: [w.obj("acc_case"), w.extra["review_cases"]["in"]],
    "/api/v1/acceptance/items/{id}/": lambda w: [w.obj("item")],
    "/api/v1/acceptance/rectifications/{id}/": lambda w: [w.obj("rect")],
    "/api/v1/acceptance/tickets/{id}/": lambda w: [w.obj("ticket")],
    "/api/v1/acceptance/windows/{number}/": lambda w: [w.obj("window")],
    "/api/v1/grid/cases/{id}/": lambda w: [w.obj("grid_case"), w.extra["merge_targets"]["in"]],
    "/api/v1/grid/hotline/{id}/": lambda w: [w.obj("hotline"), w.extra["hotline_targets"]["in"]],
    "/api/v1/grid/hotline-tasks/{id}/": lambda w: [w.obj("hotline_task")],
    "/api/v1/socialorgs/organisations/{id}/": lambda w: [w.obj("org"), w.obj("org", "sibling")],
    "/api/v1/socialorgs/projects/{id}/": lambda w: [w.obj("so_project")],
    "/api/v1/socialorgs/claim-projects/{id}/": lambda w: [w.obj("claim_project"), w.obj("claim_project", "sibling")],
}


def _use_real_objects(world, case):
    for prefix, objects in REAL_OBJECTS.items():
        if case.path.startswith(prefix):
            choice = zlib.crc32(repr(sorted(case.path_parameters.items())).encode()) % 4
            candidates = objects(world)
            if choice < len(candidates) and choice < 2:
                obj = candidates[choice]
                param = "number" if "{number}" in prefix else "id"
                case.path_parameters[param] = obj.number if param == "number" else obj.pk
            return


def _valid_bodies(world) -> dict:
    """A valid body per create operation. Random bodies almost never pass the business rules (they stop at a
    400), so every other example sends a valid body with one generated field laid over it, which reaches the
    services behind the validation."""
    from shequ.core.testing import valid_id_number

    resident, centre = world.obj("resident"), world.extra["centre"]
    lat, lng = POINTS["in"]
    return {
        ("POST", "/api/v1/residents/"): {"name": "新居民", "id_number": valid_id_number(seed=9001),
                                         "committee": resident.committee.code, "address": "示例路1号"},
        ("PUT", "/api/v1/residents/{id}/"): {"name": resident.name, "id_number": resident.id_number,
                                             "committee": resident.committee.code, "address": resident.address},
        ("POST", "/api/v1/acceptance/cases/"): {"item": centre["dibao"].code, "decision": "accept",
                                                "applicant_resident": resident.pk,
                                                "materials": [m.pk for m in centre["dibao"].materials.all()]},
        ("POST", "/api/v1/acceptance/reviews/"): {"case": world.extra["review_cases"]["in"].number, "score": 4},
        ("POST", "/api/v1/acceptance/archive-requests/"): {"record_type": "marriage", "relation": "self",
                                                           "id_check": "card_reader", "purpose": "办理退休手续",
                                                           "requester_resident": resident.pk},
        ("POST", "/api/v1/acceptance/tickets/"): {"category": "A"},
        ("POST", "/api/v1/grid/cases/"): {"category": "E0102", "description": "路边暴露垃圾", "lat": lat, "lng": lng,
                                          "address": "示例路2号"},
        ("POST", "/api/v1/socialorgs/organisations/"): {"name": "模糊测试社", "kind": "community"},
        ("POST", "/api/v1/socialorgs/claim-projects/{id}/claims/"): {
            "claimant": "模糊测试公司", "contributions": [{"kind": "goods", "description": "物资"}]},
        ("POST", "/api/v1/grid/hotline/"): [{"order_no": "FUZZ-0001", "content": "噪声扰民", "lat": lat, "lng": lng}],
    }


def _use_valid_bodies(world, case):
    valid = _valid_bodies(world).get((case.method.upper(), case.path))
    if valid is None or zlib.crc32(repr(case.body).encode()) % 2:
        return
    generated = case.body
    if isinstance(valid, list):
        row = generated[0] if isinstance(generated, list) and generated and isinstance(generated[0], dict) else {}
        key = sorted(row)[:1]
        case.body = [{**valid[0], **{k: row[k] for k in key}}]
    else:
        key = sorted(generated)[:1] if isinstance(generated, dict) else []
        case.body = {**valid, **{k: generated[k] for k in key}}


def _caller(world, path: str):
    for prefix, role in CALLER.items():
        if path.startswith(prefix):
            return world.personas[role]
    return world.personas[Role.COMMITTEE_WORKER]


@pytest.mark.django_db
@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_fuzz(case, world, _in_process_requests):
    persona = _caller(world, case.path)
    _use_real_objects(world, case)
    _use_valid_bodies(world, case)
    savepoint = transaction.savepoint()
    try:
        response = case.call_and_validate(headers={"Authorization": f"Token {persona.token}"})
        if os.environ.get("FUZZ_DEBUG"):
            with open("/tmp/fuzz_statuses.txt", "a") as fh:
                fh.write(f"{case.method} {case.path} {response.status_code}\n")
    finally:
        transaction.savepoint_rollback(savepoint)


# --- what the schema promises -------------------------------------------------------------------------------------

PUBLIC = {("post", "/api/v1/auth/token/")}
NO_CAPABILITY = {("get", "/api/v1/me/"), ("get", "/api/v1/acceptance/categories/")} | {
    ("get", p) for p in schema.raw_schema["paths"] if p.startswith("/api/v1/calendar/")}


def _operations():
    for path, item in schema.raw_schema["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, op


def test_it_documents_the_error_answers_of_every_operation():
    """Regression (schemathesis ST103): every operation documents the errors it can answer with: 401 without
    credentials, 403 without the capability, 404 for an object it cannot see, 400 and 415 for a bad body. The
    grid case actions documented only 200: `@action` had replaced the `extend_schema` put on the function
    before it."""
    problems = []
    for method, path, op in _operations():
        codes = set(op["responses"])
        need = set()
        if (method, path) not in PUBLIC:
            need.add("401")
        if (method, path) not in PUBLIC | NO_CAPABILITY:
            need.add("403")
        if "{" in path:
            need.add("404")
        if "requestBody" in op:
            need |= {"400", "415"}
        if need - codes:
            problems.append(f"{method.upper()} {path}: {sorted(need - codes)} not documented")
    assert not problems, "\n".join(problems)
    action = schema.raw_schema["paths"]["/api/v1/grid/cases/{id}/dispatch/"]["post"]
    assert {"409", "412"} <= set(action["responses"])
    assert action["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ActionRequest")


def test_it_documents_nullable_and_blank_fields_as_they_are_answered():
    """Regression (schemathesis ST108): fields answered as null or "" are documented so."""
    components = schema.raw_schema["components"]["schemas"]
    for name, field in [("Ticket", "window"), ("Window", "clerk"), ("Review", "case"), ("Case", "unit"),
                        ("Hotline", "case"), ("Resident", "household")]:
        assert components[name]["properties"][field].get("nullable"), (name, field)
    for name, field in [("Ticket", "priority_reason"), ("Rectification", "callback_result"), ("Case", "satisfaction"),
                        ("Resident", "relation")]:
        prop = components[name]["properties"][field]
        refs = [prop.get("$ref")] + [p.get("$ref") for p in prop.get("oneOf", []) + prop.get("allOf", [])]
        enums = [components[r.rsplit("/", 1)[1]].get("enum", []) for r in refs if r]
        assert any("" in e for e in enums), (name, field, prop)
    duplicates = schema.raw_schema["paths"]["/api/v1/grid/cases/{id}/duplicates/"]["get"]["responses"]["200"]
    assert duplicates["content"]["application/json"]["schema"]["type"] == "array"  # a plain list, not a page
