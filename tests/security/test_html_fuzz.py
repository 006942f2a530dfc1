"""Fuzz beyond the API schema (issue 10): the query parameters and filter-form fields of the main HTML list pages
and exports (people, acceptance, grid, the audit log) and every Open311 parameter (GET/POST requests, services,
one request) get malformed values — huge and negative integers, NaN and infinities, Unicode format characters,
NULs, the top of Unicode, very long strings, a parameter sent several times where one value is expected, dates
that do not exist (2026-02-30, 0000-01-01, 9999-12-31) and forged cursors. Each answer must be below 500: a 400 or
a page that shows the error, never a server error.

Bounded for the normal suite: Hypothesis derandomized, no example database, a few examples per page, every
request inside a savepoint that is rolled back (exports write audit rows, Open311 POSTs create cases). Failures
are collected and reported together instead of shrunk, so one run names every 500 it met."""

from __future__ import annotations

import re
import traceback
from urllib.parse import quote

import pytest
from django.db import transaction
from django.urls import path as url_path
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from shequ.core.choices import Role

pytestmark = pytest.mark.django_db

EXAMPLES = 6
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])

# --- values --------------------------------------------------------------------------------------------------------

NASTY = ["", " ", "0", "-1", "-0", "00000000000000000000001", str(2**63), str(-(2**63) - 1), str(10**40), "1.5",
         "1e309", "NaN", "nan", "inf", "-Infinity", "0x1F", "²", "٣", "１２", "true", "None", "null", "[]", "{}",
         "'", '"', "<script>", "%00", "\x00", "a\x00b", "\u202e", "\u200b", "\ufeff", "\u2066x", "\U000e0001",
         "\U0010ffff", "\uffff", "2026-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "2026-13-01",
         "2026-00-10", "2026-3-1", "2026/03/10", "20260310", "-2026-01-01", "2026-03-10T25:61:00", "2026-W11",
         "9999-12", "0000-00", "2026-13", "1899-12-31", "9" * 5000, "长" * 3000, "a,b,,c" * 200, "../../etc/passwd",
         "eyJpZCI6IC0xfQ==", "cD0xMjM0", "AAAA" * 50, "🙂" * 20]

values = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(lambda d: d.isoformat()),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
)


def query(names):
    """A query: up to five of the page's parameters (or their `name[]` twins), each sent one to three times."""
    keys = st.sampled_from(sorted(set(names) | {f"{n}[]" for n in names}))
    return st.dictionaries(keys, st.lists(values, min_size=1, max_size=3), max_size=5)


# --- pages ---------------------------------------------------------------------------------------------------------

COMMON = ("q", "page", "cursor", "sort", "order", "per_page", "page_size", "export", "format")
PAGES = ["/people/", "/people/export/", "/acceptance/cases/", "/acceptance/backoffice/", "/acceptance/overdue/",
         "/acceptance/catalogue/", "/acceptance/reviews/", "/acceptance/rectifications/", "/acceptance/figures/",
         "/acceptance/figures/assessment/", "/acceptance/archives/", "/acceptance/archives/log/", "/acceptance/rota/",
         "/acceptance/staff/", "/acceptance/trainings/",
         "/grid/cases/", "/grid/cases/export/", "/grid/hotline/", "/grid/roster/", "/grid/roster/export/",
         "/grid/inspections/", "/grid/stats/", "/grid/stats/trend.json", "/grid/stats/export/",
         "/grid/map/cases.geojson", "/audit/", "/users/"]
FILTERED = {"/people/", "/acceptance/cases/", "/grid/cases/", "/grid/hotline/", "/audit/"}
# Sent once each with every parameter of the page set to it: the values the issue names, so a page is never
# left to chance on them.
SWEEP = ["2026-02-30", "0000-01-01", "9999-12-31", str(10**40), "-1", "NaN", "a\x00b", "\u202e\U0010ffff",
         "9" * 5000]
# Who looks at the pages: the first of these that may open a page fuzzes it.
ROLES = [Role.COMMITTEE_WORKER, Role.LEADER, Role.HALL_SUPERVISOR, Role.SHIFT_LEADER, Role.OPS_OPERATOR,
         Role.DEPT_OFFICER, Role.DISPATCHER, Role.INSPECTOR, Role.WINDOW_CLERK, Role.AUDITOR, Role.SECADMIN,
         Role.SYSADMIN]
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)


def _isolated(send):
    """The answer to `send()`, or the exception it raised, inside a savepoint that is rolled back."""
    savepoint = transaction.savepoint()
    try:
        return send()
    except Exception as exc:  # noqa: BLE001 - a view's exception is what the fuzz looks for
        return exc
    finally:
        transaction.savepoint_rollback(savepoint)


def _get_form_names(html: str) -> set[str]:
    names = set()
    for attrs, body in _FORM.findall(html):
        if "post" not in attrs.lower():
            names |= set(_NAME.findall(body))
    return names - {"csrfmiddlewaretoken"}


def _problem(answer, what: str) -> str | None:
    if isinstance(answer, Exception):
        return f"{what}: {type(answer).__name__}: {answer}\n{''.join(traceback.format_tb(answer.__traceback__)[-3:])}"
    if answer.status_code >= 500:
        return f"{what}: {answer.status_code}"
    return None


