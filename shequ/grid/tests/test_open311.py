"""An Open311 GeoReport v2 client flow, in JSON and in XML, written from the spec (no session, no CSRF)."""

import datetime as dt
import io
import re
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.test import Client

from shequ.core import crypto
from shequ.grid import services
from shequ.grid.choices import CaseAction as A
from shequ.grid.models import Case, Open311Client
from shequ.grid.tests.conftest import DUNHUA, OUTSIDE, act

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
ISO_TZ = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def key(env):
    _client, clear = services.open311_client_issue(actor=None, name="测试App", jurisdiction=env["node_sub"])
    return clear


@pytest.fixture
def http():
    return Client(enforce_csrf_checks=True)


def parse(response, fmt):
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return response.json()
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def items(doc, fmt, root, item):
    if fmt == "json":
        return doc
    assert doc.tag == root
    return [{child.tag: child for child in el} for el in doc.findall(item)]


def text(value, fmt):
    return value if fmt == "json" else value.text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_serves_a_complete_client_flow(env, key, http, fmt):
    discovery = parse(http.get(f"{BASE}/discovery.{fmt}"), fmt)
    if fmt == "json":
        endpoint = discovery["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert set(endpoint["formats"]) == {"text/xml", "application/json"}
        assert discovery["contact"] and discovery["key_service"] and discovery["changeset"]
    else:
        assert discovery.tag == "discovery"
        assert discovery.find("endpoints/endpoint/specification").text == "http://wiki.open311.org/GeoReport_v2"
        assert [f.text for f in discovery.findall("endpoints/endpoint/formats/format")] == ["text/xml",
                                                                                              "application/json"]
    services_doc = items(parse(http.get(f"{BASE}/services.{fmt}"), fmt), fmt, "services", "service")
    assert len(services_doc) >= 40
    codes = {text(s["service_code"], fmt): s for s in services_doc}
    assert text(codes["C0101"]["metadata"], fmt) in (True, "true")
    assert text(codes["E0102"]["type"], fmt) == "realtime"
    definition = parse(http.get(f"{BASE}/services/C0101.{fmt}"), fmt)
    if fmt == "json":
        attribute = definition["attributes"][0]
        assert attribute["code"] == "condition" and attribute["required"] is True
        assert attribute["values"][0] == {"key": "broken", "name": "破损"}
    else:
        assert definition.tag == "service_definition"
        assert definition.find("attributes/attribute/code").text == "condition"
        assert definition.find("attributes/attribute/values/value/key").text == "broken"

    posted = http.post(f"{BASE}/requests.{fmt}", {
        "api_key": key, "service_code": "C0101", "lat": DUNHUA[0], "long": DUNHUA[1],
        "address_string": "敦化路100号", "description": "人行道上的井盖破了一个角", "attribute[condition]": "broken",
        "first_name": "小明", "last_name": "王", "email": "wang@example.com"})
    assert posted.status_code == 200, posted.content
    created = items(parse(posted, fmt), fmt, "service_requests", "request")
    request_id = text(created[0]["service_request_id"], fmt)
    assert "token" not in created[0]
    case = Case.objects.get(number=request_id)
    assert case.source == "resident" and case.grid == env["grid_dunhua"] and case.open311_client.name == "测试App"
    assert "井盖状况：broken" in case.description and case.reporter_name == "王 小明"

    fetched = items(parse(http.get(f"{BASE}/requests/{request_id}.{fmt}"), fmt), fmt, "service_requests", "request")
    row = fetched[0]
    assert text(row["status"], fmt) == "open" and text(row["service_code"], fmt) == "C0101"
    assert ISO_TZ.match(text(row["requested_datetime"], fmt)) and ISO_TZ.match(text(row["updated_datetime"], fmt))
    assert float(text(row["lat"], fmt)) == pytest.approx(round(DUNHUA[0], 3))  # the public precision

    # The case moves through the loop; the request reports it.
    case = act(env, case, A.SEND_VERIFY, "operator")
    case = act(env, case, A.VERIFY_OK, "inspector")
    case = act(env, case, A.FILE, "shiftlead")
    case = act(env, case, A.DISPATCH, "dispatcher", unit=env["chengguan"])
    row = items(parse(http.get(f"{BASE}/requests/{request_id}.{fmt}"), fmt), fmt, "service_requests", "request")[0]
    assert text(row["agency_responsible"], fmt) == env["chengguan"].name
    assert ISO_TZ.match(text(row["expected_datetime"], fmt)) and text(row["status_notes"], fmt) == "待签收"
    for action, user, kw in ((A.SIGN, "cgzf", {}), (A.FEEDBACK, "cgzf", {"note": "已更换井盖"}),
                             (A.CHECK_PASS, "inspector", {}), (A.CLOSE, "shiftlead", {})):
        case = act(env, case, action, user, **kw)
    row = items(parse(http.get(f"{BASE}/requests.{fmt}", {"service_request_id": request_id}), fmt), fmt,
                "service_requests", "request")[0]
    assert text(row["status"], fmt) == "closed"
    closed = dt.datetime.fromisoformat(text(row["updated_datetime"], fmt))
    assert closed == case.closed_at.replace(microsecond=0)

    listed = items(parse(http.get(f"{BASE}/requests.{fmt}", {"status": "closed", "service_code": "C0101,E0102"}),
                         fmt), fmt, "service_requests", "request")
    assert [text(r["service_request_id"], fmt) for r in listed] == [request_id]
    assert items(parse(http.get(f"{BASE}/requests.{fmt}", {"status": "open"}), fmt), fmt, "service_requests",
                 "request") == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_returns_a_token_to_a_batch_client_and_resolves_it(env, key, http, fmt):
    Open311Client.objects.update(token_only=True)
    posted = http.post(f"{BASE}/requests.{fmt}", {"api_key": key, "service_code": "E0102", "lat": DUNHUA[0],
                                                  "long": DUNHUA[1], "description": "垃圾"})
    row = items(parse(posted, fmt), fmt, "service_requests", "request")[0]
    assert "service_request_id" not in row
    token = text(row["token"], fmt)
    resolved = items(parse(http.get(f"{BASE}/tokens/{token}.{fmt}"), fmt), fmt, "service_requests", "request")[0]
    assert text(resolved["token"], fmt) == token
    assert Case.objects.filter(number=text(resolved["service_request_id"], fmt)).exists()


def _errors(response, fmt):
    doc = parse(response, fmt)
    if fmt == "json":
        assert isinstance(doc, list) and set(doc[0]) == {"code", "description"}
        return [(e["code"], e["description"]) for e in doc]
    assert doc.tag == "errors"
    return [(int(e.find("code").text), e.find("description").text) for e in doc.findall("error")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_answers_errors_in_the_spec_format_with_the_right_status(env, key, http, fmt):
    base = {"service_code": "E0102", "lat": DUNHUA[0], "long": DUNHUA[1], "description": "垃圾"}
    no_key = http.post(f"{BASE}/requests.{fmt}", base)
    assert no_key.status_code == 403 and _errors(no_key, fmt)[0][0] == 403
    bad_key = http.post(f"{BASE}/requests.{fmt}", {**base, "api_key": "wrong"})
    assert bad_key.status_code == 403
    missing = http.post(f"{BASE}/requests.{fmt}", {**base, "api_key": key, "service_code": ""})
    assert missing.status_code == 400 and "service_code" in _errors(missing, fmt)[0][1]
    unknown = http.post(f"{BASE}/requests.{fmt}", {**base, "api_key": key, "service_code": "ZZZ"})
    assert unknown.status_code == 404
    no_attr = http.post(f"{BASE}/requests.{fmt}", {**base, "api_key": key, "service_code": "C0101"})
    assert no_attr.status_code == 400 and "condition" in _errors(no_attr, fmt)[0][1]
    bad_attr = http.post(f"{BASE}/requests.{fmt}", {**base, "api_key": key, "service_code": "C0101",
                                                    "attribute[condition]": "nope"})
    assert bad_attr.status_code == 400
    outside = http.post(f"{BASE}/requests.{fmt}", {**base, "api_key": key, "lat": OUTSIDE[0], "long": OUTSIDE[1]})
    assert outside.status_code == 400 and "网格" in _errors(outside, fmt)[0][1]
    half = http.post(f"{BASE}/requests.{fmt}", {**base, "api_key": key, "long": ""})
    assert half.status_code == 400
    nowhere = http.post(f"{BASE}/requests.{fmt}", {"api_key": key, "service_code": "E0102"})
    assert nowhere.status_code == 400
    too_long = http.post(f"{BASE}/requests.{fmt}", {**base, "api_key": key, "description": "长" * 4001})
    assert too_long.status_code == 400
    assert not Case.objects.exists()
    assert http.get(f"{BASE}/services/ZZZ.{fmt}").status_code == 404
    assert http.get(f"{BASE}/requests/310110015-20990101-0001.{fmt}").status_code == 404
    assert http.get(f"{BASE}/tokens/nope.{fmt}").status_code == 404
    assert http.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "999999999999"}).status_code == 404
    assert http.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": ""}).status_code == 200  # empty = absent
    assert http.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "310110015000"}).status_code == 200
    too_wide = http.get(f"{BASE}/requests.{fmt}", {"start_date": "2026-01-01T00:00:00Z",
                                                   "end_date": "2026-06-01T00:00:00Z"})
    assert too_wide.status_code == 400
    assert http.get(f"{BASE}/requests.{fmt}", {"status": "pending"}).status_code == 400
    assert http.get(f"{BASE}/requests.{fmt}", {"start_date": "yesterday"}).status_code == 400
    assert http.get(f"{BASE}/nothing-here.{fmt}").status_code == 400


