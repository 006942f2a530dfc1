"""Series (延吉风韵月月展), festivals (学习节), partner units (共建单位) and visiting delegations: create and edit
pages, validation, who may edit what (jurisdiction), and the audit rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.models import AuditLog
from shequ.events import services
from shequ.events.models import Delegation, Festival, PartnerUnit, Series

pytestmark = pytest.mark.django_db


def _audits(obj, action):
    return AuditLog.objects.filter(action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)).count()


def test_a_leader_creates_and_edits_a_series_through_the_pages(client_as, tree, personas):
    c = client_as(personas["leader"])
    assert c.get("/events/groups/").status_code == 200
    assert c.get("/events/series/new/").status_code == 200
    r = c.post("/events/series/new/", {"name": "延吉风韵月月展", "node": tree["sub"].pk, "description": "每月一展"})
    assert r.status_code == 302
    series = Series.objects.get(name="延吉风韵月月展")
    assert _audits(series, "create") == 1
    page = c.get("/events/groups/").content.decode()
    assert "延吉风韵月月展" in page and f"/events/series/{series.pk}/edit/" in page
    r = c.post(f"/events/series/{series.pk}/edit/", {"name": "延吉风韵·月月展", "node": tree["sub"].pk,
                                                      "description": "每月一展"})
    assert r.status_code == 302
    series.refresh_from_db()
    assert series.name == "延吉风韵·月月展" and _audits(series, "update") == 1
    log = AuditLog.objects.filter(action="update", object_id=str(series.pk)).latest("id")
    assert log.detail["changed"]["name"] == ["延吉风韵月月展", "延吉风韵·月月展"]
    # Saving unchanged writes no audit row.
    c.post(f"/events/series/{series.pk}/edit/", {"name": "延吉风韵·月月展", "node": tree["sub"].pk,
                                                 "description": "每月一展"})
    assert _audits(series, "update") == 1
    bad = c.post(f"/events/series/{series.pk}/edit/", {"name": "", "node": tree["sub"].pk})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()


def test_a_committee_worker_edits_his_committees_series_only(client_as, tree, personas):
    street = services.series_create(actor=personas["leader"], name="街道月月展", node=tree["sub"])
    own = services.series_create(actor=personas["dunhua"], name="敦化路读书月", node=tree["dunhua"])
    c = client_as(personas["dunhua"])
    page = c.get("/events/groups/").content.decode()
    assert "街道月月展" in page and f"/events/series/{street.pk}/edit/" not in page
    assert f"/events/series/{own.pk}/edit/" in page
    assert c.get(f"/events/series/{street.pk}/edit/").status_code == 403
    assert c.get(f"/events/series/{own.pk}/edit/").status_code == 200
    # Not into the 街道 nor another committee.
    with pytest.raises(Forbidden):
        services.series_update(actor=personas["dunhua"], series=own, name="x", node=tree["sub"])
    with pytest.raises(Forbidden):
        services.series_update(actor=personas["dunhua"], series=own, name="x", node=tree["kongjiang"])
    # Another 街道's worker does not see it at all.
    assert client_as(personas["yinxing"]).get(f"/events/series/{own.pk}/edit/").status_code == 404


def test_a_series_cannot_move_away_from_its_events(tree, personas):
    series = services.series_create(actor=personas["leader"], name="街道月月展", node=tree["sub"])
    start = timezone.now() + dt.timedelta(days=3)
    services.event_create(actor=personas["leader"], title="三月展", node=tree["kongjiang"], organiser="街道",
                          start=start, end=start + dt.timedelta(hours=2), capacity=50, venue="广场", series=series)
    with pytest.raises(DomainError) as refused:
        services.series_update(actor=personas["leader"], series=series, name="街道月月展", node=tree["dunhua"])
    assert "node" in refused.value.errors and "三月展" in refused.value.errors["node"][0]


def test_festival_dates_are_checked_and_edits_audited(client_as, tree, personas):
    c = client_as(personas["leader"])
    data = {"name": "2026年学习节", "node": tree["sub"].pk, "date_from": "2026-10-10", "date_to": "2026-10-01"}
    r = c.post("/events/festivals/new/", data)
    assert r.status_code == 200 and "结束日期不能早于开始日期" in r.content.decode()
    r = c.post("/events/festivals/new/", {**data, "date_to": "2026-10-20"})
    assert r.status_code == 302
    festival = Festival.objects.get(name="2026年学习节")
    r = c.post(f"/events/festivals/{festival.pk}/edit/", {**data, "date_to": "2026-10-25"})
    assert r.status_code == 302
    festival.refresh_from_db()
    assert festival.date_to == dt.date(2026, 10, 25) and _audits(festival, "update") == 1
    with pytest.raises(DomainError) as refused:
        services.festival_update(actor=personas["leader"], festival=festival, name="学习节", node=tree["sub"],
                                 date_from=dt.date(2026, 1, 1), date_to=dt.date(2027, 6, 1))
    assert "date_to" in refused.value.errors
    assert client_as(personas["dunhua"]).get(f"/events/festivals/{festival.pk}/edit/").status_code == 403


def test_partner_units_are_kept_by_the_subdistrict(client_as, tree, personas):
    c = client_as(personas["leader"])
    r = c.post("/events/partners/new/", {"name": "东部战区陆军军乐团", "kind": "部队", "is_active": "on"})
    assert r.status_code == 302
    unit = PartnerUnit.objects.get(name="东部战区陆军军乐团")
    services.partner_unit_create(actor=personas["leader"], name="上海歌舞团")
    r = c.post(f"/events/partners/{unit.pk}/edit/", {"name": "上海歌舞团", "kind": "部队"})
    assert r.status_code == 200 and "已有同名共建单位" in r.content.decode()
    r = c.post(f"/events/partners/{unit.pk}/edit/", {"name": "东部战区陆军军乐团", "kind": "部队", "contact": "王干事"})
    assert r.status_code == 302  # is_active unticked: set inactive
    unit.refresh_from_db()
    assert (unit.contact, unit.is_active) == ("王干事", False) and _audits(unit, "update") == 1
    assert unit not in services.selectors.partner_units()
    w = client_as(personas["dunhua"])
    assert "东部战区陆军军乐团" in w.get("/events/groups/").content.decode()
    assert w.get(f"/events/partners/{unit.pk}/edit/").status_code == 403
    assert w.get("/events/partners/new/").status_code == 403
    with pytest.raises(Forbidden):
        services.partner_unit_update(actor=personas["dunhua"], unit=unit, name="改名")
    with pytest.raises(ConflictError):
        services.partner_unit_create(actor=personas["leader"], name="上海歌舞团")
    with pytest.raises(DomainError):
        services.partner_unit_update(actor=personas["leader"], unit=unit, name="长" * 65)
    assert client_as(personas["resident"]).get("/events/groups/").status_code == 403


def test_a_delegation_is_edited_by_its_receiving_jurisdiction(client_as, tree, personas):
    d = services.delegation_create(actor=personas["dunhua"], date=timezone.localdate(), origin="嘉兴市考察团",
                                   node=tree["dunhua"], members=["张处长", "李科长"])
    c = client_as(personas["dunhua"])
    assert f"/events/delegations/{d.pk}/edit/" in c.get("/events/delegations/").content.decode()
    page = c.get(f"/events/delegations/{d.pk}/edit/").content.decode()
    assert "张处长" in page
    r = c.post(f"/events/delegations/{d.pk}/edit/", {"date": timezone.localdate().isoformat(), "origin": "嘉兴市南湖区考察团",
                                                      "node": tree["dunhua"].pk, "members": "张处长\n李科长\n王主任",
                                                      "member_count": ""})
    assert r.status_code == 302
    d.refresh_from_db()
    assert (d.origin, d.member_count, d.members) == ("嘉兴市南湖区考察团", 3, ["张处长", "李科长", "王主任"])
    log = AuditLog.objects.filter(action="update", object_id=str(d.pk), object_type="events.delegation").get()
    assert log.detail["changed"]["members"] == 3 and "王主任" not in str(log.detail)  # names are not logged
    r = c.post(f"/events/delegations/{d.pk}/edit/", {"date": timezone.localdate().isoformat(), "origin": "x",
                                                      "node": tree["dunhua"].pk, "members": "甲\n乙", "member_count": "1"})
    assert r.status_code == 200 and "人数不能少于所列成员" in r.content.decode()
    assert client_as(personas["kongjiang"]).get(f"/events/delegations/{d.pk}/edit/").status_code == 404
    street = services.delegation_create(actor=personas["leader"], date=timezone.localdate(), origin="外省考察团",
                                        node=tree["sub"], member_count=8)
    assert c.get(f"/events/delegations/{street.pk}/edit/").status_code in (403, 404)
    assert Delegation.objects.count() == 2
