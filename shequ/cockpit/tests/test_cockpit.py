"""The leader's cockpit, its exports, the public headline page and the monthly brief PDF (API contract)."""

import datetime as dt
import subprocess
import tempfile

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from shequ.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _mid_morning():
    """The figures are the month's up to today: an event an hour from now must still be today, whatever the hour
    the suite runs at."""
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


@pytest.fixture
def attended(tree, personas):
    """A 敦化路 event this month with one resident checked in."""
    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.events import services

    start = timezone.now() + dt.timedelta(hours=1)
    event = services.event_create(actor=personas["dunhua"], title="延吉风韵月月展", node=tree["dunhua"],
                                  organiser="街道", start=start, end=start + dt.timedelta(hours=2), capacity=5,
                                  venue="文化活动中心")
    r = make_user(Role.RESIDENT, username="fan")
    reg = services.registration_create(actor=r, event=event)
    services.registration_check_in(actor=personas["dunhua"], registration=reg, now=start)
    return event


def _pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        return subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, check=True).stdout.decode()


def test_the_leader_sees_live_figures_and_drills_down(client_as, personas, tree, attended):
    c = client_as(personas["leader"])
    page = c.get("/cockpit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="ev-participations">1<' in html
    assert tree["dunhua"].name in html and "数据计算于" in html
    drill = c.get(f"/cockpit/?committee={tree['dunhua'].pk}")
    assert drill.status_code == 200 and f"领导驾驶舱 · {tree['dunhua'].name}" in drill.content.decode()
    assert 'data-figure="ev-participations">1<' in drill.content.decode()
    other = c.get(f"/cockpit/?committee={tree['kongjiang'].pk}").content.decode()
    assert 'data-figure="ev-participations">0<' in other
    assert c.get(f"/cockpit/?committee={tree['yinxing'].pk}").status_code == 404  # another 街道
    assert c.get("/cockpit/?committee=abc").status_code == 404
    bad = c.get("/cockpit/?month=2026-13")  # a bad month: this month shown, with the message, as a 400
    assert bad.status_code == 400 and "data-month-error" in bad.content.decode()


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "abcd-ef", "2026-03-01", "0000-00", "1999-12", "２０２６-０３"])
def test_the_cockpit_pages_refuse_a_malformed_month(client_as, personas, bad):
    c = client_as(personas["leader"])
    assert c.get("/cockpit/", {"month": bad}).status_code == 400
    assert c.get("/cockpit/brief.pdf", {"month": bad}).status_code == 400
    assert c.get("/cockpit/export/committees.xlsx", {"month": bad}).status_code == 400
    assert c.get("/api/v1/cockpit/overview/", {"month": bad}).status_code == 400


def test_a_month_without_data_still_renders(client_as, personas):
    c = client_as(personas["leader"])
    r = c.get("/cockpit/", {"month": "2019-02"})
    assert r.status_code == 200 and 'value="2019-02"' in r.content.decode()
    assert c.get("/cockpit/", {"month": ""}).status_code == 200  # empty: this month
    assert c.get("/api/v1/cockpit/overview/", {"month": "2019-02"}).json()["month"] == "2019-02"


def test_the_cockpit_is_cached_with_stated_freshness(personas, tree, attended):
    from shequ.cockpit import selectors

    month = timezone.localdate().replace(day=1)
    first = selectors.overview(user=personas["leader"], month=month)
    second = selectors.overview(user=personas["leader"], month=month)
    assert first["computed_at"] == second["computed_at"] and first["freshness"] == 300


def test_a_cached_overview_older_than_its_freshness_is_computed_again(personas, tree, attended):
    from shequ.cockpit import selectors

    month = timezone.localdate().replace(day=1)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first = selectors.overview(user=personas["leader"], month=month)
        clock.shift(dt.timedelta(seconds=selectors.FRESHNESS - 1))
        assert selectors.overview(user=personas["leader"], month=month)["computed_at"] == first["computed_at"]
        clock.shift(dt.timedelta(seconds=2))
        assert selectors.overview(user=personas["leader"], month=month)["computed_at"] > first["computed_at"]


