"""Roles (三权分立), navigation, the system-config admin, and authentication: lockout, sessions, TOTP, passwords."""

import datetime as dt
import re
from collections import defaultdict

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from shequ.core import permissions, services
from shequ.core.choices import ADMIN_ROLES, AuditAction, Role
from shequ.core.errors import DomainError
from shequ.core.hooks import nav_for
from shequ.core.models import AuditLog, Department
from shequ.core.testing import PASSWORD, make_user

NEW_PASSWORD = "Neu#Kennwort42"


def _login(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _sidebar_links(html: str) -> set[str]:
    match = re.search(r'<nav class="w-100 py-2">(.*?)</nav>', html, re.S)
    assert match, "the sidebar navigation is missing"
    return set(re.findall(r'href="([^"]+)"', match.group(1)))


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


# --- 三权分立 --------------------------------------------------------------------------------------------------

def test_it_finds_no_separation_problem_in_the_grants():
    assert permissions.check_separation() == []


def test_it_gives_no_role_both_user_management_and_audit_reading():
    grants = permissions.all_grants()
    assert grants, "no grants were registered"
    for role, caps in grants.items():
        assert not {"core.manage_users", "core.read_audit"} <= caps, role
        assert not {"core.manage_users", "core.manage_config"} <= caps, role
        assert not {"core.manage_config", "core.read_audit"} <= caps, role
    assert permissions.role_has(Role.SECADMIN, "core.manage_users")
    assert permissions.role_has(Role.AUDITOR, "core.read_audit")
    assert permissions.role_has(Role.SYSADMIN, "core.manage_config")


def test_it_gives_the_administrator_roles_no_business_capability():
    for role in ADMIN_ROLES:
        assert all(cap.startswith("core.") for cap in permissions.capabilities_of(role)), role


def test_it_reports_a_grant_that_breaks_the_separation(monkeypatch):
    copy = defaultdict(set, {role: set(caps) for role, caps in permissions._GRANTS.items()})
    monkeypatch.setattr(permissions, "_GRANTS", copy)
    permissions.grant([Role.SECADMIN], "core.read_audit")
    permissions.grant([Role.AUDITOR], "people.view")
    problems = permissions.check_separation()
    assert any("secadmin holds core.read_audit" in p for p in problems)
    assert any("auditor holds business capabilities" in p and "people.view" in p for p in problems)


@pytest.mark.django_db
def test_it_checks_capabilities_of_inactive_users_as_none(personas):
    clerk = personas["clerk"]
    assert clerk.can("core.view_calendar")
    clerk.is_active = False
    assert not clerk.can("core.view_calendar")


# --- navigation --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who, shown, hidden", [
    ("dunhua", {"/people/", "/", "/inbox/", "/tree/"}, {"/users/", "/audit/", "/config/", "/calendar/", "/operations/"}),
    ("clerk", {"/people/", "/calendar/"}, {"/users/", "/audit/", "/config/", "/operations/"}),
    ("secadmin", {"/users/", "/tree/"}, {"/people/", "/audit/", "/config/", "/calendar/", "/operations/"}),
    ("auditor", {"/audit/"}, {"/people/", "/users/", "/config/", "/tree/", "/calendar/", "/operations/"}),
    ("sysadmin", {"/config/", "/calendar/", "/tree/", "/operations/"}, {"/people/", "/users/", "/audit/"}),
])
def test_it_shows_each_role_only_its_navigation_entries(client_as, personas, who, shown, hidden):
    response = client_as(personas[who]).get("/")
    assert response.status_code == 200
    links = _sidebar_links(response.content.decode())
    assert shown <= links, links
    assert not (hidden & links), links


