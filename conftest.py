"""Fixtures shared by the whole suite: a jurisdiction tree and fixed personas per role and committee."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # pytest-django live_server with Playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}


@pytest.fixture(autouse=True)
def _clean_caches(request, django_db_blocker):
    """Each test starts with empty caches. The database cache's table is not a model, so a transactional test's
    flush leaves it full: a figure cached by one browser test would be served to the next."""
    from django.core.cache import caches

    from shequ.core import workcal

    workcal.clear_cache()
    caches["local"].clear()
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("live_server", "transactional_db"))
    if transactional:
        with django_db_blocker.unblock():
            caches["default"].clear()
    yield
    workcal.clear_cache()


@pytest.fixture
def tree(db):
    from shequ.core.testing import build_tree
    from shequ.people.services import tags_ensure_defaults

    tags_ensure_defaults()
    return build_tree()


@pytest.fixture
def personas(tree):
    """Fixed people: a committee worker of 敦化 and one of 控江, a window clerk and a leader of the 街道, a
    民政 back-office officer, a worker of another 街道, the three administrators and a resident."""
    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    return {
        "dunhua": make_user(Role.COMMITTEE_WORKER, [tree["dunhua"]], username="dunhua"),
        "kongjiang": make_user(Role.COMMITTEE_WORKER, [tree["kongjiang"]], username="kongjiang"),
        "yinxing": make_user(Role.COMMITTEE_WORKER, [tree["yinxing"]], username="yinxing"),
        "clerk": make_user(Role.WINDOW_CLERK, [tree["sub"]], username="clerk"),
        "leader": make_user(Role.LEADER, [tree["sub"]], username="leader"),
        "officer": make_user(Role.DEPT_OFFICER, [tree["sub"]], tree["minzheng"], username="officer"),
        "patrol": make_user(Role.PATROL, [tree["sub"]], username="patrol"),
        "sysadmin": make_user(Role.SYSADMIN, username="sysadmin"),
        "secadmin": make_user(Role.SECADMIN, username="secadmin"),
        "auditor": make_user(Role.AUDITOR, username="auditor"),
        "resident": make_user(Role.RESIDENT, username="resident"),
    }


@pytest.fixture
def client_as(client):
    """client_as(user) → a Django test client logged in as that user (with 2FA done for admin roles)."""
    from django.test import Client

    from shequ.core.testing import login

    def _as(user):
        return login(Client(), user)

    return _as


@pytest.fixture
def api_as():
    """api_as(user) → a DRF APIClient authenticated as that user (session)."""
    from rest_framework.test import APIClient

    from shequ.core.testing import login

    def _as(user):
        return login(APIClient(), user)

    return _as
