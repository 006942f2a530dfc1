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


@pytest.mark.parametrize("search", ["\U0010ffff", "a\U0010ffff", "张\U0010ffff\U0010ffff", "\ud7ff", "zz\ud7ff"])
def test_it_searches_with_characters_at_the_top_of_unicode(personas, client_as, api_as, search):
    assert client_as(personas["dunhua"]).get("/people/", {"q": search}).status_code == 200
    assert api_as(personas["dunhua"]).get("/api/v1/residents/", {"search": search}).status_code in (200, 400)


def test_prefix_range_bounds_exactly_the_strings_with_the_prefix():
    from shequ.core.text import prefix_range

    assert prefix_range("ab") == ("ab", "ac")
    assert prefix_range("a\U0010ffff") == ("a\U0010ffff", "b")
    assert prefix_range("\U0010ffff") == ("\U0010ffff", None)
    assert prefix_range("a\ud7ff") == ("a\ud7ff", "a\ue000")


@pytest.mark.parametrize("name", ["张\u200b三", "\u202e三张", "张\u2066三", "李\ufeff四", "王\u200d五"])
def test_it_refuses_names_with_invisible_characters(personas, api_as, tree, name):
    from shequ.core.testing import valid_id_number

    answer = api_as(personas["dunhua"]).post("/api/v1/residents/", {
        "name": name, "id_number": valid_id_number(), "committee": tree["dunhua"].code, "address": "敦化路1号"},
        format="json")
    assert answer.status_code == 400 and "name" in answer.json()["errors"]