def test_it_labels_the_committee_workers_navigation_in_chinese(client_as, personas):
    html = client_as(personas["dunhua"]).get("/").content.decode()
    nav = re.search(r'<nav class="w-100 py-2">(.*?)</nav>', html, re.S).group(1)
    assert "居民信息" in nav
    assert "用户与权限" not in nav and "审计日志" not in nav
    labels = {str(item.label) for _section, items in nav_for(personas["secadmin"]) for item in items}
    assert "用户与权限" in labels and "居民信息" not in labels


def test_it_lists_each_navigation_entry_only_for_roles_holding_its_capability(personas):
    for user in personas.values():
        for _section, items in nav_for(user):
            for item in items:
                assert user.can(item.capability)


# --- the system-config admin ---------------------------------------------------------------------------------------

def test_it_opens_the_config_admin_for_the_sysadmin(client_as, personas):
    c = client_as(personas["sysadmin"])
    assert c.get("/system/").status_code == 200
    assert c.get("/system/core/calendaryear/").status_code == 200
    assert c.get("/system/core/department/").status_code == 200
    assert c.get("/system/core/user/").status_code == 404  # users are the secadmin's, not in this admin


@pytest.mark.parametrize("who", ["secadmin", "auditor", "leader", "dunhua"])
def test_it_refuses_the_config_admin_to_other_roles(client_as, personas, who):
    c = client_as(personas[who])
    response = c.get("/system/", follow=True)
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
    assert c.get("/system/core/department/", follow=True).status_code == 403
    assert AuditLog.objects.filter(action=AuditAction.DENIED, username=who).exists()


def test_it_sends_anonymous_visitors_of_the_config_admin_to_the_platform_login(db):
    c = Client()
    response = c.get("/system/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert c.get("/system/login/").status_code == 302


def test_it_audits_a_config_change_made_in_the_admin(client_as, personas, tree):
    c = client_as(personas["sysadmin"])
    response = c.post("/system/core/department/add/", {
        "code": "JW", "name": "街道纪工委", "short_name": "纪工委", "kind": "office", "node": tree["sub"].pk,
        "phone": "", "is_active": "on", "sort_order": 5})
    assert response.status_code == 302, response.content.decode()[:2000]
    department = Department.objects.get(code="JW")
    row = AuditLog.objects.get(action=AuditAction.CONFIG, object_type="core.department")
    assert row.object_id == str(department.pk) and row.username == "sysadmin"


# --- lockout -----------------------------------------------------------------------------------------------------

def test_it_locks_the_account_after_five_wrong_passwords(personas):
    c = Client()
    for attempt in range(4):
        response = _login(c, "clerk", "wrong-password")
        assert response.status_code == 200
        assert "账号或密码错误" in response.content.decode()
    response = _login(c, "clerk", "wrong-password")
    assert response.status_code == 429
    response = _login(Client(), "clerk", PASSWORD)
    assert response.status_code == 429
    assert "账号已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in Client().session


def test_it_refuses_an_api_token_to_a_locked_account(personas):
    api = APIClient()
    for _ in range(5):
        api.post("/api/v1/auth/token/", {"username": "clerk", "password": "wrong"}, format="json")
    response = api.post("/api/v1/auth/token/", {"username": "clerk", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"detail", "errors"} and "锁定" in body["detail"]
    assert "token" not in body


def test_it_shares_the_lockout_between_the_web_and_the_api(personas):
    c = Client()
    for _ in range(5):
        _login(c, "clerk", "wrong-password")
    response = APIClient().post("/api/v1/auth/token/", {"username": "clerk", "password": PASSWORD}, format="json")
    assert response.status_code == 429


def test_it_lets_the_secadmin_unlock_an_account(client_as, personas):
    for _ in range(5):
        _login(Client(), "clerk", "wrong-password")
    assert _login(Client(), "clerk", PASSWORD).status_code == 429
    secadmin = client_as(personas["secadmin"])
    page = secadmin.get(f"/users/{personas['clerk'].pk}/")
    assert page.context["locked"] is True
    response = secadmin.post(f"/users/{personas['clerk'].pk}/unlock/")
    assert response.status_code == 302
    assert secadmin.get(f"/users/{personas['clerk'].pk}/").context["locked"] is False
    response = _login(Client(), "clerk", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION, detail__op="unlock").exists()


def test_it_forgets_failures_after_a_successful_login(personas):
    for _ in range(4):
        _login(Client(), "clerk", "wrong-password")
    assert _login(Client(), "clerk", PASSWORD).status_code == 302
    for _ in range(4):
        _login(Client(), "clerk", "wrong-password")
    assert _login(Client(), "clerk", PASSWORD).status_code == 302


def test_it_unlocks_by_itself_after_the_cool_off(personas):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            _login(Client(), "clerk", "wrong-password")
        assert _login(Client(), "clerk", PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1))
        assert _login(Client(), "clerk", PASSWORD).status_code == 302


# --- sessions -----------------------------------------------------------------------------------------------------

def test_it_gives_a_new_session_key_at_login(personas):
    c = Client()
    session = c.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    assert _login(c, "clerk").status_code == 302
    after = c.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert c.get("/").status_code == 200


def test_it_ends_an_idle_session(client_as, personas):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        c = client_as(personas["clerk"])
        assert c.get("/").status_code == 200
        traveller.shift(dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60))
        assert c.get("/").status_code == 200  # still within the idle limit, and the activity is recorded
        traveller.shift(dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 1))
        response = c.get("/people/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=%2Fpeople%2F"
        login_page = c.get(response["Location"])
        assert "长时间未操作" in login_page.content.decode()
        assert c.get("/").status_code == 302  # the session is gone, not only refused once


def test_it_keeps_an_active_session_alive(client_as, personas):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        c = client_as(personas["clerk"])
        for _ in range(6):  # two hours of steady work
            assert c.get("/").status_code == 200
            traveller.shift(dt.timedelta(minutes=20))
        assert c.get("/").status_code == 200


def test_it_ends_a_session_after_its_absolute_lifetime_despite_activity(client_as, personas):
    step = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 120)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        c = client_as(personas["clerk"])
        assert c.get("/").status_code == 200
        elapsed = dt.timedelta(0)
        while True:
            traveller.shift(step)
            elapsed += step
            response = c.get("/")
            if response.status_code != 200:
                break
            assert elapsed < dt.timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT + 1), "never ended"
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert dt.timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT) < elapsed
        assert elapsed <= dt.timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT) + step


