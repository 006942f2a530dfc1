"""Authorization matrix (等保 G8 越权, ASVS 8.2.1/8.2.2/8.2.3): every API operation × every role × in-scope /
out-of-scope object, generated from the URL configuration.

The operations come from walking `get_resolver()` under /api/v1/ (function views, router list/detail routes and
every extra action, one case per HTTP method and per literal of a `(?P<x>a|b|c)` alternation). Each must have an
entry in `matrix.REGISTRY` saying how to exercise it; a new endpoint without one fails here, so it cannot ship
untested. Expected answers are derived from the capability grants (see `matrix.py`).

Every call runs in a savepoint that is rolled back, so one role's write never changes what the next role sees.
"""

from __future__ import annotations

import copy
import json
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import reverse

from shequ.core.choices import Role

from .matrix import (ALLOWED, ANONYMOUS, MISSING, NOT_2XX_REF, PAGES, REGISTRY, expected, html_object_id, url_kwargs,
                     visible, visible_html)
from .routes import html_object_routes, operations
from .world import POINTS

API_OPERATIONS = operations("api/v1/")
STATS = {"operations": 0, "calls": 0}


class _Failed:
    def __init__(self, exc):
        self.status_code = 500
        self.content = repr(exc).encode()
        self.headers = {}

    def __getitem__(self, key):
        return ""


def call(client, op, kwargs: dict, body=None, query=None):
    """One request, inside a savepoint that is rolled back whatever happens."""
    url = reverse(op.name, kwargs={**dict(op.literals), **kwargs})
    if query:
        url += "?" + urlencode(query)
    STATS["calls"] += 1
    savepoint = transaction.savepoint()
    cookies = copy.deepcopy(client.cookies)  # a logout replaces the session cookie: roll that back too
    try:
        if op.method == "GET":
            return client.get(url)
        return client.generic(op.method, url, json.dumps(body if body is not None else {}),
                              content_type="application/json")
    except Exception as exc:  # a 500: reported as such, with the exception
        return _Failed(exc)
    finally:
        transaction.savepoint_rollback(savepoint)
        client.cookies = cookies


def _body(spec, world, persona, variant):
    if callable(spec.body):
        return spec.body(world, persona, variant)
    return dict(spec.body or {})


def _query(spec, world, variant="in") -> dict:
    """The query string: fixed, or naming the `variant` object of kind `spec.qobj`."""
    return spec.query(world, variant) if callable(spec.query) else spec.query


def _describe(response) -> str:
    text = response.content[:300].decode(errors="replace") if response.content else ""
    return f"{response.status_code} {text}"


def _answer(response):
    try:
        body = response.json()
    except Exception:
        body = response.content
    return response.status_code, body


def _rows(response) -> list[dict]:
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def _leaks(world, response) -> list[str]:
    content_type = response.headers.get("Content-Type", "") if hasattr(response, "headers") else ""
    if "pdf" in content_type:
        return []
    text = response.content.decode(errors="replace")
    return sorted(s for s in world.secrets if s and s in text)


@pytest.fixture(scope="module", autouse=True)
def _fast_pdfs():
    """Printing is authorised before the PDF is drawn; drawing it (WeasyPrint, ~1 s) tells us nothing here."""
    from unittest import mock

    with mock.patch("shequ.acceptance.pdf.render_case_document", return_value=b"%PDF-1.4 matrix stub"):
        yield


def test_it_knows_every_api_operation_it_exercises():
    """The registry has no entry for an operation that no longer exists (a renamed route would otherwise leave
    its new name untested while the old entry lingers)."""
    keys = {op.key for op in API_OPERATIONS}
    stale = sorted(set(REGISTRY) - keys)
    assert not stale, f"REGISTRY entries that match no route any more: {stale}"
    assert len(API_OPERATIONS) > 100


