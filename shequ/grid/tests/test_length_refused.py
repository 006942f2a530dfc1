"""Text longer than its field is refused with the limit, never cut: roster and patrol, 12345 orders, grid
responsibles and buildings, Open311 clients, inspections and the notes a case transition keeps in its own
columns. Each refusal saves nothing and leaves what was saved before as it was; text at the limit is kept whole."""

import datetime as dt

import pytest
from django.urls import reverse

from shequ.core.errors import DomainError
from shequ.grid import services
from shequ.grid.choices import CaseAction as A
from shequ.grid.choices import CaseStatus as S
from shequ.grid.choices import HotlineStatus as H
from shequ.grid.models import (Building, DutyTeam, ExtensionRequest, GridResponsible, HotlineOrder,
                               Inspection, Open311Client, PatrolCheckin, PatrolLog, RosterOverride, TeamMember)
from shequ.grid.tests.conftest import DUNHUA
from shequ.grid.tests.test_cases import _case_in

pytestmark = pytest.mark.django_db


def refused(limit, call, *args, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert str(limit) in caught.value.message and caught.value.errors
    return caught.value


@pytest.fixture
def member(env):
    team = DutyTeam.objects.create(code="A", name="甲班", offset=0, node=env["sub"])
    return TeamMember.objects.create(team=team, node=env["sub"], name="陆伟", user=env["patrol"])


# --- roster and patrol ---------------------------------------------------------------------------------------------

def test_a_leave_reason_longer_than_100_is_refused(env, member):
    refused(100, services.roster_override_set, actor=env["shiftlead"], member=member, date=dt.date(2026, 3, 12),
            shift="O", reason="病" * 101)
    assert not RosterOverride.objects.exists()
    row = services.roster_override_set(actor=env["shiftlead"], member=member, date=dt.date(2026, 3, 12), shift="O",
                                       reason="病" * 100)
    assert row.reason == "病" * 100


def test_a_patrol_note_longer_than_500_is_refused_on_the_page(env, member, client_as):
    client = client_as(env["patrol"])
    answer = client.post(reverse("grid:patrol"), {"op": "start", "note": "巡" * 501}, follow=True)
    assert "500" in answer.content.decode() and not PatrolLog.objects.exists()
    client.post(reverse("grid:patrol"), {"op": "start", "note": "巡" * 500})
    assert PatrolLog.objects.get().note == "巡" * 500


def test_a_checkin_note_and_an_end_note_that_do_not_fit_are_refused_and_the_patrol_stays_open(env, member):
    log = services.patrol_start(actor=env["patrol"], note="早班巡查" * 100)  # 400
    refused(200, services.patrol_checkin, actor=env["patrol"], log=log, lat=DUNHUA[0], lng=DUNHUA[1], note="查" * 201)
    assert not PatrolCheckin.objects.exists()
    refused(500, services.patrol_end, actor=env["patrol"], log=log, note="结" * 100)  # 400 + newline + 100
    log.refresh_from_db()
    assert log.ended_at is None and log.note == "早班巡查" * 100
    log = services.patrol_end(actor=env["patrol"], log=log, note="结" * 99)
    assert log.ended_at and log.note.endswith("结" * 99) and len(log.note) == 500


# --- 12345 orders --------------------------------------------------------------------------------------------------

def _payload(no="SH12345-9", **data):
    return {"order_no": no, "hotline_type": "投诉", "title": "占道经营", "content": "小区门口有摊贩占道经营",
            "address": "敦化路1号", "lat": DUNHUA[0], "lng": DUNHUA[1], "category": "E0502", **data}


@pytest.mark.parametrize("field,limit", [("title", 100), ("content", 4000), ("caller_name", 32),
                                         ("caller_phone", 20), ("address", 200)])
def test_an_order_field_longer_than_its_column_is_refused(env, field, limit):
    error = refused(limit, services.hotline_receive, actor=env["operator"], data=_payload(**{field: "长" * (limit + 1)}),
                    subdistrict=env["node_sub"])
    assert field in error.errors and not HotlineOrder.objects.exists()
    order = services.hotline_receive(actor=env["operator"], data=_payload(**{field: "长" * limit}),
                                     subdistrict=env["node_sub"])
    assert getattr(order, field) == "长" * limit


def test_an_imported_row_that_does_not_fit_is_reported_not_cut(env):
    result = services.hotline_import(actor=env["operator"], rows=[_payload("A1", content="诉" * 4001), _payload("A2")],
                                     subdistrict=env["node_sub"])
    assert result["created"] == 1 and "4000" in result["errors"][0]["message"]
    assert list(HotlineOrder.objects.values_list("order_no", flat=True)) == ["A2"]


def test_a_signed_order_gives_its_case_the_callers_words_whole(env):
    content = "诉" * 4000
    order = services.hotline_receive(actor=env["operator"], data=_payload(content=content), subdistrict=env["node_sub"])
    order = services.hotline_sign(actor=env["operator"], order=order)
    assert order.case.description == content


def _replied(env):
    order = services.hotline_receive(actor=env["operator"], data=_payload(), subdistrict=env["node_sub"])
    order = services.hotline_sign(actor=env["operator"], order=order)
    order = services.hotline_contact(actor=env["operator"], order=order, method="phone")
    return services.hotline_reply(actor=env["operator"], order=order, text="已协调城管清理摊贩", resolution="solved")


def test_a_visit_note_longer_than_300_is_refused_on_the_page_and_the_order_stays_open(env, client_as):
    order = _replied(env)
    client = client_as(env["operator"])
    answer = client.post(reverse("grid:hotline-act", args=[order.pk, "visit"]),
                         {"satisfaction": "satisfied", "note": "访" * 301}, follow=True)
    order.refresh_from_db()
    assert "300" in answer.content.decode() and order.status == H.REPLIED and order.visit_note == ""
    client.post(reverse("grid:hotline-act", args=[order.pk, "visit"]), {"satisfaction": "satisfied", "note": "访" * 300})
    order.refresh_from_db()
    assert order.status == H.CLOSED and order.visit_note == "访" * 300


def test_a_note_longer_than_the_form_allows_is_reported_not_dropped(env, client_as):
    order = _replied(env)
    answer = client_as(env["operator"]).post(reverse("grid:hotline-act", args=[order.pk, "visit"]),
                                             {"satisfaction": "satisfied", "note": "访" * 2001}, follow=True)
    order.refresh_from_db()
    assert "2000" in answer.content.decode() and order.status == H.REPLIED


def test_return_reply_and_extension_texts_that_do_not_fit_are_refused(env):
    order = services.hotline_receive(actor=env["operator"], data=_payload(), subdistrict=env["node_sub"])
    refused(300, services.hotline_return, actor=env["operator"], order=order, reason="属地不符", note="退" * 301)
    order.refresh_from_db()
    assert order.status == H.RECEIVED and order.return_reason == ""
    order = services.hotline_sign(actor=env["operator"], order=order)
    refused(300, services.hotline_extend, actor=env["operator"], order=order, days=2, reason="coordination",
            note="延" * 301)
    order = services.hotline_contact(actor=env["operator"], order=order, method="phone")
    refused(490, services.hotline_reply, actor=env["operator"], order=order, text="答" * 491, resolution="solved")
    order.refresh_from_db()
    assert order.status == H.SIGNED and order.extension_days == 0 and order.reply_text == ""


# --- grids, Open311 clients, inspections ---------------------------------------------------------------------------

def test_a_responsible_or_a_building_that_does_not_fit_is_refused(env):
    grid = env["grid_dunhua"]
    refused(32, services.grid_add_responsible, actor=env["operator"], grid=grid, name="张" * 33, duty="网格长")
    refused(20, services.grid_add_responsible, actor=env["operator"], grid=grid, name="张敏", duty="网格长",
            phone="1" * 21)
    refused(64, services.grid_add_building, actor=env["operator"], grid=grid, name="楼" * 65)
    refused(128, services.grid_add_building, actor=env["operator"], grid=grid, name="1号楼", address="路" * 129)
    assert not GridResponsible.objects.exists() and not Building.objects.exists()


def test_an_open311_client_name_longer_than_64_is_refused(env):
    refused(64, services.open311_client_issue, actor=None, name="应" * 65, jurisdiction=env["node_sub"])
    assert not Open311Client.objects.exists()


def test_an_inspection_title_or_note_that_does_not_fit_is_refused(env):
    from shequ.grid.testing import inspection_sheet

    template = inspection_sheet("市容督查")
    for kwargs, limit in (({"title": "督" * 101}, 100), ({"title": "市容督查", "note": "意" * 501}, 500)):
        refused(limit, services.inspection_create, actor=env["shiftlead"], sheet=template, date=dt.date(2026, 3, 10),
                committee=env["dunhua"], scores={}, **kwargs)
    assert not Inspection.objects.exists()


# --- notes a case transition keeps in its own columns --------------------------------------------------------------

def test_an_evaluation_note_longer_than_200_is_refused(env):
    case = _case_in(env, S.CLOSED, A.EVALUATE)
    refused(200, services.case_transition, actor=env["operator"], case=case, action=A.EVALUATE,
            satisfaction="satisfied", note="评" * 201)
    case.refresh_from_db()
    assert case.status == S.CLOSED and case.evaluation_note == ""


def test_an_extension_reason_longer_than_300_and_a_decision_longer_than_200_are_refused(env):
    case = _case_in(env, S.HANDLING, A.REQUEST_EXTENSION)
    refused(300, services.case_transition, actor=env["cgzf"], case=case, action=A.REQUEST_EXTENSION, hours=8,
            note="延" * 301)
    assert not ExtensionRequest.objects.exists()
    case = _case_in(env, S.HANDLING, A.APPROVE_EXTENSION)
    refused(200, services.case_transition, actor=env["shiftlead"], case=case, action=A.APPROVE_EXTENSION,
            note="批" * 201)
    request = ExtensionRequest.objects.get(case=case)
    assert request.status == "pending" and request.decision_note == ""


def test_the_latest_progress_is_marked_when_shortened_and_the_history_keeps_the_note_whole(env):
    case = _case_in(env, S.HANDLING, A.FEEDBACK)
    case = services.case_transition(actor=env["cgzf"], case=case, action=A.FEEDBACK, note="办" * 500)
    assert case.status_note == "办" * 199 + "…"
    assert case.events.get(action=A.FEEDBACK).note == "办" * 500