def test_it_refuses_an_unknown_format_and_needs_no_session(env, key, http):
    response = http.get(f"{BASE}/services.html")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/xml")
    # A multipart POST with a photo, no cookie, no CSRF token.
    from shequ.grid.tests.conftest import jpeg

    ok = http.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "E0102", "lat": DUNHUA[0],
                                              "long": DUNHUA[1], "media": jpeg()})
    assert ok.status_code == 200 and Case.objects.get().photos.count() == 1
    # The key only in the body: in the query string it would be written to access logs.
    refused = http.post(f"{BASE}/requests.json?api_key={key}", {"service_code": "E0102", "address_string": "敦化路1号"})
    assert refused.status_code == 400 and "请求体" in refused.json()[0]["description"]
    ok = http.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "E0102", "address_string": "敦化路1号"})
    assert ok.status_code == 200
    unlocated = Case.objects.get(number=ok.json()[0]["service_request_id"])
    assert unlocated.grid is None and unlocated.node == env["node_sub"]


def test_it_filters_requests_by_date(env, key, http, clock):
    http.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "E0102", "lat": DUNHUA[0],
                                        "long": DUNHUA[1]})
    clock.shift(dt.timedelta(days=10))
    http.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "E0102", "lat": DUNHUA[0],
                                        "long": DUNHUA[1]})
    assert len(http.get(f"{BASE}/requests.json").json()) == 2
    recent = http.get(f"{BASE}/requests.json", {"start_date": "2026-03-15T00:00:00+08:00"}).json()
    early = http.get(f"{BASE}/requests.json", {"end_date": "2026-03-15T00:00:00+08:00"}).json()
    assert len(recent) == 1 and len(early) == 1 and recent != early


def test_it_issues_keys_by_command_and_stores_only_a_hash(env):
    out, err = io.StringIO(), io.StringIO()
    call_command("open311_key", "市民App", stdout=out, stderr=err)
    key = out.getvalue().strip()
    client = Open311Client.objects.get(name="市民App")
    assert len(key) >= 40 and key not in client.key_hash and client.key_hash == crypto.keyed_hash(key)
    assert services.open311_client_for_key(key) == client
    call_command("open311_key", "市民App", stdout=io.StringIO(), stderr=io.StringIO())  # rotate
    assert services.open311_client_for_key(key) is None
