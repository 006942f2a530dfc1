import threading

import pytest
from django.db import connection

from shequ.core.models import IdempotencyKey
from shequ.core.testing import valid_id_number
from shequ.people.models import Resident


def _payload(**over):
    return {"name": "赵六", "id_number": valid_id_number(), "committee": "310110015001", "address": "敦化路1号",
            **over}


def test_it_creates_one_object_for_a_repeated_key(personas, api_as):
    client = api_as(personas["dunhua"])
    body = _payload()
    first = client.post("/api/v1/residents/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/residents/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.content == again.content and again["Idempotency-Replayed"] == "true"
    assert Resident.objects.count() == 1


def test_it_refuses_a_key_reused_for_another_body(personas, api_as):
    client = api_as(personas["dunhua"])
    client.post("/api/v1/residents/", _payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = client.post("/api/v1/residents/", _payload(name="钱七"), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["errors"]
    assert Resident.objects.count() == 1


def test_it_scopes_keys_to_the_caller(personas, api_as):
    body = _payload(committee="310110015001")
    api_as(personas["dunhua"]).post("/api/v1/residents/", body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    response = api_as(personas["clerk"]).post("/api/v1/residents/", _payload(), format="json",
                                              HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 201 and "Idempotency-Replayed" not in response
    assert Resident.objects.count() == 2


def test_it_replays_validation_errors_too(personas, api_as):
    client = api_as(personas["dunhua"])
    bad = _payload(id_number="123")
    assert client.post("/api/v1/residents/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k-3").status_code == 400
    assert client.post("/api/v1/residents/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k-3").status_code == 400


def test_it_refuses_an_unusable_key(personas, api_as):
    response = api_as(personas["dunhua"]).post("/api/v1/residents/", _payload(), format="json",
                                               HTTP_IDEMPOTENCY_KEY="x" * 200)
    assert response.status_code == 400 and not Resident.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_creates_one_object_under_concurrent_repeats(tree, personas):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] in ("", ":memory:") or \
            "mode=memory" in str(connection.settings_dict.get("NAME")):
        pytest.skip("needs a database shared between threads: runs on PostgreSQL and file SQLite")
    from rest_framework.test import APIClient

    from shequ.core.testing import login

    body = _payload()
    results = []

    def post():
        client = login(APIClient(), personas["dunhua"])
        response = client.post("/api/v1/residents/", body, format="json", HTTP_IDEMPOTENCY_KEY="concurrent")
        results.append((response.status_code, response.content))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Resident.objects.count() == 1
    assert {status for status, _ in results} == {201}
    assert len({content for _, content in results}) == 1
    assert IdempotencyKey.objects.count() == 1


# --- replays are authenticated and authorised first; personal data is never kept -----------------------------

def _token_client(user):
    from rest_framework.test import APIClient

    from shequ.core.services import api_token_issue

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user, ttl_hours=72)}")
    return client


def test_it_refuses_a_replay_to_a_deactivated_account(personas):
    client = _token_client(personas["dunhua"])
    body = _payload()
    assert client.post("/api/v1/residents/", body, format="json", HTTP_IDEMPOTENCY_KEY="d-1").status_code == 201
    type(personas["dunhua"]).objects.filter(pk=personas["dunhua"].pk).update(is_active=False)
    again = client.post("/api/v1/residents/", body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert again.status_code == 401 and "Idempotency-Replayed" not in again
    assert body["id_number"] not in again.content.decode()


def test_it_does_not_replay_after_the_role_changed(personas):
    from shequ.core.choices import Role

    user = personas["dunhua"]
    client = _token_client(user)
    body = _payload()
    assert client.post("/api/v1/residents/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-1").status_code == 201
    type(user).objects.filter(pk=user.pk).update(role=Role.RESIDENT)
    again = client.post("/api/v1/residents/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert again.status_code == 403 and "Idempotency-Replayed" not in again


def test_it_never_stores_a_reveal_and_audits_every_one(personas):
    from shequ.core.models import AuditLog
    from shequ.core.testing import make_resident

    resident = make_resident(personas["dunhua"], personas["dunhua"].nodes.first(), phone="13912345678")
    client = _token_client(personas["dunhua"])
    url = f"/api/v1/residents/{resident.pk}/reveal/"
    for _ in range(2):
        answer = client.post(url, {"reason": "核对身份"}, format="json", HTTP_IDEMPOTENCY_KEY="rev-1")
        assert answer.status_code == 200 and answer.json()["id_number"] == resident.id_number
        assert "Idempotency-Replayed" not in answer
    assert not IdempotencyKey.objects.filter(key="rev-1").exists()
    assert AuditLog.objects.filter(action="reveal", object_id=str(resident.pk)).count() == 2
    stored = b"".join(bytes(k.body) for k in IdempotencyKey.objects.all())
    assert resident.id_number.encode() not in stored


def test_it_expires_and_purges_stored_keys(personas, settings):
    import datetime as dt

    import time_machine
    from django.core.management import call_command

    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    client = _token_client(personas["dunhua"])
    body = _payload()
    assert client.post("/api/v1/residents/", body, format="json", HTTP_IDEMPOTENCY_KEY="e-1").status_code == 201
    with time_machine.travel(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=25)):
        later = client.post("/api/v1/residents/", body, format="json", HTTP_IDEMPOTENCY_KEY="e-1")
        assert later.status_code == 409 and "Idempotency-Replayed" not in later  # run afresh: already registered
        IdempotencyKey.objects.create(principal="user:0:x", key="old", method="POST", path="/api/v1/x/",
                                      request_hash="0", created_at=dt.datetime.now(dt.timezone.utc)
                                      - dt.timedelta(hours=30))
        call_command("idempotency_purge", stdout=__import__("io").StringIO())
    assert not IdempotencyKey.objects.filter(key="old").exists()
