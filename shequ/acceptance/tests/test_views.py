"""HTML pages: the intake form, the case page and its actions, personas, and bad input that must never 500."""

import pytest
import time_machine

from shequ.acceptance import services
from shequ.acceptance.models import Case

from .conftest import at, intake, visitor

pytestmark = pytest.mark.django_db


def form(centre, **extra):
    item = centre["dibao"]
    data = {"item": item.pk, "decision": "accept", "applicant_name": "王访客",
            "applicant_id_number": visitor()["id_number"], "materials": [m.pk for m in item.materials.all()]}
    data.update(extra)
    return data


def test_it_registers_a_case_from_the_intake_form(centre, client_as):
    client = client_as(centre["clerk"])
    page = client.get("/acceptance/cases/new/").content.decode()
    assert "新建受理" in page and "受理决定" in page
    response = client.post("/acceptance/cases/new/", form(centre))
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/acceptance/cases/{case.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert case.number in detail and "受理回执" in detail and case.check_code in detail
    from shequ.core.models import AuditLog

    assert AuditLog.objects.filter(action="view", object_type="acceptance.case", object_id=str(case.pk)).exists()


def test_it_shows_intake_refusals_on_the_form_and_keeps_the_checklist(centre, client_as):
    client = client_as(centre["clerk"])
    keep = centre["materials"][0].pk
    response = client.post("/acceptance/cases/new/", form(centre, materials=[keep]))
    html = response.content.decode()
    assert response.status_code == 200 and "材料不齐，不能受理" in html
    assert f'value="{keep}" id="mat-{keep}" checked' in html
    response = client.post("/acceptance/cases/new/", form(centre, applicant_id_number="123"))
    assert "身份证号必须是18位" in response.content.decode()
    response = client.post("/acceptance/cases/new/", form(centre, item="999999"))
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    response = client.post("/acceptance/cases/new/", form(centre, decision="reject"))
    assert "请填写不予受理的理由" in response.content.decode()
    assert not Case.objects.exists()


def test_it_picks_a_resident_applicant_within_scope(centre, client_as, residents):
    client = client_as(centre["clerk"])
    results = client.get("/acceptance/cases/new/applicants/?q=张阿姨").content.decode()
    assert "张阿姨" in results
    assert "李先生" not in client.get("/acceptance/cases/new/applicants/?q=李先生").content.decode()
    chip = client.get(f"/acceptance/cases/new/applicants/{residents['dunhua'].pk}/").content.decode()
    assert f'name="applicant_resident" value="{residents["dunhua"].pk}"' in chip
    assert client.get(f"/acceptance/cases/new/applicants/{residents['yinxing'].pk}/").status_code == 404
    response = client.post("/acceptance/cases/new/", form(centre, applicant_name="", applicant_id_number="",
                                                          applicant_resident=residents["yinxing"].pk))
    assert "不在您的管辖范围内" in response.content.decode() and not Case.objects.exists()
    response = client.post("/acceptance/cases/new/", form(centre, applicant_name="", applicant_id_number="",
                                                          applicant_resident=residents["dunhua"].pk))
    assert response.status_code == 302 and Case.objects.get().applicant_resident == residents["dunhua"]


def test_it_starts_intake_from_the_current_ticket(centre, client_as):
    client = client_as(centre["clerk"])
    services.ticket_issue(node=centre["sub"], category="B", actor=centre["clerk"])
    ticket = services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    services.window_start(actor=centre["clerk"], window=centre["w1"])
    page = client.get(f"/acceptance/cases/new/?ticket={ticket.pk}").content.decode()
    assert ticket.number in page
    client.post("/acceptance/cases/new/", form(centre, ticket=ticket.pk))
    assert Case.objects.get().ticket == ticket
    console = client.get("/acceptance/window/1/").content.decode()
    assert Case.objects.get().number in console


def test_it_runs_case_actions_from_the_case_page(centre, client_as):
    case = intake(centre, decision="notify", provided=[centre["materials"][0].pk])
    clerk = client_as(centre["clerk"])
    page = clerk.get(f"/acceptance/cases/{case.pk}/").content.decode()
    assert "一次告知后补齐材料" in page and "一次性告知书" in page
    refused = clerk.post(f"/acceptance/cases/{case.pk}/act/accept/", follow=True).content.decode()
    assert "材料不齐" in refused
    pending = [m.pk for m in case.materials.filter(provided=False)]
    clerk.post(f"/acceptance/cases/{case.pk}/act/supplement/", {"materials": pending})
    done = clerk.post(f"/acceptance/cases/{case.pk}/act/accept/", follow=True).content.decode()
    assert "现为“已受理（待审核）”" in done
    out_of_order = clerk.post(f"/acceptance/cases/{case.pk}/act/deliver/", {"to": "applicant", "id_check": "face"},
                              follow=True).content.decode()
    assert "不能执行“出件”" in out_of_order
    assert clerk.post(f"/acceptance/cases/{case.pk}/act/approve/").status_code == 403
    assert clerk.post(f"/acceptance/cases/{case.pk}/act/explode/").status_code == 404
    officer = client_as(centre["officer"])
    assert "部门审核" in officer.get(f"/acceptance/cases/{case.pk}/").content.decode()
    officer.post(f"/acceptance/cases/{case.pk}/act/approve/", {"note": "同意"})
    case.refresh_from_db()
    assert case.status == "approved"
    assert client_as(centre["officer_other"]).get(f"/acceptance/cases/{case.pk}/").status_code == 404


def test_it_lists_cases_with_keyset_pages_and_filters(centre, client_as):
    for i in range(30):
        intake(centre, applicant=visitor(seed=400 + i))
    client = client_as(centre["clerk"])
    page = client.get("/acceptance/cases/").content.decode()
    assert page.count("/acceptance/cases/") >= 25 and "下一页" in page
    last = Case.objects.order_by("-id")[24]
    second = client.get(f"/acceptance/cases/?before={last.pk}").content.decode()
    assert Case.objects.order_by("id").first().number in second and "回到第一页" in second
    assert client.get("/acceptance/cases/?before=abc&status=zzz&date_from=bad").status_code == 200
    partial = client.get("/acceptance/cases/?q=王", HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="case-rows">')


def test_it_keeps_personas_out(centre, client_as, personas, client):
    case = intake(centre)
    for path in ("/acceptance/window/", "/acceptance/cases/new/", f"/acceptance/cases/{case.pk}/"):
        assert client.get(path).status_code == 302  # anonymous: to the login page
        assert client_as(personas["dunhua"]).get(path).status_code == 403  # committee worker
    assert client_as(centre["other_clerk"]).get(f"/acceptance/cases/{case.pk}/").status_code == 404
    assert client_as(personas["leader"]).get(f"/acceptance/cases/{case.pk}/").status_code == 200
    assert client_as(personas["leader"]).get("/acceptance/cases/new/").status_code == 403
    assert client_as(personas["leader"]).post(f"/acceptance/cases/{case.pk}/act/claim/").status_code == 403
    assert client_as(personas["sysadmin"]).get("/acceptance/cases/").status_code == 403


def test_it_never_answers_500_to_bad_input(centre, client_as):
    client = client_as(centre["supervisor"])
    for path in ("/acceptance/cases/999999/", "/acceptance/window/0/", "/acceptance/catalogue/999999/",
                 "/acceptance/rectifications/999999/", "/acceptance/archives/999999/",
                 "/acceptance/kiosk/ticket/forged-token/", "/acceptance/windows/999999/edit/",
                 "/acceptance/skills/999999/"):
        assert client.get(path).status_code == 404, path
    assert client.get("/acceptance/cases/new/materials/?item=abc").status_code == 200
    assert client.get("/acceptance/rota/?week=not-a-date").status_code == 200
    assert client.post("/acceptance/window/1/transfer/", {"to_window": "x"}).status_code == 302
    assert client.post("/acceptance/kiosk/", {"category": "??"}).status_code == 200


def test_it_routes_the_module_home_by_role(centre, client_as, personas):
    assert client_as(centre["clerk"]).get("/acceptance/")["Location"] == "/acceptance/window/"
    assert client_as(centre["supervisor"]).get("/acceptance/")["Location"] == "/acceptance/dashboard/"
    assert client_as(centre["officer"]).get("/acceptance/")["Location"] == "/acceptance/backoffice/"
    assert client_as(personas["auditor"]).get("/acceptance/")["Location"] == "/acceptance/archives/log/"


def test_it_shows_overdue_and_backoffice_lists(centre, client_as):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        case = intake(centre)
    with time_machine.travel(at(2026, 11, 25), tick=False):
        page = client_as(centre["supervisor"]).get("/acceptance/overdue/").content.decode()
        assert case.number in page and "已超期" in page
        queue = client_as(centre["officer"]).get("/acceptance/backoffice/").content.decode()
        assert case.number in queue and "sq-light-red" in queue
        assert case.number not in client_as(centre["officer_other"]).get("/acceptance/backoffice/").content.decode()


@pytest.mark.parametrize("path,user", [("/acceptance/cases/", "clerk"), ("/acceptance/backoffice/", "officer"),
                                       ("/acceptance/overdue/", "supervisor"),
                                       ("/api/v1/acceptance/cases/", "clerk")])
def test_it_keeps_list_queries_constant_as_rows_grow(centre, client_as, path, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(centre[user])

    def queries():
        client.get(path)  # warm caches (session, scope)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    with time_machine.travel(at(2026, 11, 16), tick=False):
        for i in range(3):
            intake(centre, applicant=visitor(seed=500 + i))
    with time_machine.travel(at(2026, 11, 24), tick=False):
        few = queries()
    with time_machine.travel(at(2026, 11, 16), tick=False):
        for i in range(12):
            intake(centre, applicant=visitor(seed=600 + i))
    with time_machine.travel(at(2026, 11, 24), tick=False):
        assert queries() == few
