import re
from pathlib import Path

import pytest

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


@pytest.fixture
def shot(page):
    """shot(name) saves a full-page screenshot under var/screens/ (looked at by people, not compared)."""
    SCREENS.mkdir(parents=True, exist_ok=True)

    def _shot(name: str):
        path = SCREENS / (re.sub(r"[^\w-]+", "_", name) + ".png")
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture(autouse=True)
def _offline(page, live_server):
    """Browser tests never reach the network: anything not on the live server is aborted."""
    host = live_server.url.split("//", 1)[1]

    def guard(route):
        if host in route.request.url or route.request.url.startswith(("data:", "blob:")):
            return route.continue_()
        return route.abort()

    page.context.route("**/*", guard)


def login_page(page, live_server, username, password, *, wait_for_url=None):
    """Signs in through the login form. `live_server` is the fixture or its URL. Waits for the network to go idle,
    or for a URL matching `wait_for_url` (a page that keeps the network busy)."""
    base = getattr(live_server, "url", live_server)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    if wait_for_url is None:
        page.wait_for_load_state("networkidle")
    else:
        page.wait_for_url(wait_for_url)


def login_as(page, live_server, user, *, wait_for_url=None):
    """Signs `user` (a user or a username) in with the test password, after signing whoever was signed in on the
    page's browser context out (its cookies are cleared)."""
    from shequ.core.testing import PASSWORD

    page.context.clear_cookies()
    login_page(page, live_server, getattr(user, "username", user), PASSWORD, wait_for_url=wait_for_url)
