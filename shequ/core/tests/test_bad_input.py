"""Malformed requests get a 400 with a field message, never a 500 and never a silent change."""

import base64
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db


def _cursor(**tokens) -> str:
    return base64.b64encode(urlencode(tokens).encode()).decode()


@pytest.mark.parametrize("cursor", [
    "not-base64-at-all!!", _cursor(p="abc"), _cursor(p="9" * 30), _cursor(p="1.5e400"), _cursor(o="x"),
    _cursor(p="\U0010ffff"), base64.b64encode(b"\xff\xfe").decode(),
])
def test_it_refuses_a_forged_cursor(personas, api_as, cursor):
    answer = api_as(personas["dunhua"]).get("/api/v1/residents/", {"cursor": cursor})
    assert answer.status_code == 400 and "cursor" in answer.json()["errors"]


def test_it_follows_a_genuine_cursor(personas, api_as, tree):
    from shequ.core.testing import make_resident

    for i in range(3):
        make_resident(personas["dunhua"], tree["dunhua"], name="张三李四王五"[i * 2:i * 2 + 2])
    client = api_as(personas["dunhua"])
    first = client.get("/api/v1/residents/", {"page_size": 2}).json()
    second = client.get(first["next"])
    assert second.status_code == 200 and len(second.json()["results"]) == 1


@pytest.mark.parametrize("depth", [33, 100_000])
def test_it_refuses_deeply_nested_json(personas, api_as, depth):
    body = "[" * depth + "]" * depth
    answer = api_as(personas["dunhua"]).generic("POST", "/api/v1/residents/", body, content_type="application/json")
    assert answer.status_code == 400 and "detail" in answer.json()


def test_it_still_reads_ordinary_json(personas, api_as, tree):
    from shequ.core.testing import valid_id_number

    answer = api_as(personas["dunhua"]).post("/api/v1/residents/", {
        "name": "钱七", "id_number": valid_id_number(), "committee": tree["dunhua"].code, "address": "敦化路1号",
        "note": '含"引号"与[括号]{花括号}'}, format="json")
    assert answer.status_code == 201
