"""Login names (issue 10, personal data at rest): a resident's login is named by the keyed hash of the mobile
number, never the number; the log-in forms, the API token log-in and the lockout rows all use that name."""

import importlib

import pytest
from django.apps import apps
from django.test import Client

from shequ.core.choices import AuditAction, Role
from shequ.core.logins import login_name
from shequ.core.models import AuditLog, User
from shequ.core.services import user_create

pytestmark = pytest.mark.django_db
PHONE = "13761239876"
PASSWORD = "Yanji-2026-ok!"


def test_a_login_created_with_a_mobile_number_is_named_by_its_hash_and_logs_in_with_the_number():
    user = user_create(actor=None, username=PHONE, full_name="", role=Role.RESIDENT, password=PASSWORD,
                       password_is_temporary=False)
    assert user.username == login_name(PHONE) and PHONE not in user.username and len(user.username) == 33
    assert login_name("137 6123 9876") == user.username and login_name("dunhua") == "dunhua"
    client = Client()
    answer = client.post("/m/login/", {"username": PHONE, "password": PASSWORD})
    assert answer.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)
    token = Client().post("/api/v1/auth/token/", {"username": PHONE, "password": PASSWORD},
                          content_type="application/json")
    assert token.status_code == 200, token.content


def test_a_failed_log_in_with_a_number_records_only_the_login_name():
    from axes.models import AccessAttempt

    Client().post("/m/login/", {"username": PHONE, "password": "wrong-password"})
    failed = AuditLog.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.username == login_name(PHONE)
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [login_name(PHONE)]


def test_the_migration_renames_logins_named_by_a_number_and_forgets_numbers_in_the_lockout_rows():
    from axes.models import AccessAttempt

    user = User.objects.create(username=PHONE, role=Role.RESIDENT)
    staff = User.objects.create(username="clerk_wang", role=Role.WINDOW_CLERK)
    AccessAttempt.objects.create(username=PHONE, ip_address="10.0.0.1", user_agent="x", failures_since_start=1)
    migration = importlib.import_module("shequ.portal.migrations.0002_login_names_not_phone_numbers")
    migration.forwards(apps, None)
    user.refresh_from_db()
    staff.refresh_from_db()
    assert user.username == login_name(PHONE) and user.full_name == "137****9876"
    assert staff.username == "clerk_wang" and not AccessAttempt.objects.exists()
