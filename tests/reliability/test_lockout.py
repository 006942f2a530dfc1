"""Lockout under concurrency: 20 wrong-password logins at the same moment, on the web login page and on
`POST /api/v1/auth/token/`, lock the account (django-axes, database handler, limit AXES_FAILURE_LIMIT), and a
later login with the right password is refused (429) — also after the lock has been reached in parallel.

Measured, against the limit: how many of the 20 guesses reached the password check (counted by wrapping
`check_password`: in-process by monkeypatching, in gunicorn by a test-only config hook) and how many failures
axes recorded. The lock is checked before the password and the failure recorded after it, so guesses that
arrive together all pass the check: the overshoot is bounded by how many requests the server runs at once.
Run in-process (20 threads) and against a real gunicorn (2 workers × 8 threads).
"""

import re
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

from shequ.core.testing import run_threads

from .conftest import request

pytestmark = pytest.mark.django_db(transaction=True)
ATTEMPTS = 20


def _web_login(username, password):
    from django.test import Client

    return Client().post("/accounts/login/", {"username": username, "password": password}).status_code


def _api_login(username, password):
    from rest_framework.test import APIClient

    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password},
                            format="json").status_code


@pytest.fixture
def password_checks(monkeypatch):
    from django.contrib.auth.base_user import AbstractBaseUser

    checked: list[str] = []
    lock = threading.Lock()
    check = AbstractBaseUser.check_password

    def counted(self, raw_password):
        with lock:
            checked.append(self.get_username())
        return check(self, raw_password)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counted)
    return checked


@pytest.mark.parametrize("channel", ["web", "api"])
def test_it_locks_the_account_under_parallel_wrong_passwords(channel, personas, shared_db, password_checks, figure):
    from axes.models import AccessAttempt

    from shequ.core.testing import PASSWORD

    limit = settings.AXES_FAILURE_LIMIT
    login = _web_login if channel == "web" else _api_login
    statuses = shared_db.run_many(lambda _i: login("clerk", "wrong-password"), ATTEMPTS)
    assert not [s for s in statuses if isinstance(s, BaseException)], statuses
    assert set(statuses) <= {200 if channel == "web" else 400, 429}, statuses
    checked = password_checks.count("clerk")
    recorded = shared_db.run(lambda: sum(AccessAttempt.objects.filter(username="clerk")
                                         .values_list("failures_since_start", flat=True)))
    assert shared_db.run(login, "clerk", PASSWORD) == 429, "the right password was accepted after 20 wrong ones"
    assert password_checks.count("clerk") == checked, "the locked account's password was still checked"
    assert recorded == ATTEMPTS, "a failed attempt was not counted"
    assert limit <= checked <= ATTEMPTS
    figure(f"lockout in-process {channel}: passwords checked / recorded failures of {ATTEMPTS} parallel guesses "
           f"(limit {limit})", f"{checked} (overshoot {checked - limit}) / {recorded}")


def _csrf_login(base, username, password):
    """A browser's login over HTTP: GET the form (CSRF cookie + token), POST it back."""
    _status, headers, body = request("GET", base + "/accounts/login/")
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    status, _h, _b = request("POST", base + "/accounts/login/", form,
                             {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"})
    return status


def test_it_locks_the_account_under_parallel_wrong_passwords_on_a_real_server(server_db, gunicorn, tmp_path,
                                                                            figure):
    limit = settings.AXES_FAILURE_LIMIT
    log = tmp_path / "password-checks.log"
    log.touch()
    config = str(Path(__file__).with_name("gunicorn_test_hooks.py"))
    server = gunicorn(server_db, workers=2, threads=8, config=config, env={"SHEQU_TEST_PASSWORD_LOG": str(log)})
    base, password = server.url, server_db.seed["password"]
    channels = {"web": ("clerk", lambda pw: _csrf_login(base, "clerk", pw), 200),
                "api": ("dunhua", lambda pw: request("POST", base + "/api/v1/auth/token/",
                                                     {"username": "dunhua", "password": pw})[0], 400)}
    for channel, (username, login, wrong) in channels.items():
        statuses = run_threads(lambda _i: login("wrong-password"), ATTEMPTS)  # released together
        assert not [s for s in statuses if isinstance(s, BaseException)], statuses
        assert set(statuses) <= {wrong, 429}, statuses
        checked = log.read_text().split().count(username)
        recorded = server_db.query("SELECT COALESCE(SUM(failures_since_start), 0) FROM axes_accessattempt "
                                   "WHERE username = %s", [username])[0][0]
        assert login(password) == 429, f"{channel}: the right password was accepted after {ATTEMPTS} wrong ones"
        assert log.read_text().split().count(username) == checked, "the locked account's password was checked"
        assert recorded == ATTEMPTS and limit <= checked <= ATTEMPTS
        figure(f"lockout gunicorn 2x8 {channel}: passwords checked / recorded failures of {ATTEMPTS} parallel "
               f"guesses (limit {limit})", f"{checked} (overshoot {checked - limit}) / {recorded}")