def test_the_schedule_prefills_the_overview_of_leaders_who_signed_in_lately(personas, tree, attended):
    from django.core.cache import cache

    from shequ.cockpit import selectors
    from shequ.cockpit.tasks import prefill_overviews
    from shequ.core.schedule import entries

    leader = personas["leader"]
    assert "cockpit.prefill" in {e.name for e in entries()}
    month = timezone.localdate().replace(day=1)
    leader.last_login = timezone.now() - dt.timedelta(days=selectors.PREFILL_RECENT_DAYS + 1)
    leader.save(update_fields=["last_login"])
    cache.clear()
    assert prefill_overviews.call() == 0  # nobody signed in lately: nothing computed
    leader.last_login = timezone.now() - dt.timedelta(hours=2)
    leader.save(update_fields=["last_login"])
    assert prefill_overviews.call() == 1
    prefilled = cache.get(selectors._overview_key(leader, month, None))
    assert prefilled is not None
    # The leader's visit reads the prepared figures instead of computing them.
    assert selectors.overview(user=leader, month=month)["computed_at"] == prefilled["computed_at"]


def test_others_may_not_open_the_cockpit(client_as, personas):
    for who in ("dunhua", "clerk", "resident", "auditor"):
        assert client_as(personas[who]).get("/cockpit/").status_code == 403


def test_exports_are_excel_and_audited(client_as, personas, attended):
    c = client_as(personas["leader"])
    for name in ("committees", "trend", "targets"):
        r = c.get(f"/cockpit/export/{name}.xlsx")
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(action="export", object_type="cockpit.list").count() == 3
    assert c.get("/cockpit/export/nothing.xlsx").status_code == 404


def test_the_public_page_needs_no_login_and_shows_no_names(client, tree, attended):
    assert client.get("/cockpit/public/").status_code == 200
    r = client.get(f"/cockpit/public/?street={tree['sub'].code}")
    assert r.status_code == 200
    html = r.content.decode()
    assert tree["sub"].name in html and 'data-figure="pub-participations">1<' in html
    assert "fan" not in html


def test_monthly_brief_api_contract(api_as, personas, tree, attended):
    c = api_as(personas["leader"])
    month = timezone.localdate().strftime("%Y-%m")
    r = c.get(f"/api/v1/reports/monthly-brief.pdf?month={month}")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _pdf_text(r.content)
    y, m = int(month[:4]), int(month[5:])
    assert tree["sub"].name in text and f"{y}年{m}月" in text and "第1页" in text.replace(" ", "")
    empty = c.get("/api/v1/reports/monthly-brief.pdf?month=2019-02")  # a month without data
    assert empty.status_code == 200 and "2019年2月" in _pdf_text(empty.content)
    for bad in ("2026-13", "2026-1", "abcd-ef", "2026-03-01", "0000-00"):
        bad_r = c.get(f"/api/v1/reports/monthly-brief.pdf?month={bad}")
        assert bad_r.status_code == 400 and "month" in bad_r.json()["errors"], bad
    assert c.get(f"/api/v1/reports/monthly-brief.pdf?month={month}", HTTP_ACCEPT="application/pdf").status_code == 200
    assert api_as(personas["dunhua"]).get(f"/api/v1/reports/monthly-brief.pdf?month={month}").status_code == 403
    assert AuditLog.objects.filter(action="export", object_type="cockpit.brief").count() >= 2


def test_targets_panel_reads_the_targets_module_only_when_it_offers_progress(personas, monkeypatch):
    import types

    from shequ.cockpit import selectors

    fake = types.ModuleType("shequ.targets.selectors")
    fake.target_progress = lambda *, user, period=None: [{"code": "T1", "name": "生态文明户", "unit": "户",
                                                         "baseline": 0, "target": 1000, "actual": 120,
                                                         "progress": 12.0, "period": "2026", "source": "computed",
                                                         "light": "red"}]
    monkeypatch.setitem(__import__("sys").modules, "shequ.targets.selectors", fake)
    assert selectors.targets_progress(user=personas["leader"])[0]["code"] == "T1"
    monkeypatch.setitem(__import__("sys").modules, "shequ.targets.selectors", types.ModuleType("x"))
    assert selectors.targets_progress(user=personas["leader"]) is None


