"""API tokens end when they should: the client's logout, the user's own password change, deactivation, and the
security administrator's revocation (API and the button on the user page)."""

import pytest
from rest_framework.test import APIClient

from shequ.core import services
from shequ.core.models import ApiToken, AuditLog
from shequ.core.testing import PASSWORD

NEW_PASSWORD = "Neu#Kennwort42"


def _token(user) -> APIClient:
    client = APIClient()
    answer = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert answer.status_code == 200, answer.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    return client


@pytest.mark.django_db
def test_it_revokes_only_the_calling_token_at_logout(personas):
    laptop, phone = _token(personas["dunhua"]), _token(personas["dunhua"])
    assert laptop.post("/api/v1/auth/logout/").status_code == 204
    assert laptop.get("/api/v1/me/").status_code == 401
    assert phone.get("/api/v1/me/").status_code == 200
    assert AuditLog.objects.filter(action="logout", object_id=str(personas["dunhua"].pk)).exists()


@pytest.mark.django_db
def test_it_revokes_tokens_when_the_user_changes_the_password(personas, client_as):
    api = _token(personas["dunhua"])
    web = client_as(personas["dunhua"])
    answer = web.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                              "new_password2": NEW_PASSWORD})
    assert answer.status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=personas["dunhua"]).exists()


@pytest.mark.django_db
def test_it_revokes_tokens_when_the_account_is_deactivated(personas):
    api = _token(personas["dunhua"])
    user = personas["dunhua"]
    services.user_update_access(actor=personas["secadmin"], user=user, role=user.role, nodes=list(user.nodes.all()),
                                department=None, valid_until=None, is_active=False)
    assert not ApiToken.objects.filter(user=user).exists()
    assert api.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_it_lets_the_security_administrator_revoke_every_token(personas, client_as, api_as):
    api = _token(personas["dunhua"])
    _token(personas["dunhua"])
    secadmin = client_as(personas["secadmin"])
    page = secadmin.get(f"/users/{personas['dunhua'].pk}/")
    assert "吊销接口令牌" in page.content.decode()
    answer = secadmin.post(f"/users/{personas['dunhua'].pk}/revoke-tokens/")
    assert answer.status_code == 302 and api.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=personas["dunhua"]).exists()
    _token(personas["dunhua"])
    answer = api_as(personas["secadmin"]).post("/api/v1/auth/tokens/revoke/", {"username": personas["dunhua"].username}, format="json")
    assert answer.status_code == 200 and answer.json() == {"revoked": 1}
    assert AuditLog.objects.filter(action="permission", detail__op="api_token_revoke").count() == 2


@pytest.mark.django_db
def test_it_refuses_revocation_to_anyone_else(personas):
    victim = personas["kongjiang"]
    _token(victim)
    answer = _token(personas["dunhua"]).post("/api/v1/auth/tokens/revoke/", {"username": victim.username},
                                             format="json")
    assert answer.status_code == 403 and ApiToken.objects.filter(user=victim).exists()
    assert _token(personas["clerk"]).post(f"/users/{victim.pk}/revoke-tokens/").status_code in (302, 403)
    assert ApiToken.objects.filter(user=victim).exists()


@pytest.mark.django_db
def test_it_answers_an_unknown_account_with_a_field_error(personas, api_as):
    answer = api_as(personas["secadmin"]).post("/api/v1/auth/tokens/revoke/", {"username": "nobody"}, format="json")
    assert answer.status_code == 400 and "username" in answer.json()["errors"]
