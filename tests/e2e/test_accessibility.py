"""The role × page walk: log in as every demo role, open every page of its navigation (and one detail page of
each list it has), at 1366 px and at 390 px, and run axe-core's WCAG 2.1 A/AA rules on each. Anonymous pages
(login, the public review form, device pairing) are walked too. Any violation fails the test.

The demo is seeded small (150 residents, a handful of grid cases, the acceptance centre's simulated fortnight)
with the clock pinned to a working Monday morning, so the walk sees the same pages on any day. The counts by rule
are written to var/a11y/walk.json for docs/ACCESSIBILITY.md.
"""

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from .a11y import axe_check, count_by_rule
from .conftest import login_page
from .screen_text import screen_text_problems

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "var" / "a11y"
WIDTHS = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]
PASSWORD = "Shequ#2026demo"
# One detail page per list: the first link in the list's table that matches.
DETAILS = {"/people/": "#resident-table tbody a[href^='/people/']",
           "/acceptance/cases/": "table a[href^='/acceptance/cases/']",
           "/grid/cases/": "table a[href^='/grid/cases/']",
           "/acceptance/catalogue/": "table a[href^='/acceptance/catalogue/']"}
PER_ROLE = {"/", "/inbox/"}
ANONYMOUS = ["/accounts/login/", "/acceptance/review/", "/acceptance/device/pair/"]


@pytest.fixture
def small_demo(settings):
    """The demo logins and data, small, on Monday 23 November 2026 at 10:00 (Shanghai)."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    settings.SHEQU_REQUIRE_2FA = False  # as in the demo: administrators log in with a password only
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        from tests.small_demo import seed_small_demo

        yield seed_small_demo(password=PASSWORD)


def _open(page, url):
    response = page.goto(url)
    try:
        page.wait_for_load_state("networkidle", timeout=4000)
    except Exception:  # a polling screen never goes idle; what it shows is there by now
        pass
    return response


TEXT_PROBLEMS: list[str] = []
# The page's visible text, without what the page marks as an identifier shown on purpose (`translate="no"`: a login
# name beside the person's name, a code in a code column).
VISIBLE_TEXT = """() => { const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) { const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest('[translate="no"], script, style, template, noscript')) continue;
    if (el.checkVisibility && !el.checkVisibility()) continue;
    out.push(node.textContent); }
  return out.join(" "); }"""


def _visible_text(page) -> str:
    return page.evaluate(VISIBLE_TEXT)


def _walk(page, base, urls, width, record):
    """Open each page, run axe on it and read its visible text for raw codes, reprs, scientific notation and
    English interface words; returns the detail pages found in the lists."""
    details = []
    for path in urls:
        response = _open(page, base + path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        record(path, width, axe_check(page))
        TEXT_PROBLEMS.extend(f"{path} @{width}: {p}" for p in screen_text_problems(_visible_text(page)))
        selector = DETAILS.get(path)
        if selector:
            link = page.locator(selector).first
            if link.count():
                details.append(link.get_attribute("href"))
    return details


def test_it_finds_no_wcag_violation_on_any_page_of_any_role(browser, live_server, small_demo):
    """Every page any role reaches is checked at both widths, by the first role (in DEMO_USERS order) that has it;
    the pages whose content is the role's own (the home page, the inbox) are checked for every role."""
    from shequ.core.hooks import nav_for
    from shequ.core.models import User

    OUT.mkdir(parents=True, exist_ok=True)
    TEXT_PROBLEMS.clear()
    log = (OUT / "walk.jsonl").open("w")
    findings, views = [], []

    def record(path, width, found):
        findings.extend(found)
        views.append(path)
        log.write(json.dumps({"url": path, "width": width, "violations": dict(count_by_rule(found)),
                              "targets": {f.rule: f.targets[:5] for f in found}}, ensure_ascii=False) + "\n")
        log.flush()

    for width in WIDTHS:
        context = browser.new_context(locale="zh-CN", viewport=width)
        _guard(context, live_server)
        _walk(context.new_page(), live_server.url, ANONYMOUS, width["width"], record)
        context.close()
    walked = set()
    for username in small_demo:
        user = User.objects.get(username=username)
        urls = [item.url for _section, items in nav_for(user) for item in items]
        urls = [u for u in urls if u in PER_ROLE or u not in walked]
        walked.update(urls)
        context = browser.new_context(locale="zh-CN", viewport=WIDTHS[0])
        _guard(context, live_server)
        page = context.new_page()
        login_page(page, live_server, username, PASSWORD)
        assert "/accounts/login/" not in page.url, f"{username} could not log in"
        for width in WIDTHS:
            page.set_viewport_size(width)
            details = [d for d in _walk(page, live_server.url, urls, width["width"], record) if d not in walked]
            _walk(page, live_server.url, details, width["width"], record)
        walked.update(details)
        context.close()
    log.close()

    totals = count_by_rule(findings)
    (OUT / "walk.json").write_text(json.dumps({"page_views": len(views), "distinct_pages": len(set(views)),
                                               "by_rule": dict(totals.most_common())}, ensure_ascii=False, indent=1))
    report = "\n".join(str(f) for f in findings[:60])
    texts = sorted(set(TEXT_PROBLEMS))
    (OUT / "screen_text.txt").write_text("\n".join(texts))
    assert not texts, f"{len(texts)} pieces of text no user should see:\n" + "\n".join(texts[:80])
    assert not findings, f"{sum(totals.values())} WCAG violations in {len(views)} page views {dict(totals)}:\n{report}"


def _guard(context, live_server):
    host = live_server.url.split("//", 1)[1]
    context.route("**/*", lambda route: route.continue_() if host in route.request.url or route.request.url.startswith(
        ("data:", "blob:")) else route.abort())
    context.add_init_script("window.print = function () {};")


SIZES = """() => {
  const small = [];
  document.querySelectorAll("main .btn, main .form-control, main .form-select, main .page-link, header .btn, nav .btn").forEach(el => {
    const r = el.getBoundingClientRect();
    if (r.width && r.height && (r.height < 43.5 || r.width < 43.5)) { small.push(el.outerHTML.slice(0, 90) + " " + Math.round(r.width) + "x" + Math.round(r.height)); }
  });
  return {font: parseFloat(getComputedStyle(document.body).fontSize), small};
}"""


@pytest.fixture
def monday(settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


def test_it_sizes_text_and_targets_for_elderly_readers(page, live_server, monday, personas, tree):
    """适老化: body text 16 px or more (18 px in 大字模式); every control 44 × 44 px on a phone, and at any width
    in 大字模式."""
    from shequ.core.testing import PASSWORD as TEST_PASSWORD
    from shequ.core.testing import make_resident

    make_resident(personas["dunhua"], tree["dunhua"], name="张三")
    page.set_viewport_size(WIDTHS[1])
    login_page(page, live_server, "dunhua", TEST_PASSWORD)
    page.goto(f"{live_server.url}/people/")
    assert page.url.endswith("/people/")
    sizes = page.evaluate(SIZES)
    assert sizes["font"] >= 16
    assert not sizes["small"], sizes["small"]
    with page.expect_navigation():
        page.locator("button.sq-large-toggle").first.click()
    assert "sq-large" in page.evaluate("document.body.className"), page.url
    for width in WIDTHS:
        page.set_viewport_size(width)
        page.goto(f"{live_server.url}/people/")
        sizes = page.evaluate(SIZES)
        assert sizes["font"] >= 18, (width, page.evaluate("document.body.className"), page.url)
        assert not sizes["small"], (width, sizes["small"])
