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
