"""Idempotent creation: a POST repeated with the same `Idempotency-Key` creates one object — a resident, an
acceptance case, a grid case, a queue ticket — whether the repeat comes after the first answer or at the same
moment from several threads (each with its own connection), and a request that died before it committed can
be retried with the same key. Clients authenticate as real clients do: an API token, or a kiosk's device token.
"""

import uuid

import pytest

from .conftest import DUNHUA, applicant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clients(centre, grid_env):
    """kind → (url, Authorization header, body factory, count of objects)."""
    from shequ.acceptance import services as acceptance
    from shequ.acceptance.choices import DeviceKind
    from shequ.acceptance.models import Case as AcceptanceCase, Ticket
    from shequ.core.services import api_token_issue
    from shequ.core.testing import valid_id_number
    from shequ.grid.models import Case as GridCase
    from shequ.people.models import Resident

    token = {name: api_token_issue(user=grid_env[name], ttl_hours=24) for name in ("dunhua", "clerk", "inspector")}
    _device, code = acceptance.device_create(actor=centre["supervisor"], node=centre["sub"], name="取号机1",
                                             kind=DeviceKind.KIOSK)
    _device, kiosk = acceptance.device_pair(code=code, source="test")
    materials = [m.pk for m in centre["dibao"].materials.all()]
    return {
        "resident": ("/api/v1/residents/", f"Token {token['dunhua']}",
                     lambda: {"name": "赵六", "id_number": valid_id_number(), "committee": grid_env["node_dunhua"].code,
                              "address": "敦化路1号"}, Resident.objects.count),
        "acceptance-case": ("/api/v1/acceptance/cases/", f"Token {token['clerk']}",
                            lambda: {"item": "MZ-JZ-01", "decision": "accept", "applicant": applicant(77),
                                     "materials": materials}, AcceptanceCase.objects.count),
        "grid-case": ("/api/v1/grid/cases/", f"Token {token['inspector']}",
                      lambda: {"category": "E0102", "description": "绿化带边有暴露垃圾", "lat": DUNHUA[0],
                               "lng": DUNHUA[1], "address": "敦化路100号"}, GridCase.objects.count),
        "ticket": ("/api/v1/acceptance/tickets/", f"Device {kiosk}", lambda: {"category": "A"},
                   Ticket.objects.count),
    }


KINDS = ["resident", "acceptance-case", "grid-case", "ticket"]


def _post(url, auth, body, key):
    from rest_framework.test import APIClient

    response = APIClient().post(url, body, format="json", HTTP_AUTHORIZATION=auth, HTTP_IDEMPOTENCY_KEY=key)
    return response.status_code, response.content, response.get("Idempotency-Replayed")


@pytest.mark.parametrize("kind", KINDS)
def test_it_creates_one_object_for_a_repeated_post(kind, clients, shared_db):
    url, auth, body, count = clients[kind]
    payload, key = body(), str(uuid.uuid4())
    first = shared_db.run(_post, url, auth, payload, key)
    again = shared_db.run(_post, url, auth, payload, key)
    assert first[0] == 201, first[1][:300]
    assert again == (201, first[1], "true")
    assert shared_db.run(count) == 1
    other = shared_db.run(_post, url, auth, payload, str(uuid.uuid4()))  # a new key is a new request
    assert other[0] in (201, 409) and other[2] is None  # 409: the same person registered twice


@pytest.mark.parametrize("kind", KINDS)
def test_it_creates_one_object_for_concurrent_repeats(kind, clients, shared_db):
    url, auth, body, count = clients[kind]
    payload, key = body(), str(uuid.uuid4())
    results = shared_db.run_many(lambda _i: _post(url, auth, payload, key), 8)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert {r[0] for r in results} == {201}, [r[1][:200] for r in results]
    assert len({r[1] for r in results}) == 1, "the repeats did not get the first response"
    assert sorted(str(r[2]) for r in results) == ["None"] + ["true"] * 7
    assert shared_db.run(count) == 1


class ProcessDied(BaseException):
    """Stands for the worker being killed: not an Exception, so nothing turns it into a response."""


def test_it_lets_a_request_that_died_before_answering_be_retried_with_its_key(clients, shared_db, monkeypatch):
    """The resident is written, then the process dies before the answer is stored. The retry with the same key
    must neither wait forever on a key that will never be answered nor create a second resident."""
    from shequ.core import idempotency
    from shequ.people import api

    url, auth, body, count = clients["resident"]
    payload, key = body(), str(uuid.uuid4())
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.5)
    respond = api.ResidentViewSet._respond

    def die(self, resident, status=200, **kwargs):
        raise ProcessDied

    monkeypatch.setattr(api.ResidentViewSet, "_respond", die)
    with pytest.raises(ProcessDied):
        shared_db.run(_post, url, auth, payload, key)
    monkeypatch.setattr(api.ResidentViewSet, "_respond", respond)
    retry = shared_db.run(_post, url, auth, payload, key)
    assert retry[0] == 201, retry[1][:300]
    assert shared_db.run(count) == 1
    assert shared_db.run(_post, url, auth, payload, key) == (201, retry[1], "true")


def test_it_releases_the_key_of_a_request_that_failed_with_a_server_error(clients, shared_db, monkeypatch):
    from rest_framework.test import APIClient

    from shequ.people import services

    url, auth, body, count = clients["resident"]
    payload, key = body(), str(uuid.uuid4())
    create = services.resident_create

    def broken(**kwargs):
        create(**kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "resident_create", broken)

    def post_raw():
        client = APIClient(raise_request_exception=False)
        return client.post(url, payload, format="json", HTTP_AUTHORIZATION=auth, HTTP_IDEMPOTENCY_KEY=key).status_code

    assert shared_db.run(post_raw) == 500
    assert shared_db.run(count) == 0
    monkeypatch.setattr(services, "resident_create", create)
    assert shared_db.run(_post, url, auth, payload, key)[0] == 201
    assert shared_db.run(count) == 1


def test_it_refuses_a_key_reused_for_another_body(clients, shared_db):
    url, auth, body, count = clients["grid-case"]
    key = str(uuid.uuid4())
    assert shared_db.run(_post, url, auth, body(), key)[0] == 201
    other = {**body(), "description": "另一处问题的描述"}
    status, content, _replayed = shared_db.run(_post, url, auth, other, key)
    assert status == 422 and b"Idempotency-Key" in content
    assert shared_db.run(count) == 1
