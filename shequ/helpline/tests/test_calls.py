"""The 96980 line: logging with the number encrypted and masked, routing to a grid case (linked both ways), to
the acceptance centre's notice of materials and to a day-care centre, call-back transitions, scoping."""

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone

from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.models import AuditLog
from shequ.grid.testing import DUNHUA
from shequ.helpline import selectors, services
from shequ.helpline.choices import CallStatus, Outcome
from shequ.helpline.models import Call

pytestmark = pytest.mark.django_db


def test_it_stores_the_number_encrypted_and_shows_it_masked(call, line, client_as):
    with connection.cursor() as cursor:
        cursor.execute("SELECT caller_phone FROM helpline_call WHERE id = %s", [call.pk])
        stored = cursor.fetchone()[0]
    assert "13816201234" not in stored
    assert call.caller_phone_masked == "138****1234" and call.number.startswith("96980-")
    page = client_as(line["op"]).get(f"/helpline/{call.pk}/").content.decode()
    assert "138****1234" in page and "13816201234" not in page
    listing = client_as(line["op"]).get("/helpline/?q=13816201234").content.decode()
    assert call.number in listing
    response = client_as(line["op"]).post(f"/helpline/{call.pk}/reveal/")
    assert "13816201234" in response.content.decode()
    assert AuditLog.objects.filter(action="reveal", object_id=str(call.pk)).exists()


def test_it_routes_a_call_into_a_grid_case_linked_both_ways(call, line, client_as, personas):
    services.call_route_grid(actor=line["op"], call=call, category="E0102", lat=DUNHUA[0], lng=DUNHUA[1])
    call.refresh_from_db()
    case = call.grid_case
    assert call.status == CallStatus.HANDLED and call.outcome == Outcome.GRID_CASE
    assert case.external_no == call.number and case.reporter_name == "王阿姨"
    assert case.reporter_contact == "138****1234" and case.source == "resident"
    page = client_as(line["op"]).get(f"/helpline/{call.pk}/").content.decode()
    assert case.number in page
    grid_page = client_as(line["operator"]).get(f"/grid/cases/{case.pk}/").content.decode()
    assert f"/helpline/{call.pk}/" in grid_page and "96980来电" in grid_page
    with pytest.raises(ConflictError):
        services.call_answer(actor=line["op"], call=call, reply="已经转派了")


def test_it_routes_an_unlocated_call_to_its_committee(call, line, tree):
    services.call_route_grid(actor=line["op"], call=call, category="E0102")
    call.refresh_from_db()
    assert call.grid_case.committee == tree["dunhua"] and call.grid_case.address == "敦化路100弄3号"


def test_it_refuses_a_grid_route_with_a_bad_category_and_keeps_the_call_open(call, line):
    with pytest.raises(DomainError):
        services.call_route_grid(actor=line["op"], call=call, category="NOPE")
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN and call.grid_case is None


def test_it_tells_the_acceptance_items_materials_once(call, line, tree, personas, client_as):
    from shequ.acceptance.testing import build_centre

    item = build_centre(tree, personas)["dibao"]
    services.call_route_consultation(actor=line["op"], call=call, item_id=item.pk)
    call.refresh_from_db()
    assert call.service_item == item and item.name in call.reply
    for material in item.materials.all():
        assert material.name in call.reply
    page = client_as(personas["leader"]).get(f"/helpline/{call.pk}/").content.decode()
    assert f"/acceptance/catalogue/{item.pk}/" in page


def test_it_walks_the_call_back(call, line):
    services.call_answer(actor=line["op"], call=call, reply="已联系物业当天清理")
    with pytest.raises(ConflictError):
        services.callback_record(actor=line["op"], call=call, reached=True, result="已清理", satisfaction="satisfied")
    due = timezone.now() + dt.timedelta(hours=2)
    services.callback_schedule(actor=line["op"], call=call, due=due)
    call.refresh_from_db()
    assert call.status == CallStatus.CALLBACK
    services.callback_record(actor=line["op"], call=call, reached=False, result="")
    call.refresh_from_db()
    assert call.status == CallStatus.CALLBACK
    with pytest.raises(DomainError):
        services.callback_record(actor=line["op"], call=call, reached=True, result="已清理", satisfaction="")
    services.callback_record(actor=line["op"], call=call, reached=True, result="杂物已清理", satisfaction="satisfied")
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED and call.satisfaction == "satisfied"
    for fn in (lambda: services.call_close(actor=line["op"], call=call),
               lambda: services.callback_schedule(actor=line["op"], call=call, due=due)):
        with pytest.raises(ConflictError):
            fn()
    assert [e.action for e in call.events.all()] == ["log", "route", "schedule_callback", "callback_missed",
                                                     "callback_done"]


def test_it_closes_without_a_call_back_and_refuses_bad_times(call, line):
    with pytest.raises(ConflictError):
        services.call_close(actor=line["op"], call=call)
    services.call_answer(actor=line["op"], call=call, reply="告知可拨打物业电话")
    with pytest.raises(DomainError):
        services.callback_schedule(actor=line["op"], call=call, due=timezone.now() - dt.timedelta(days=1))
    services.call_close(actor=line["op"], call=call)
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED


def test_it_refuses_bad_input(line, tree):
    base = dict(actor=line["op"], caller_name="王阿姨", caller_phone="13816201234", need="楼道堆物需要清理",
                category="environment")
    for change, field in (({"caller_phone": "12"}, "caller_phone"), ({"caller_name": ""}, "caller_name"),
                          ({"need": "有"}, "need"), ({"category": "x"}, "category"),
                          ({"committee": tree["yinxing"]}, "committee"), ({"need": "长" * 2001}, "need")):
        with pytest.raises(DomainError) as exc:
            services.call_log(**{**base, **change})
        assert field in exc.value.errors
    assert not Call.objects.exists()


