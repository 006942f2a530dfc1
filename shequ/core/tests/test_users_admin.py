"""The security administrator's pages: accounts, roles, scope, passwords, second factor — each audited."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from shequ.core import services
from shequ.core.choices import AuditAction, Role
from shequ.core.errors import DomainError
from shequ.core.models import ApiToken, AuditLog, User
from shequ.core.testing import PASSWORD

TEMP_PASSWORD = "Temp#Pass2026"


def _permission_rows(subject):
    return AuditLog.objects.filter(action=AuditAction.PERMISSION, object_type="core.user",
                                   object_id=str(subject.pk))


def _create(c, **overrides):
    data = {"username": "wangwu", "full_name": "王五", "role": Role.COMMITTEE_WORKER, "password": TEMP_PASSWORD,
            "valid_until": "", "department": "", **overrides}
    return c.post("/users/new/", data)


def _access(c, subject, **overrides):
    data = {"role": subject.role, "nodes": [n.pk for n in subject.nodes.all()],
            "department": subject.department_id or "", "valid_until": "", "is_active": "on", **overrides}
    data = {k: v for k, v in data.items() if v is not None}
    return c.post(f"/users/{subject.pk}/", data)


def _token_for(user) -> str:
    return services.api_token_issue(user=user, ttl_hours=1)


# --- access --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["sysadmin", "auditor", "clerk", "leader", "dunhua"])
def test_it_refuses_the_user_pages_to_everyone_but_the_secadmin(client_as, personas, who):
    c = client_as(personas[who])
    target = personas["kongjiang"]
    assert c.get("/users/").status_code == 403
    assert c.get("/users/new/").status_code == 403
    assert _create(c, nodes=[personas["kongjiang"].nodes.first().pk]).status_code == 403
    assert c.get(f"/users/{target.pk}/").status_code == 403
    assert _access(c, target, is_active=None).status_code == 403
    assert c.post(f"/users/{target.pk}/reset-password/", {"password": TEMP_PASSWORD}).status_code == 403
    assert c.post(f"/users/{target.pk}/reset-2fa/").status_code == 403
    assert c.post(f"/users/{target.pk}/unlock/").status_code == 403
    assert not User.objects.filter(username="wangwu").exists()
    target.refresh_from_db()
    assert target.is_active and target.check_password(PASSWORD)
    assert not _permission_rows(target).exclude(detail__op="create").exists()
    assert _permission_rows(target).count() == 1  # only the creation


def test_it_lists_and_searches_users_for_the_secadmin(client_as, personas):
    c = client_as(personas["secadmin"])
    response = c.get("/users/", {"q": "dunhua"})
    assert response.status_code == 200
    assert [u.username for u in response.context["page"].object_list] == ["dunhua"]
    by_role = c.get("/users/", {"role": Role.AUDITOR}).context["page"].object_list
    assert [u.username for u in by_role] == ["auditor"]


# --- creating accounts ----------------------------------------------------------------------------------------

def test_it_creates_a_user_with_role_scope_and_a_temporary_password(client_as, personas, tree):
    c = client_as(personas["secadmin"])
    response = _create(c, nodes=[tree["dunhua"].pk])
    assert response.status_code == 302
    user = User.objects.get(username="wangwu")
    assert response["Location"] == f"/users/{user.pk}/"
    assert user.role == Role.COMMITTEE_WORKER
    assert list(user.nodes.all()) == [tree["dunhua"]]
    assert user.check_password(TEMP_PASSWORD)
    assert user.password_changed_at is None  # must change at first login
    row = _permission_rows(user).get()
    assert row.username == "secadmin" and row.detail["op"] == "create"
    assert row.detail["role"] == Role.COMMITTEE_WORKER and row.detail["nodes"] == ["310110015001"]
    new = Client()
    new.post("/accounts/login/", {"username": "wangwu", "password": TEMP_PASSWORD})
    assert new.get("/")["Location"] == "/accounts/password/"


def test_it_creates_a_department_officer_with_a_department(client_as, personas, tree):
    c = client_as(personas["secadmin"])
    response = _create(c, username="mz2", role=Role.DEPT_OFFICER, nodes=[tree["sub"].pk],
                       department=tree["minzheng"].pk)
    assert response.status_code == 302
    assert User.objects.get(username="mz2").department == tree["minzheng"]


def test_it_refuses_a_department_officer_without_a_department(client_as, personas, tree):
    response = _create(client_as(personas["secadmin"]), role=Role.DEPT_OFFICER, nodes=[tree["sub"].pk])
    assert response.status_code == 200
    assert response.context["form"].errors["department"]
    assert not User.objects.filter(username="wangwu").exists()


def test_it_refuses_a_business_role_without_scope(client_as, personas):
    response = _create(client_as(personas["secadmin"]), role=Role.WINDOW_CLERK)
    assert response.status_code == 200
    assert "请选择管辖范围" in response.context["form"].errors["nodes"][0]
    assert not User.objects.filter(username="wangwu").exists()


def test_it_creates_an_administrator_without_scope(client_as, personas):
    response = _create(client_as(personas["secadmin"]), username="auditor2", role=Role.AUDITOR)
    assert response.status_code == 302
    assert User.objects.get(username="auditor2").nodes.count() == 0


@pytest.mark.parametrize("username", ["dunhua", "DunHua"])
def test_it_refuses_a_duplicate_username(client_as, personas, tree, username):
    response = _create(client_as(personas["secadmin"]), username=username, nodes=[tree["dunhua"].pk])
    assert response.status_code == 200
    assert "已被使用" in response.context["form"].errors["username"][0]
    assert User.objects.filter(username__iexact="dunhua").count() == 1


@pytest.mark.parametrize("overrides, field", [
    ({"username": "王 五"}, "username"),
    ({"password": "short"}, "password"),
    ({"password": "alllowercaseletters"}, "password"),
    ({"role": "superuser"}, "role"),
])
def test_it_refuses_bad_account_data(client_as, personas, tree, overrides, field):
    response = _create(client_as(personas["secadmin"]), nodes=[tree["dunhua"].pk], **overrides)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert User.objects.count() == len(personas)


# --- changing access ------------------------------------------------------------------------------------------

def test_it_changes_a_users_role_and_ends_their_sessions_and_tokens(client_as, personas, tree):
    target = personas["kongjiang"]
    victim_session = client_as(target)
    assert victim_session.get("/").status_code == 200
    token = _token_for(target)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 200

    response = _access(client_as(personas["secadmin"]), target, role=Role.LEADER, nodes=[tree["sub"].pk])
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.LEADER and list(target.nodes.all()) == [tree["sub"]]
    assert victim_session.get("/").status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=target).exists()
    row = _permission_rows(target).get(detail__has_key="after")
    assert row.detail["before"]["role"] == Role.COMMITTEE_WORKER
    assert row.detail["after"]["role"] == Role.LEADER
    assert row.detail["after"]["nodes"] == ["310110015000"]


def test_it_deactivates_a_user_and_ends_their_sessions_and_tokens(client_as, personas):
    target = personas["kongjiang"]
    other = personas["dunhua"]
    victim_session = client_as(target)
    bystander = client_as(other)
    token = _token_for(target)
    response = _access(client_as(personas["secadmin"]), target, is_active=None)
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_active is False
    assert victim_session.get("/").status_code == 302
    assert bystander.get("/").status_code == 200  # only that user's sessions end
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 401
    assert Client().post("/accounts/login/", {"username": "kongjiang", "password": PASSWORD}).status_code == 200
    assert _permission_rows(target).filter(detail__after__is_active=False).exists()


def test_it_keeps_sessions_when_only_the_scope_changes(client_as, personas, tree):
    target = personas["kongjiang"]
    session = client_as(target)
    _access(client_as(personas["secadmin"]), target, nodes=[tree["kongjiang"].pk, tree["dunhua"].pk])
    assert session.get("/").status_code == 200
    assert set(target.nodes.all()) == {tree["kongjiang"], tree["dunhua"]}


def test_it_refuses_a_secadmin_changing_their_own_role_or_disabling_themselves(client_as, personas):
    me = personas["secadmin"]
    c = client_as(me)
    response = _access(c, me, role=Role.AUDITOR)
    assert response.status_code == 200
    assert "请由另一名安全管理员操作" in response.context["form"].errors["role"][0]
    response = _access(c, me, is_active=None)
    assert response.status_code == 200
    me.refresh_from_db()
    assert me.role == Role.SECADMIN and me.is_active
    assert _permission_rows(me).count() == 1  # only the creation
    with pytest.raises(DomainError):
        services.user_update_access(actor=me, user=me, role=Role.SYSADMIN, nodes=[], department=None,
                                    valid_until=None, is_active=True)


def test_it_refuses_a_role_change_that_leaves_a_business_role_without_scope(client_as, personas):
    target = personas["auditor"]
    response = _access(client_as(personas["secadmin"]), target, role=Role.WINDOW_CLERK, nodes=None)
    assert response.status_code == 200
    assert response.context["form"].errors["nodes"]
    target.refresh_from_db()
    assert target.role == Role.AUDITOR


def test_it_lets_one_secadmin_change_another(client_as, personas):
    other = services.user_create(actor=None, username="secadmin2", full_name="安全管理员二", role=Role.SECADMIN,
                                 password=PASSWORD, password_is_temporary=False)
    response = _access(client_as(personas["secadmin"]), other, role=Role.AUDITOR)
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.role == Role.AUDITOR


# --- passwords and second factor --------------------------------------------------------------------------------

def test_it_resets_a_password_to_a_temporary_one(client_as, personas):
    target = personas["kongjiang"]
    victim_session = client_as(target)
    token = _token_for(target)
    response = client_as(personas["secadmin"]).post(f"/users/{target.pk}/reset-password/",
                                                     {"password": TEMP_PASSWORD})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(TEMP_PASSWORD) and target.password_changed_at is None
    assert victim_session.get("/").status_code == 302
    assert not ApiToken.objects.filter(user=target).exists(), token
    row = _permission_rows(target).get(detail__op="password_reset")
    assert row.username == "secadmin"
    assert TEMP_PASSWORD not in row.canonical().decode()
    c = Client()
    c.post("/accounts/login/", {"username": "kongjiang", "password": TEMP_PASSWORD})
    assert c.get("/")["Location"] == "/accounts/password/"


def test_it_refuses_a_weak_temporary_password(client_as, personas):
    target = personas["kongjiang"]
    response = client_as(personas["secadmin"]).post(f"/users/{target.pk}/reset-password/", {"password": "123"},
                                                     follow=True)
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.check_password(PASSWORD) and target.password_changed_at is not None
    assert not _permission_rows(target).filter(detail__op="password_reset").exists()
    assert any("密码" in str(m) for m in response.context["messages"])


def test_it_resets_the_second_factor(client_as, personas):
    target = personas["auditor"]
    auditor_session = client_as(target)  # enrols a confirmed device
    assert auditor_session.get("/audit/").status_code == 200
    secadmin = client_as(personas["secadmin"])
    assert secadmin.get(f"/users/{target.pk}/").context["has_totp"] is True
    response = secadmin.post(f"/users/{target.pk}/reset-2fa/")
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=target).exists()  # an administrator's account: two-person rule
    from shequ.core.models import AdminReset

    client_as(personas["sysadmin"]).post("/users/resets/", {"reset": AdminReset.objects.get(user=target).pk})
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert auditor_session.get("/audit/").status_code == 302
    assert _permission_rows(target).get(detail__op="reset_second_factor_requested").username == "secadmin"
    assert _permission_rows(target).get(detail__op="reset_second_factor_approved").username == "sysadmin"
    c = Client()
    c.post("/accounts/login/", {"username": "auditor", "password": PASSWORD})
    assert c.get("/accounts/otp/").context["enrolling"] is True


def test_it_answers_404_for_an_unknown_user(client_as, personas):
    c = client_as(personas["secadmin"])
    assert c.get("/users/999999/").status_code == 404
    assert c.post("/users/999999/reset-2fa/").status_code == 404


def test_it_only_accepts_posts_for_account_actions(client_as, personas):
    c = client_as(personas["secadmin"])
    target = personas["kongjiang"]
    for action in ("unlock", "reset-2fa", "reset-password"):
        assert c.get(f"/users/{target.pk}/{action}/").status_code == 405