def test_it_logs_out_on_post_only(client_as, personas):
    c = client_as(personas["clerk"])
    assert c.get("/accounts/logout/").status_code == 405
    assert c.get("/").status_code == 200
    assert c.post("/accounts/logout/").status_code == 302
    assert c.get("/").status_code == 302


# --- second factor ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_it_sends_an_administrator_without_a_second_factor_to_the_otp_page(personas, who):
    c = Client()
    assert _login(c, who).status_code == 302
    for path in ("/", "/users/", "/audit/", "/system/", "/calendar/"):
        response = c.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/otp/", path


def test_it_lets_an_ordinary_role_in_without_a_second_factor(personas):
    c = Client()
    _login(c, "clerk")
    assert c.get("/").status_code == 200


def test_it_refuses_the_api_to_an_administrators_session_without_a_second_factor(personas):
    c = Client()
    _login(c, "secadmin")
    response = c.get("/api/v1/me/")
    assert response.status_code == 403
    assert set(response.json()) == {"detail", "errors"}


def test_it_enrols_a_totp_device_and_verifies_a_real_code(personas):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        c = Client()
        _login(c, "secadmin")
        page = c.get("/accounts/otp/")
        assert page.status_code == 200
        assert page.context["enrolling"] is True
        assert "<svg" in page.content.decode()
        device = TOTPDevice.objects.get(user=personas["secadmin"])
        assert device.confirmed is False
        assert page.context["secret"]
        wrong = c.post("/accounts/otp/", {"token": f"{(int(_code(device)) + 1) % 1000000:06d}"})
        assert wrong.status_code == 200 and "验证码错误" in wrong.content.decode()
        traveller.shift(dt.timedelta(seconds=5))  # past django-otp's throttle after a failure
        response = c.post("/accounts/otp/", {"token": _code(device)})
        assert response.status_code == 302 and response["Location"] == "/"
        device.refresh_from_db()
        assert device.confirmed is True
        assert c.get("/users/").status_code == 200
        # the enrolment does not repeat: the same page now only asks for a code
        c2 = Client()
        _login(c2, "secadmin")
        assert c2.get("/accounts/otp/").context["enrolling"] is False
        assert TOTPDevice.objects.filter(user=personas["secadmin"]).count() == 1