def test_it_scopes_calls(call, line, personas):
    assert selectors.call_get(user=personas["dunhua"], pk=call.pk) == call
    assert selectors.call_get(user=personas["leader"], pk=call.pk) == call
    for outsider in (personas["kongjiang"], personas["yinxing"], line["far"]):
        with pytest.raises(Http404):
            selectors.call_get(user=outsider, pk=call.pk)
    with pytest.raises(Forbidden):
        services.call_answer(actor=personas["dunhua"], call=call, reply="我来答复一下")


def test_it_answers_pages_by_persona(call, line, personas, client_as, client):
    assert client_as(personas["dunhua"]).get(f"/helpline/{call.pk}/").status_code == 200
    assert client_as(personas["kongjiang"]).get(f"/helpline/{call.pk}/").status_code == 404
    assert client_as(line["far"]).get(f"/helpline/{call.pk}/").status_code == 404
    assert client_as(personas["dunhua"]).post(f"/helpline/{call.pk}/answer/",
                                              {"answer-reply": "已经处理好了"}).status_code == 403
    assert client_as(personas["clerk"]).get("/helpline/").status_code == 403
    assert client.get("/helpline/").status_code == 302
    op = client_as(line["op"])
    for bad in ({"answer-reply": ""}, {"answer-reply": "x" * 3000}):
        assert op.post(f"/helpline/{call.pk}/answer/", bad).status_code == 400
    assert op.post(f"/helpline/{call.pk}/grid/", {"grid-category": "E0102", "grid-lat": "abc"}).status_code == 400
    assert op.post(f"/helpline/{call.pk}/grid/", {"grid-category": "E0102", "grid-lat": "89",
                                                  "grid-lng": "10"}).status_code == 400
    assert op.post(f"/helpline/{call.pk}/consult/", {"consult-item": "99999"}).status_code == 400
    assert op.post(f"/helpline/{call.pk}/daycare/", {"daycare-facility": "x"}).status_code == 400
    assert op.post(f"/helpline/{call.pk}/schedule/", {"schedule-due": "nope"}).status_code == 400
    assert op.post(f"/helpline/{call.pk}/bogus/").status_code == 404
    assert op.post("/helpline/new/", {"caller_name": "", "caller_phone": "1"}).status_code == 400
    assert op.get("/helpline/?status=nope").status_code == 400
    assert op.get("/helpline/stats/?start=2026-12-01&end=2026-01-01").status_code == 400
    assert op.get("/helpline/stats/?start=abc").status_code == 400
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN


def test_it_logs_a_call_through_the_page_and_counts_it(line, tree, client_as):
    op = client_as(line["op"])
    response = op.post("/helpline/new/", {"caller_name": "李老伯", "caller_phone": "13916205678",
                                          "committee": tree["kongjiang"].pk, "category": "elderly",
                                          "need": "想了解日间照料中心怎么报名"})
    assert response.status_code == 302
    page = op.get("/helpline/stats/")
    assert page.status_code == 200 and "共 1 个来电" in page.content.decode()
    categories, hours, figures = selectors.volume(user=line["op"], start=timezone.localdate(),
                                                  end=timezone.localdate())
    assert sum(categories.series[0].values) == 1 and sum(hours.series[0].values) == 1


def test_it_refers_a_day_care_enquiry_to_a_centre_in_scope(call, line, tree, personas):
    from shequ.facilities import services as facilities

    centre = facilities.facility_create(actor=personas["leader"], level="day_care", name="敦化路日间照料中心",
                                        node=tree["dunhua"], address="敦化路8号", phone="021-65550000")
    point = facilities.facility_create(actor=personas["leader"], level="neighbourhood_point", name="敦化路睦邻点",
                                       node=tree["dunhua"], address="敦化路9号")
    # A facility operator sees the facilities he runs (facilities.selectors): the line's day-care centre is one.
    facilities.facility_staff_assign(actor=None, facility=centre, user=line["op"])
    facilities.facility_staff_assign(actor=None, facility=point, user=line["op"])
    with pytest.raises(DomainError):
        services.call_route_day_care(actor=line["op"], call=call, facility_id=point.pk, reply="请到睦邻点咨询")
    with pytest.raises(DomainError):
        services.call_route_day_care(actor=line["far"], call=call, facility_id=centre.pk, reply="请到中心咨询")
    services.call_route_day_care(actor=line["op"], call=call, facility_id=centre.pk, reply="已告知报名方式和电话")
    call.refresh_from_db()
    assert call.outcome == Outcome.DAY_CARE and call.facility == centre


def test_it_schedules_and_records_a_call_back_through_the_page(call, line, client_as):
    op = client_as(line["op"])
    assert op.post(f"/helpline/{call.pk}/answer/", {"answer-reply": "已联系物业当天清理"}).status_code == 302
    due = timezone.localtime(timezone.now() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert op.post(f"/helpline/{call.pk}/schedule/", {"schedule-due": due}).status_code == 302
    assert op.post(f"/helpline/{call.pk}/callback/", {"callback-reached": "1", "callback-result": "已清理",
                                                      "callback-satisfaction": ""}).status_code == 400
    assert op.post(f"/helpline/{call.pk}/callback/", {"callback-reached": "1", "callback-result": "已清理",
                                                      "callback-satisfaction": "basic"}).status_code == 302
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED and call.satisfaction == "basic"
    assert "基本满意" in op.get(f"/helpline/{call.pk}/").content.decode()