def test_it_reports_an_endpoint_nobody_described(settings):
    """A new route (here a throw-away router registration) shows up as an operation the registry does not
    know, so `test_api_operation_honours_roles_and_scope` fails for it until someone says how to exercise it."""
    import sys
    import types

    from django.urls import clear_url_caches, include, path
    from rest_framework import routers, viewsets
    from rest_framework.response import Response

    class Gadgets(viewsets.ViewSet):
        def list(self, request):
            return Response([])

        def retrieve(self, request, pk=None):
            return Response({})

    router = routers.SimpleRouter()
    router.register("gadgets", Gadgets, basename="gadget")
    module = types.ModuleType("tests.security._urls_with_a_new_endpoint")
    from shequ import urls as real

    module.urlpatterns = [path("api/v1/new/", include((router.urls, "new-api"))), *real.urlpatterns]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    try:
        unknown = {op.key for op in operations("api/v1/")} - set(REGISTRY)
    finally:
        del sys.modules[module.__name__]
        clear_url_caches()
    assert unknown == {"GET new-api:gadget-list", "GET new-api:gadget-detail"}


@pytest.mark.django_db
def test_it_reveals_plaintext_only_through_the_audited_action(world):
    from shequ.core.models import AuditLog

    resident = world.obj("resident", "in")
    url = f"/api/v1/residents/{resident.pk}/"
    clerk = world.personas[Role.WINDOW_CLERK].client
    shown = clerk.get(url).json()
    assert shown["id_number"] != resident.id_number and shown["phone"] != resident.phone
    assert shown["id_number"] == resident.id_masked
    before = AuditLog.objects.filter(action="reveal", object_id=str(resident.pk)).count()
    refused = clerk.post(f"{url}reveal/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and resident.id_number not in refused.content.decode()
    revealed = clerk.post(f"{url}reveal/", {"reason": "核对身份"}, format="json")
    assert revealed.status_code == 200 and revealed.json()["id_number"] == resident.id_number
    log = AuditLog.objects.filter(action="reveal", object_id=str(resident.pk))
    assert log.count() == before + 1 and log.latest("id").detail == {"reason": "核对身份"}
    facility = world.personas[Role.FACILITY_OPERATOR].client  # its work needs no resident: neither look nor reveal
    assert facility.get(url).status_code == 403
    assert facility.get("/api/v1/residents/").status_code == 403
    assert facility.post(f"{url}reveal/", {"reason": "核对身份"}, format="json").status_code == 403
    assert world.personas[Role.FACILITY_OPERATOR].html.get("/people/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("op", API_OPERATIONS, ids=str)
def test_api_operation_honours_roles_and_scope(world, op):
    spec = REGISTRY.get(op.key)
    if spec is None:
        pytest.fail(f"No authorization spec for {op.key} (pattern {op.pattern}). Add an entry to "
                    f"tests/security/matrix.py REGISTRY: the capabilities it checks, the kind of object it names "
                    f"and how to build a body, so that every role is tried on in-scope and out-of-scope objects.")
    if op.params and not spec.obj:
        pytest.fail(f"{op.key} takes {op.params} but its spec names no object kind (obj=...)")
    STATS["operations"] += 1
    problems: list[str] = []
    in_kwargs = url_kwargs(world, spec.obj, "in") if spec.obj else {}
    ref_kwargs = spec.ref_path(world) if spec.ref_path else in_kwargs
    in_body = _body(spec, world, world.personas[Role.WINDOW_CLERK], "in")
    in_query = _query(spec, world)

    # Anonymous, a bogus token, a paired kiosk.
    from rest_framework.test import APIClient

    anonymous = call(APIClient(), op, in_kwargs, in_body, in_query)
    if spec.public:
        if anonymous.status_code != 400:
            problems.append(f"anonymous: {_describe(anonymous)} (expected 400 for wrong credentials)")
    else:
        if anonymous.status_code not in ANONYMOUS:
            problems.append(f"anonymous: {_describe(anonymous)} (expected 401/403)")
        bogus = APIClient()
        bogus.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef")
        answer = call(bogus, op, in_kwargs, in_body, in_query)
        if answer.status_code != 401:
            problems.append(f"bogus token: {_describe(answer)} (expected 401)")
        kiosk = APIClient()
        kiosk.credentials(HTTP_AUTHORIZATION=f"Device {world.device_token}")
        answer = call(kiosk, op, in_kwargs, in_body, in_query)
        allowed = frozenset({201}) if spec.device else ANONYMOUS
        if answer.status_code not in allowed:
            problems.append(f"paired kiosk: {_describe(answer)} (expected {sorted(allowed)})")

    # Every role.
    for role, persona in world.personas.items():
        runs = []  # (variant, on, kwargs, body, query)
        if spec.obj:
            for variant in world.objects[spec.obj]:
                runs.append((variant, "obj", url_kwargs(world, spec.obj, variant),
                             _body(spec, world, persona, "in"), in_query))
        if spec.qobj:  # the query string names the object: answered like an object in the URL
            for variant in world.objects[spec.qobj]:
                runs.append((variant, "obj", {}, _body(spec, world, persona, "in"), _query(spec, world, variant)))
        if spec.ref:
            variants = world.objects[spec.ref] if spec.ref in world.objects else ("in", "sibling", "away")
            for variant in variants:
                runs.append((variant, "ref", ref_kwargs, _body(spec, world, persona, variant), in_query))
        if not runs:
            runs.append((None, "none", {}, _body(spec, world, persona, "in"), in_query))
        missing = None
        if spec.oracle:  # what a reference to nothing gets: an out-of-scope reference must get the same
            missing = call(persona.client, op, ref_kwargs, _body(spec, world, persona, MISSING), in_query)
        for variant, on, kwargs, body, query in runs:
            want = expected(world, spec, persona, variant, on=on)
            response = call(persona.client, op, kwargs, body, query)
            if missing is not None and on == "ref" and want is NOT_2XX_REF and _answer(response) != _answer(missing):
                problems.append(f"{role} on ref={variant}: answered {_describe(response)} but a missing object "
                                f"gets {_describe(missing)}: the difference tells that the object exists")
            where = f"{role} on {on}={variant}" if variant else role
            if response.status_code not in want:
                problems.append(f"{where}: {_describe(response)} (expected {sorted(want)})")
                continue
            if not spec.reveals:
                leaked = _leaks(world, response)
                if leaked:
                    problems.append(f"{where}: plaintext personal data in the answer: {leaked}")
            if want is ALLOWED:
                STATS.setdefault("allowed", {}).setdefault(op.key, []).append(response.status_code)
            if response.status_code < 300 and want is ALLOWED:
                if spec.check:
                    problems += [f"{where}: {p}" for p in spec.check(world, persona, response)]
                if spec.rows:
                    ids = {row.get("id") for row in _rows(response)}
                    for v, obj in world.objects[spec.rows].items():
                        seen = visible(world, spec.rows, persona, v)
                        if obj.pk in ids and not seen:
                            problems.append(f"{where}: the list contains the {v} {spec.rows} #{obj.pk} "
                                            f"outside the caller's scope")
                        if seen and obj.pk not in ids:
                            problems.append(f"{where}: the list misses the {v} {spec.rows} #{obj.pk} it should show")
    assert not problems, f"{op.key}:\n  " + "\n  ".join(problems)


# --- replays of an Idempotency-Key -------------------------------------------------------------------------------

POST_OPERATIONS = [op for op in API_OPERATIONS if op.method == "POST"]


@pytest.mark.django_db
@pytest.mark.parametrize("op", POST_OPERATIONS, ids=str)
def test_api_replay_is_authenticated_and_authorised_first(world, op):
    """The replay case: a write repeated with the same `Idempotency-Key` by a role allowed to make it gets the
    first answer (a reveal is never replayed: it runs and is audited again); the same repeat after the account
    was deactivated gets 401, and after the role changed it is not replayed (it runs afresh, and is authorised)."""
    from shequ.core.models import AuditLog, User

    spec = REGISTRY[op.key]
    if spec.public or spec.ends_credentials:
        return
    on = "obj" if spec.obj else ("ref" if spec.ref else "none")
    kwargs = url_kwargs(world, spec.obj, "in") if spec.obj else {}
    persona = next((p for p in world.personas.values()
                    if expected(world, spec, p, "in" if on != "none" else None, on=on) is ALLOWED), None)
    if persona is None:
        pytest.skip("no role may make this call")
    url = reverse(op.name, kwargs={**dict(op.literals), **kwargs})
    if _query(spec, world):
        url += "?" + urlencode(_query(spec, world))
    body = json.dumps(_body(spec, world, persona, "in"))
    key = f"replay-{op.key}"[:128]
    problems = []
    savepoint = transaction.savepoint()
    try:
        post = lambda: persona.client.generic("POST", url, body, content_type="application/json",  # noqa: E731
                                              HTTP_IDEMPOTENCY_KEY=key)
        reveals = AuditLog.objects.filter(action="reveal").count()
        first = post()
        again = post()
        if again.status_code != first.status_code:
            problems.append(f"repeat: {_describe(again)} after {_describe(first)}")
        if spec.reveals:
            if again.has_header("Idempotency-Replayed"):
                problems.append("a reveal was replayed from storage")
            if AuditLog.objects.filter(action="reveal").count() != reveals + 2:
                problems.append("a repeated reveal is not audited")
        elif first.status_code < 500 and not again.has_header("Idempotency-Replayed"):
            problems.append(f"repeat not replayed: {_describe(again)}")
        User.objects.filter(pk=persona.user.pk).update(is_active=False)
        inactive = post()
        if inactive.status_code not in ANONYMOUS or inactive.has_header("Idempotency-Replayed"):
            problems.append(f"deactivated account: {_describe(inactive)} (expected 401/403, not a replay)")
        other_role = Role.RESIDENT if persona.user.role != Role.RESIDENT else Role.LEADER
        User.objects.filter(pk=persona.user.pk).update(is_active=True, role=other_role)
        demoted = post()
        if demoted.has_header("Idempotency-Replayed"):
            problems.append(f"role changed to {other_role}: replayed {_describe(demoted)}")
    finally:
        transaction.savepoint_rollback(savepoint)
    assert not problems, f"{op.key}:\n  " + "\n  ".join(problems)


# --- HTML pages that name an object -------------------------------------------------------------------------------

HTML_ROUTES = html_object_routes(("people/", "acceptance/", "grid/", "inspect/"))


@pytest.mark.django_db
@pytest.mark.parametrize("name,pattern,params", HTML_ROUTES, ids=[r[0] for r in HTML_ROUTES])
def test_html_page_hides_objects_outside_scope(world, name, pattern, params):
    """A page that takes an object id: without the capability 403, another committee's / 街道's / department's
    object 404, one's own object served. Anonymous visitors are sent to a login (or pairing) page."""
    from django.test import Client

    page = PAGES.get(name)
    if page is None:
        pytest.fail(f"No spec for the page {name} ({pattern}). Add it to tests/security/matrix.py PAGES: the "
                    f"capability its view requires and the kind of object its id names.")
    problems = []

    def fetch(client, variant):
        kwargs = {**page.kwargs, page.param: html_object_id(world, page.obj, variant, page.param)}
        url = reverse(name, kwargs=kwargs)
        STATS["html_calls"] = STATS.get("html_calls", 0) + 1
        savepoint = transaction.savepoint()
        try:
            return client.get(url) if page.method == "GET" else client.post(url, page.data)
        except Exception as exc:
            return _Failed(exc)
        finally:
            transaction.savepoint_rollback(savepoint)

    first = next(iter(world.objects[page.obj]))
    anonymous = fetch(Client(), first)
    if anonymous.status_code not in (302, 401, 403):
        problems.append(f"anonymous: {anonymous.status_code} (expected a redirect to log in, 401 or 403)")
    for role, persona in world.personas.items():
        for variant in world.objects[page.obj]:
            response = fetch(persona.html, variant)
            if not persona.has(page.gate):
                want = {403}
            elif not visible_html(world, page.obj, persona, variant):
                want = {404}
            elif not persona.has(page.act):
                want = {403}
            elif page.method == "GET":
                want = {200}
            else:
                want = {200, 302}
            if response.status_code not in want:
                problems.append(f"{role} on {variant}: {response.status_code} (expected {sorted(want)})")
    assert not problems, f"{page.method} {name}:\n  " + "\n  ".join(problems)


@pytest.mark.django_db
def test_resident_export_is_scoped_masked_and_audited(world):
    """The one bulk export of personal data (people/export/, Excel): only roles with people.export, only the
    residents in scope, ID numbers and phones masked, and every export in the audit log."""
    import io

    from openpyxl import load_workbook

    from shequ.core.models import AuditLog

    problems = []
    for role, persona in world.personas.items():
        before = AuditLog.objects.filter(action="export", user=persona.user).count()
        response = persona.html.get("/people/export/")
        if not persona.can("people.export"):
            if response.status_code != 403:
                problems.append(f"{role}: {response.status_code} (expected 403)")
            continue
        if response.status_code != 200:
            problems.append(f"{role}: {response.status_code} (expected 200)")
            continue
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
        for variant, resident in world.objects["resident"].items():
            shown = resident.name in cells
            if shown != visible(world, "resident", persona, variant):
                problems.append(f"{role}: the {variant} resident {'is' if shown else 'is not'} in the export")
        leaked = sorted(s for s in world.secrets if any(s in c for c in cells))
        if leaked:
            problems.append(f"{role}: plaintext personal data in the export: {leaked}")
        if AuditLog.objects.filter(action="export", user=persona.user).count() != before + 1:
            problems.append(f"{role}: the export is not in the audit log")
    assert not problems, "\n".join(problems)


# --- regressions of what the matrix found -------------------------------------------------------------------------

@pytest.mark.django_db
def test_it_refuses_a_hotline_order_located_in_another_jurisdiction(world):
    """Found by the matrix: a 12345 order whose coordinates lie in another 街道's grid was created there, in a
    queue its creator cannot see (a write outside the caller's jurisdiction)."""
    from shequ.grid.models import HotlineOrder

    operator = world.personas[Role.OPS_OPERATOR].client
    before = HotlineOrder.objects.count()
    lat, lng = POINTS["away"]
    one = operator.post("/api/v1/grid/hotline/", {"order_no": "REG-0001", "content": "噪声扰民", "lat": lat,
                                                  "lng": lng}, format="json")
    assert one.status_code == 400 and "location" in one.json()["errors"]
    batch = operator.post("/api/v1/grid/hotline/", [{"order_no": "REG-0002", "content": "噪声扰民", "lat": lat,
                                                     "lng": lng}], format="json")
    assert batch.status_code == 200 and batch.json()["created"] == 0 and len(batch.json()["errors"]) == 1
    assert HotlineOrder.objects.count() == before
    lat, lng = POINTS["in"]
    inside = operator.post("/api/v1/grid/hotline/", {"order_no": "REG-0003", "content": "噪声扰民", "lat": lat,
                                                     "lng": lng}, format="json")
    assert inside.status_code == 201 and inside.json()["id"]


@pytest.mark.django_db
def test_it_answers_a_merge_into_another_jurisdiction_like_a_merge_into_nothing(world):
    """Found by the matrix: merging into another 街道's case said "not in your jurisdiction" (and, for a void or
    merged one, "already void"), telling case numbers and states across jurisdictions apart from missing ones."""
    from shequ.grid import services

    from shequ.core.models import User

    away = world.extra["merge_targets"]["away"]  # void it: a void target used to answer 409 "already void"
    services.case_transition(actor=User.objects.get(username="x_operator_yx"), case=away, action="void",
                             note="重复上报")
    client = world.personas[Role.SHIFT_LEADER].client
    url = f"/api/v1/grid/cases/{world.extra['merge_source'].pk}/merge/"
    missing = client.post(url, {"target": "310110015-20990101-9999"}, format="json")
    other = client.post(url, {"target": away.number}, format="json")
    assert missing.status_code == other.status_code == 400
    assert missing.json() == other.json()


def test_zz_matrix_size():
    """Runs last (pytest keeps file order): the matrix above tried every API operation with every role and every
    HTML object page, so a parametrised case that stopped running (an ids clash, a collection change) fails here.
    The size is printed with -s or -rA; MATRIX_DEBUG=1 also prints the codes each allowed operation returned."""
    print(f"authz matrix: {STATS['operations']} API operations × {len(Role.values)} roles, {STATS['calls']} calls; "
          f"{len(HTML_ROUTES)} HTML pages, {STATS.get('html_calls', 0)} calls")
    import os
    if os.environ.get("MATRIX_DEBUG"):
        for key, codes in sorted(STATS.get("allowed", {}).items()):
            print(f"  {key}: {sorted(codes)}")
    if STATS["operations"] == 0 and not STATS.get("html_calls"):
        pytest.skip("the matrix was deselected in this run (-k or a node id)")
    assert STATS["operations"] == len(API_OPERATIONS)
    assert STATS["calls"] >= STATS["operations"] * len(Role.values)
    assert STATS.get("html_calls", 0) >= 2 * len(HTML_ROUTES)
