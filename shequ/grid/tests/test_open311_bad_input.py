"""Open311 bad input: the key only in the body, text longer than its field refused with the limit (never cut),
and public status notes that never carry the staff's free text."""

import pytest
from django.test import Client

from shequ.grid import services
from shequ.grid.choices import CaseAction as A
from shequ.grid.choices import CaseStatus
from shequ.grid.models import Case
from shequ.grid.tests.conftest import DUNHUA, act

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def key(env):
    _client, clear = services.open311_client_issue(actor=None, name="测试App", jurisdiction=env["node_sub"])
    return clear


@pytest.fixture
def http():
    return Client(enforce_csrf_checks=True)


def test_a_key_in_the_query_string_is_refused_even_alongside_one_in_the_body(env, key, http):
    answer = http.post(f"{BASE}/requests.json?api_key={key}", {"api_key": key, "service_code": "E0102",
                                                                "lat": DUNHUA[0], "long": DUNHUA[1]})
    assert answer.status_code == 400 and "api_key" in answer.json()[0]["description"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("field,limit", [("address_string", 200), ("description", 4000), ("first_name", 64),
                                         ("phone", 100), ("media_url", 300)])
def test_text_longer_than_its_field_is_refused_with_the_limit(env, key, http, field, limit):
    answer = http.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "E0102", "lat": DUNHUA[0],
                                                 "long": DUNHUA[1], field: "长" * (limit + 1)})
    assert answer.status_code == 400 and str(limit) in answer.json()[0]["description"]
    assert not Case.objects.exists()


def test_text_at_the_limit_is_kept_whole(env, key, http):
    address = "敦" * 200
    answer = http.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "E0102", "address_string": address})
    assert answer.status_code == 200 and Case.objects.get().address == address


def test_a_case_note_longer_than_the_limit_is_refused_not_cut(env, key, http):
    from shequ.core.errors import DomainError

    posted = http.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "E0102", "lat": DUNHUA[0],
                                                 "long": DUNHUA[1]}).json()[0]["service_request_id"]
    case = Case.objects.get(number=posted)
    with pytest.raises(DomainError) as refused:
        act(env, case, A.NOTE, "operator", note="长" * 501)
    assert "500" in refused.value.message
    case = act(env, Case.objects.get(pk=case.pk), A.NOTE, "operator", note="长" * 500)
    assert case.events.order_by("-pk").first().note == "长" * 500


def test_public_status_notes_never_carry_staff_free_text(env, key, http):
    posted = http.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "E0102", "lat": DUNHUA[0],
                                                 "long": DUNHUA[1]}).json()[0]["service_request_id"]
    case = Case.objects.get(number=posted)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.VOID, status_note="张三家里人吵架，内部处理")
    row = http.get(f"{BASE}/requests/{posted}.json").json()[0]
    assert "张三" not in row["status_notes"] and row["status_notes"].startswith(str(CaseStatus.VOID.label))