def test_it_refuses_a_reused_totp_code(personas):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        device = TOTPDevice.objects.create(user=personas["auditor"], name="phone", confirmed=True)
        first = Client()
        _login(first, "auditor")
        code = _code(device)
        assert first.post("/accounts/otp/", {"token": code}).status_code == 302
        assert first.get("/audit/").status_code == 200
        second = Client()
        _login(second, "auditor")
        reused = second.post("/accounts/otp/", {"token": code})
        assert reused.status_code == 200
        assert "验证码错误或已使用" in reused.content.decode()
        assert second.get("/audit/")["Location"] == "/accounts/otp/"
        traveller.shift(dt.timedelta(seconds=device.step + 5))
        assert second.post("/accounts/otp/", {"token": _code(device)}).status_code == 302
        assert second.get("/audit/").status_code == 200


@pytest.mark.parametrize("target, expected", [
    ("https://evil.example/phish", "/"),
    ("//evil.example/", "/"),
    ("/audit/?action=login", "/audit/?action=login"),
])
def test_it_only_follows_local_next_urls_after_the_second_factor(personas, target, expected):
    with time_machine.travel(timezone.now(), tick=False):
        device = TOTPDevice.objects.create(user=personas["auditor"], name="phone", confirmed=True)
        c = Client()
        _login(c, "auditor")
        response = c.post(f"/accounts/otp/?next={target}", {"token": _code(device)})
        assert response.status_code == 302
        assert response["Location"] == expected


def test_it_asks_for_the_second_factor_before_an_administrator_changes_the_password(personas):
    c = Client()
    _login(c, "secadmin")
    response = c.get("/accounts/password/")
    assert response.status_code == 302 and response["Location"] == "/accounts/otp/"
    response = c.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                              "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/otp/"
    personas["secadmin"].refresh_from_db()
    assert personas["secadmin"].check_password(PASSWORD)
    assert c.get("/accounts/otp/").status_code == 200
    assert c.post("/accounts/logout/").status_code == 302


def test_it_asks_an_administrator_with_a_temporary_password_for_both_factors_then_the_change(tree):
    services.user_create(actor=None, username="newaudit", full_name="新审计员", role=Role.AUDITOR,
                         password=PASSWORD)
    with time_machine.travel(timezone.now(), tick=False):
        c = Client()
        _login(c, "newaudit")
        assert c.get("/audit/")["Location"] == "/accounts/otp/"
        c.get("/accounts/otp/")
        device = TOTPDevice.objects.get(user__username="newaudit")
        assert c.post("/accounts/otp/", {"token": _code(device)}).status_code == 302
        assert c.get("/audit/")["Location"] == "/accounts/password/"
        c.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                       "new_password2": NEW_PASSWORD})
        assert c.get("/audit/").status_code == 200


def test_it_refuses_a_malformed_otp_code(personas):
    c = Client()
    _login(c, "auditor")
    response = c.post("/accounts/otp/", {"token": "12ab56"})
    assert response.status_code == 200
    assert "6位数字" in response.content.decode()


# --- passwords ------------------------------------------------------------------------------------------------------

