"""Two-person rule: the security administrator alone cannot reset another administrator's password or second
factor (and then sign in as them); a second administrator approves, and the person reset is notified."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequ.core.models import AdminReset, Notification
from shequ.core.testing import PASSWORD

NEW = "Tmp#Reset2026x"

pytestmark = pytest.mark.django_db


def _can_log_in(user, password) -> bool:
    return Client().post("/accounts/login/", {"username": user.username, "password": password}).status_code == 302


def test_it_waits_for_a_second_administrator_before_resetting_the_auditors_password(
        personas, client_as, django_capture_on_commit_callbacks):
    auditor, secadmin, sysadmin = personas["auditor"], personas["secadmin"], personas["sysadmin"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_as(secadmin).post(f"/users/{auditor.pk}/reset-password/", {"password": NEW})
    assert answer.status_code == 302
    assert not _can_log_in(auditor, NEW) and _can_log_in(auditor, PASSWORD)
    reset = AdminReset.objects.get(user=auditor)
    assert NEW not in reset.password_hash
    # The requester cannot approve their own request; the auditor cannot approve the reset of their account.
    client_as(secadmin).post("/users/resets/", {"reset": reset.pk})
    client_as(auditor).post("/users/resets/", {"reset": reset.pk})
    assert AdminReset.objects.get(pk=reset.pk).approved_at is None and _can_log_in(auditor, PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client_as(sysadmin).post("/users/resets/", {"reset": reset.pk})
    assert AdminReset.objects.get(pk=reset.pk).approved_by == sysadmin
    assert _can_log_in(auditor, NEW) and not _can_log_in(auditor, PASSWORD)
    assert Notification.objects.filter(recipient=auditor, title="您的账号已被重置").exists()
    assert Notification.objects.filter(recipient=sysadmin, title__contains=auditor.username).exists()


def test_it_waits_for_a_second_administrator_before_resetting_a_second_factor(personas, client_as):
    auditor = personas["auditor"]
    TOTPDevice.objects.get_or_create(user=auditor, name="phone", defaults={"confirmed": True})
    client_as(personas["secadmin"]).post(f"/users/{auditor.pk}/reset-2fa/")
    assert TOTPDevice.objects.filter(user=auditor).exists()
    reset = AdminReset.objects.get(user=auditor, kind="second_factor")
    client_as(personas["sysadmin"]).post("/users/resets/", {"reset": reset.pk})
    assert not TOTPDevice.objects.filter(user=auditor).exists()


def test_it_resets_an_ordinary_account_at_once(personas, client_as):
    worker = personas["dunhua"]
    client_as(personas["secadmin"]).post(f"/users/{worker.pk}/reset-password/", {"password": NEW})
    assert not AdminReset.objects.exists()
    worker.refresh_from_db()
    assert worker.check_password(NEW)


def test_it_refuses_the_approval_page_to_business_roles(personas, client_as):
    assert client_as(personas["clerk"]).get("/users/resets/").status_code == 403
    assert client_as(personas["sysadmin"]).get("/users/resets/").status_code == 200