def test_core_month_parser_refuses_a_day_where_the_contract_is_a_month():
    from shequ.core.inputs import parse_month

    assert parse_month("2026-03-15") == dt.date(2026, 3, 1)
    assert parse_month("2026-03", allow_day=False) == dt.date(2026, 3, 1)
    with pytest.raises(ValueError):
        parse_month("2026-03-15", allow_day=False)
    assert parse_month(None, dt.date(2026, 5, 1), allow_day=False) == dt.date(2026, 5, 1)


def test_the_drill_down_shows_the_committees_acceptance_figures(client_as, tree, personas):
    """Cases carry their applicant's registered committee: a committee's drill-down shows its residents' cases,
    and says how many cases (applicants outside the registry) are in no committee's figures."""
    from shequ.acceptance import services as acceptance
    from shequ.acceptance.testing import build_centre
    from shequ.core.testing import make_resident, valid_id_number

    centre = build_centre(tree, personas)
    item = centre["dibao"]
    provided = [m.pk for m in item.materials.all()]
    resident = make_resident(personas["dunhua"], tree["dunhua"], name="张阿姨")
    acceptance.case_intake(actor=centre["clerk"], item=item, decision="accept", provided=provided,
                           applicant_resident=resident.pk)
    acceptance.case_intake(actor=centre["clerk"], item=item, decision="accept", provided=provided,
                           applicant={"name": "王访客", "id_number": valid_id_number(seed=7), "phone": "13800138000"})
    c = client_as(personas["leader"])
    street = c.get("/cockpit/").content.decode()
    assert "另有 1 件（50.0%）的申请人不是登记居民" in street
    html = c.get(f"/cockpit/?committee={tree['dunhua'].pk}").content.decode()
    assert 'data-figure="acc-received">1<' in html and "acc-committee-note" in html
    assert "其中 1 件的申请人不是登记居民" in html
    other = c.get(f"/cockpit/?committee={tree['kongjiang'].pk}").content.decode()
    assert 'data-figure="acc-received">0<' in other
    api = client_as(personas["leader"]).get(f"/api/v1/cockpit/overview/?committee={tree['dunhua'].pk}").json()
    assert api["acceptance"]["received"] == 1 and api["acceptance"]["unattributed"]["received"] == 1
    rows = {r["name"]: r for r in c.get("/api/v1/cockpit/overview/").json()["committees"]}
    assert rows[tree["dunhua"].name]["acc_received"] == 1


def test_a_district_leaders_brief_lists_its_subdistricts_not_every_committee(tree, attended):
    """A district's brief has one row per 街道 (rates from the grid's totals over its committees); a 街道 leader's
    brief keeps its committees."""
    from shequ.cockpit import selectors, services
    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    district_leader = make_user(Role.LEADER, [tree["district"]], username="quzhang")
    month = timezone.localdate().replace(day=1)
    data = selectors.overview(user=district_leader, month=month, use_cache=False)
    rows = selectors.subdistrict_rows(user=district_leader, data=data)
    assert [r["name"] for r in rows] == ["延吉新村街道", "殷行街道"]  # by pinyin
    yanji = rows[0]
    assert yanji["participations"] == 1 == sum(r["participations"] for r in data["committees"])
    text = _pdf_text(services.brief_pdf(user=district_leader, month=month)).replace(" ", "")
    assert "三、各街道" in text and "殷行街道" in text and "敦化路居委会" not in text
    leader = make_user(Role.LEADER, [tree["sub"]], username="jiedao")
    sub_data = selectors.overview(user=leader, month=month, use_cache=False)
    assert selectors.subdistrict_rows(user=leader, data=sub_data) is None
    assert "三、各居委会" in _pdf_text(services.brief_pdf(user=leader, month=month)).replace(" ", "")