def test_it_forces_a_temporary_password_to_be_changed_first(tree):
    user = services.user_create(actor=None, username="newclerk", full_name="新窗口", role=Role.WINDOW_CLERK,
                                password=PASSWORD, nodes=[tree["sub"]])
    c = Client()
    assert _login(c, "newclerk").status_code == 302
    for path in ("/", "/people/", "/calendar/", "/inbox/"):
        response = c.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/", path
    page = c.get("/accounts/password/")
    assert page.status_code == 200 and "临时密码" in page.content.decode()
    same = c.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": PASSWORD,
                                          "new_password2": PASSWORD})
    assert same.status_code == 200
    response = c.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                              "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert c.get("/").status_code == 200  # the session survives the change
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and user.password_changed_at is not None


def test_it_refuses_an_api_token_while_the_password_is_temporary(tree):
    services.user_create(actor=None, username="tempapi", full_name="临时", role=Role.WINDOW_CLERK,
                         password=PASSWORD, nodes=[tree["sub"]])
    response = APIClient().post("/api/v1/auth/token/", {"username": "tempapi", "password": PASSWORD},
                                format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"} and "修改密码" in response.json()["detail"]


def test_it_refuses_the_api_to_a_session_whose_password_must_change(tree):
    services.user_create(actor=None, username="tempsess", full_name="临时", role=Role.WINDOW_CLERK,
                         password=PASSWORD, nodes=[tree["sub"]])
    c = Client()
    _login(c, "tempsess")
    response = c.get("/api/v1/me/")
    assert response.status_code == 403
    assert "修改密码" in response.json()["detail"]


def test_it_forces_a_change_once_the_password_is_too_old(client_as, personas):
    c = client_as(personas["clerk"])
    assert c.get("/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 1), tick=False):
        c = client_as(personas["clerk"])
        response = c.get("/")
        assert response.status_code == 302 and response["Location"] == "/accounts/password/"


@pytest.mark.parametrize("password, code", [
    ("Ab1!xyz", "password_too_short"),
    ("abcdefghijkl", "password_too_simple"),
    ("ABCDEFGH1234", "password_too_simple"),
    ("Password123", "password_too_common"),
    ("84736251908", "password_entirely_numeric"),
])
def test_it_rejects_weak_passwords(password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert code in {e.code for e in exc.value.error_list}


def test_it_accepts_a_strong_password():
    validate_password(NEW_PASSWORD)
    validate_password("柳絮飞来片片红Ab9")


@pytest.mark.django_db
def test_it_rejects_a_weak_password_when_creating_a_user(tree):
    with pytest.raises(DomainError) as exc:
        services.user_create(actor=None, username="weak", full_name="弱", role=Role.WINDOW_CLERK,
                             password="abcdefgh", nodes=[tree["sub"]])
    assert exc.value.errors["password"]
    assert any("至少" in m or "大写字母" in m for m in exc.value.errors["password"])


def test_it_refuses_an_expired_account_at_login(tree):
    user = make_user(Role.WINDOW_CLERK, [tree["sub"]], username="expired")
    user.valid_until = timezone.localdate() - dt.timedelta(days=1)
    user.save()
    response = _login(Client(), "expired")
    assert response.status_code == 200
    assert "已过有效期" in response.content.decode()


def test_it_refuses_a_deactivated_account_at_login(personas):
    clerk = personas["clerk"]
    clerk.is_active = False
    clerk.save()
    response = _login(Client(), "clerk")
    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session


def test_it_ends_the_session_of_an_account_past_its_validity(client_as, personas):
    c = client_as(personas["clerk"])
    assert c.get("/").status_code == 200
    personas["clerk"].valid_until = timezone.localdate() - dt.timedelta(days=1)
    personas["clerk"].save(update_fields=["valid_until"])
    assert c.get("/people/").status_code == 302
    assert c.get("/").status_code == 302