def _show(params) -> str:
    return repr({k: [v[:40] + ("…" if len(v) > 40 else "") for v in vs] for k, vs in params.items()})


def _fuzz_page(client, path: str, names) -> list[str]:
    """The sweep (every parameter set to each value the issue names), then Hypothesis' own queries."""
    problems: list[str] = []
    for value in SWEEP + [["2026-03-10", "0000-01-01"]]:  # the last one: every parameter sent twice
        params = {name: value for name in names}
        problem = _problem(_isolated(lambda: client.get(path, params)), f"GET {path} all={str(value)[:40]!r}")
        if problem:
            problems.append(problem)

    @FUZZ
    @given(params=query(names))
    def fuzz(params):
        problem = _problem(_isolated(lambda: client.get(path, params)), f"GET {path} {_show(params)}")
        if problem:
            problems.append(problem)

    fuzz()
    return problems


@pytest.mark.parametrize("path", PAGES)
def test_html_list_page_answers_every_malformed_parameter_below_500(world, path):
    persona, baseline = None, None
    for role in ROLES:
        answer = _isolated(lambda: world.personas[role].html.get(path))
        if not isinstance(answer, Exception) and answer.status_code == 200:
            persona, baseline = world.personas[role], answer
            break
    assert persona is not None, f"no role opens {path}: fix the page list"
    html = baseline.content.decode("utf-8", "replace") if "html" in baseline.get("Content-Type", "") else ""
    names = sorted(_get_form_names(html) | set(COMMON))
    problems = _fuzz_page(persona.html, path, names)
    assert not problems, (f"{len(problems)} server errors on {path} as {persona.key} (parameters {names}):\n"
                          + "\n".join(problems[:8]))
    if path in FILTERED:  # the filter form was found, so its fields were fuzzed too
        assert len(names) > len(COMMON), names


# --- Open311 -------------------------------------------------------------------------------------------------------

OPEN311_GET = ("jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date", "status", "lat",
               "long", "address_string", "api_key")
OPEN311_POST = ("jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id", "description",
                "first_name", "last_name", "phone", "email", "device_id", "account_id", "media_url",
                "attribute[E010201]", "attribute[]", "attribute[x]")


@pytest.fixture(scope="module")
def open311_key(world, django_db_blocker):
    from shequ.grid import services

    with django_db_blocker.unblock():  # inside the world's transaction, rolled back with it
        _client, key = services.open311_client_issue(actor=None, name="模糊测试客户端", jurisdiction=world.tree["sub"])
    return key


def _open311_run(send, label: str, strategy) -> list[str]:
    problems: list[str] = []

    @FUZZ
    @given(data=strategy)
    def fuzz(data):
        answer = _isolated(lambda: send(data))
        problem = _problem(answer, f"{label} {data!r}"[:400])
        if problem:
            problems.append(problem)

    fuzz()
    return problems


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_get_requests_and_services_answer_every_malformed_parameter_below_500(world, client, fmt):
    problems = _open311_run(lambda p: client.get(f"/open311/v2/requests.{fmt}", p), f"GET requests.{fmt}",
                            query(OPEN311_GET))
    problems += _open311_run(lambda p: client.get(f"/open311/v2/services.{fmt}", p), f"GET services.{fmt}",
                             query(("jurisdiction_id", "lang", "service_code")))
    problems += _open311_run(lambda p: client.get(f"/open311/v2/discovery.{fmt}", p), f"GET discovery.{fmt}",
                             query(("jurisdiction_id",)))
    assert not problems, "\n".join(problems[:8])


def test_open311_one_request_and_one_service_answer_every_malformed_path_below_500(world, client):
    segment = values.filter(lambda v: v not in ("", ".", "..")).map(lambda v: quote(v[:300], safe=""))
    problems = _open311_run(lambda s: client.get(f"/open311/v2/requests/{s}.json", {"jurisdiction_id": s}),
                            "GET requests/{id}.json", segment)
    problems += _open311_run(lambda s: client.get(f"/open311/v2/services/{s}.xml"), "GET services/{code}.xml",
                             segment)
    problems += _open311_run(lambda s: client.get(f"/open311/v2/tokens/{s}.json"), "GET tokens/{token}.json",
                             segment)
    assert not problems, "\n".join(problems[:8])


def test_open311_post_requests_answers_every_malformed_field_below_500(world, client, open311_key):
    base = {"api_key": open311_key, "service_code": "E0102", "lat": "31.2775", "long": "121.5325"}

    def send(params):
        body = {**base, **params}
        return client.post("/open311/v2/requests.json", body)

    problems = _open311_run(send, "POST requests.json", query(OPEN311_POST))
    assert not problems, "\n".join(problems[:8])


# --- the fuzz itself can fail --------------------------------------------------------------------------------------

def _fragile(request):
    from django.http import HttpResponse

    return HttpResponse(str(int(request.GET.get("page") or 1) + 1))  # a 500 for anything but digits


urlpatterns = [url_path("fragile/", _fragile)]


@pytest.mark.urls(__name__)
def test_the_fuzz_finds_a_parameter_that_causes_a_500(client):
    problems = _fuzz_page(client, "/fragile/", ["page"])
    assert problems and all("ValueError" in p for p in problems)
