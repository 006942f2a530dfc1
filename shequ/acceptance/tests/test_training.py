"""Staff files, training and certification (统一培训、持证上岗): certification from a passed training, expiry,
renewal and revocation, the rota that offers only certified clerks, refusals per persona, scoping, bad input,
personal data kept encrypted and masked, and a clerk's yearly summary."""

import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from openpyxl import load_workbook

from shequ.acceptance import selectors, services
from shequ.acceptance.models import Certification, ClerkFile, StaffSkill, TrainingAttendance
from shequ.acceptance.testing import certify
from shequ.core.choices import Role
from shequ.core.errors import ConflictError, DomainError
from shequ.core.models import AuditLog
from shequ.core.testing import make_user, valid_id_number

from .conftest import at

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 30)


@pytest.fixture
def newcomer(centre):
    return make_user(Role.WINDOW_CLERK, [centre["sub"]], username="newcomer")


def test_a_passed_training_certifies_its_items_until_expiry(centre, newcomer):
    session = certify(centre["supervisor"], centre["sub"], [newcomer], [centre["instant"]], date=dt.date(2025, 1, 6),
                      valid_months=12)
    cert = Certification.objects.get(user=newcomer)
    assert (cert.item, cert.session, cert.certified_on, cert.expires_on) == (
        centre["instant"], session, dt.date(2025, 1, 6), dt.date(2026, 1, 5))
    w1, w2 = centre["w1"], centre["w2"]  # w1 opens with A (the item's category), w2 with B
    assert services.may_sit_at(newcomer, w1, dt.date(2026, 1, 5))
    assert not services.may_sit_at(newcomer, w1, dt.date(2026, 1, 6))  # expired
    assert not services.may_sit_at(newcomer, w1, dt.date(2025, 1, 5))  # not yet trained
    assert not services.may_sit_at(newcomer, w2, dt.date(2025, 6, 1))  # B not covered
    with pytest.raises(DomainError) as exc:
        services.rota_set(actor=centre["supervisor"], window=w1, date=DAY, half="am", clerk=newcomer)
    assert "资格" in exc.value.message
    # a renewal moves the expiry; the category skill follows with it
    with time_machine.travel(at(2026, 11, 16), tick=False):
        certify(centre["supervisor"], centre["sub"], [newcomer], [centre["instant"]], date=dt.date(2026, 11, 16),
                valid_months=24)
        assert StaffSkill.objects.get(user=newcomer, category=centre["A"]).expires_on == dt.date(2028, 11, 15)
    assert services.rota_set(actor=centre["supervisor"], window=w1, date=DAY, half="am", clerk=newcomer)
    with pytest.raises(DomainError):
        services.rota_set(actor=centre["supervisor"], window=w2, date=DAY, half="pm", clerk=newcomer)


def test_an_older_training_does_not_shorten_a_later_certification(centre, newcomer):
    certify(centre["supervisor"], centre["sub"], [newcomer], [centre["dibao"]], date=dt.date(2026, 6, 1))
    certify(centre["supervisor"], centre["sub"], [newcomer], [centre["dibao"]], date=dt.date(2025, 2, 1),
            valid_months=6)
    assert Certification.objects.get(user=newcomer).expires_on == dt.date(2031, 5, 31)


def test_revoking_ends_the_certification_and_the_skill(centre, newcomer):
    certify(centre["supervisor"], centre["sub"], [newcomer], [centre["dibao"]])
    assert StaffSkill.objects.filter(user=newcomer, category=centre["B"]).exists()
    cert = Certification.objects.get(user=newcomer)
    with pytest.raises(DomainError):
        services.certification_revoke(actor=centre["supervisor"], node=centre["sub"], certification=cert, reason=" ")
    services.certification_revoke(actor=centre["supervisor"], node=centre["sub"], certification=cert,
                                  reason="连续两次材料审核差错")
    assert not StaffSkill.objects.filter(user=newcomer, category=centre["B"]).exists()
    assert not services.may_sit_at(newcomer, centre["w2"], DAY)
    with pytest.raises(ConflictError):
        services.certification_revoke(actor=centre["supervisor"], node=centre["sub"], certification=cert,
                                      reason="再次撤销")
    # a manual skill is kept (no expiry) and its level survives a hand edit of another category
    services.skills_set(actor=centre["supervisor"], node=centre["sub"], user=newcomer,
                        levels={centre["B"]: "learning"})
    assert StaffSkill.objects.get(user=newcomer).expires_on is None


def test_the_rota_offers_only_certified_clerks(centre, newcomer, client_as):
    client = client_as(centre["supervisor"])
    week = client.get("/acceptance/rota/?week=2026-11-30").content.decode()
    cell = _cell(week, centre["w1"], "2026-11-30", "am")
    assert "newcomer" not in cell and centre["clerk"].display_name in cell
    certify(centre["supervisor"], centre["sub"], [newcomer], [centre["instant"]])
    week = client.get("/acceptance/rota/?week=2026-11-30").content.decode()
    assert newcomer.display_name in _cell(week, centre["w1"], "2026-11-30", "am")  # A first
    assert newcomer.display_name not in _cell(week, centre["w2"], "2026-11-30", "am")  # B first
    refused = client.post("/acceptance/rota/set/", {"window": centre["w2"].pk, "date": "2026-11-30", "half": "am",
                                                    "clerk": newcomer.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "资格" in refused


def _cell(page: str, window, date: str, half: str) -> str:
    start = page.index(f'id="rota-{window.pk}-{date}-{half}"')
    return page[start:page.index("</td>", start)]


def test_recording_results_refuses_bad_input(centre, newcomer):
    sup, sub = centre["supervisor"], centre["sub"]
    good = {"actor": sup, "node": sub, "topic": "民政救助政策", "date": dt.date(2026, 11, 2), "hours": 3,
            "items": [centre["dibao"]]}
    for bad in ({"items": []}, {"hours": 0}, {"hours": 41}, {"hours": "abc"}, {"valid_months": 0},
                {"valid_months": "x"}, {"topic": " "}, {"topic": "长" * 101}, {"date": "2026-11-02"},
                {"date": dt.date(1800, 1, 1)}, {"items": ["MZ-JZ-01"]}):
        with pytest.raises(DomainError):
            services.training_save(**{**good, **bad})
    session = services.training_save(**good)
    for results in ([], [{"user": newcomer, "present": False, "passed": True}],
                    [{"user": newcomer, "present": True, "passed": True, "score": 101}],
                    [{"user": newcomer, "present": True}, {"user": newcomer, "present": True}],
                    [{"user": centre["officer"], "present": True, "passed": True}],
                    [{"user": centre["other_clerk"], "present": True, "passed": True}]):
        with pytest.raises(DomainError):
            services.training_record(actor=sup, session=session, results=results)
    assert not Certification.objects.filter(user__in=[newcomer, centre["other_clerk"]]).exists()
    future = services.training_save(**{**good, "date": dt.date(2099, 1, 1)})
    with pytest.raises(DomainError):
        services.training_record(actor=sup, session=future, results=[{"user": newcomer, "present": True,
                                                                     "passed": True}])
    services.training_record(actor=sup, session=session, results=[{"user": newcomer, "present": True,
                                                                   "passed": True, "score": "88"}])
    assert TrainingAttendance.objects.get(user=newcomer).score == 88
    with pytest.raises(ConflictError):  # items are locked once someone is certified by the training
        services.training_save(**{**good, "items": [centre["long"]]}, session=session)


def test_the_staff_file_refuses_bad_input_and_keeps_personal_data_encrypted(centre, newcomer):
    sup, sub = centre["supervisor"], centre["sub"]
    good = {"actor": sup, "node": sub, "user": newcomer, "hired_on": dt.date(2024, 3, 1), "contract_type": "labour",
            "post_level": "junior", "contract_number": "YJXC-SG-2024-031", "contract_start": dt.date(2024, 3, 1),
            "contract_end": dt.date(2027, 2, 28), "id_number": valid_id_number(seed=11)}
    for bad in ({"hired_on": dt.date(2099, 1, 1)}, {"hired_on": None}, {"contract_type": "forever"},
                {"post_level": "boss"}, {"contract_end": dt.date(2023, 1, 1)}, {"contract_number": "x" * 41},
                {"contract_number": "<script>"}, {"id_number": "310110199001011234"}, {"note": "长" * 201},
                {"user": centre["officer"]}, {"user": centre["other_clerk"]}):
        with pytest.raises(DomainError):
            services.clerk_file_save(**{**good, **bad})
    file = services.clerk_file_save(**good)
    assert file.contract_number_masked == "YJ************31" and file.id_number_masked.count("*") == 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT contract_number, id_number FROM acceptance_clerkfile")
        raw = " ".join(cursor.fetchone())
    assert "YJXC-SG-2024-031" not in raw and good["id_number"] not in raw
    assert "YJXC-SG-2024-031" not in str(AuditLog.objects.filter(object_type__contains="clerkfile").last().detail)
    # a blank number keeps the stored one
    services.clerk_file_save(**{**good, "contract_number": "", "id_number": "", "post_level": "middle"})
    file = ClerkFile.objects.get(user=newcomer)
    assert (file.contract_number, file.post_level) == ("YJXC-SG-2024-031", "middle")


def test_pages_refuse_per_persona_and_scope(centre, newcomer, client_as, personas, tree):
    certify(centre["supervisor"], centre["sub"], [newcomer], [centre["dibao"]])
    session = Certification.objects.get(user=newcomer).session
    urls = ["/acceptance/staff/", f"/acceptance/staff/{newcomer.pk}/", "/acceptance/trainings/",
            f"/acceptance/trainings/{session.pk}/", f"/acceptance/staff/{newcomer.pk}/year.xlsx"]
    for persona in (centre["clerk"], personas["officer"], personas["dunhua"], personas["resident"]):
        client = client_as(persona)
        for url in urls + [f"/acceptance/staff/{newcomer.pk}/edit/", "/acceptance/trainings/new/"]:
            assert client.get(url).status_code in (302, 403), (persona.username, url)
    leader = client_as(personas["leader"])
    for url in urls:
        assert leader.get(url).status_code == 200, url
    assert leader.get(f"/acceptance/staff/{newcomer.pk}/edit/").status_code == 403
    assert leader.post(f"/acceptance/trainings/{session.pk}/", {f"present_{newcomer.pk}": "on"}).status_code == 404
    other = make_user(Role.HALL_SUPERVISOR, [tree["other_sub"]], username="othersupervisor")
    client = client_as(other)
    assert client.get(f"/acceptance/staff/{newcomer.pk}/").status_code == 404
    assert client.get(f"/acceptance/trainings/{session.pk}/").status_code == 404
    assert newcomer.display_name not in client.get("/acceptance/staff/").content.decode()
    cert = Certification.objects.get(user=newcomer)
    assert client.post(f"/acceptance/certifications/{cert.pk}/revoke/", {"reason": "x"}).status_code == 404
    assert Certification.objects.get(pk=cert.pk).revoked_at is None


def test_supervisor_pages_handle_bad_input(centre, newcomer, client_as):
    client = client_as(centre["supervisor"])
    response = client.post("/acceptance/trainings/new/", {"topic": "培训", "date": "2026-13-40", "hours": "abc",
                                                          "valid_months": "0", "items": ["999999"]})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    response = client.post("/acceptance/trainings/new/", {"topic": "民政救助政策解读", "date": "2026-11-02",
                                                          "hours": "3", "valid_months": "24",
                                                          "items": [centre["dibao"].pk]})
    assert response.status_code == 302
    detail = response["Location"]
    response = client.post(detail, {f"passed_{newcomer.pk}": "on"})  # passed without being present
    assert response.status_code == 200 and "未出勤" in response.content.decode()
    response = client.post(detail, {f"present_{newcomer.pk}": "on", f"passed_{newcomer.pk}": "on",
                                    f"score_{newcomer.pk}": "92"})
    assert response.status_code == 302 and Certification.objects.filter(user=newcomer).exists()
    response = client.post(f"/acceptance/staff/{newcomer.pk}/edit/", {
        "hired_on": "2024-03-01", "post_level": "junior", "contract_type": "labour",
        "id_number": "310110199001011234"})
    assert response.status_code == 200 and "校验位" in response.content.decode()
    response = client.post(f"/acceptance/staff/{newcomer.pk}/edit/", {
        "hired_on": "2024-03-01", "post_level": "junior", "contract_type": "labour",
        "contract_number": "YJXC-SG-2024-031", "id_number": valid_id_number(seed=5)})
    assert response.status_code == 302
    page = client.get(f"/acceptance/staff/{newcomer.pk}/").content.decode()
    assert "YJ************31" in page and "YJXC-SG-2024-031" not in page and valid_id_number(seed=5) not in page
    assert client.get("/acceptance/staff/999999/").status_code == 404
    assert client.get(f"/acceptance/staff/{newcomer.pk}/?year=abc").status_code == 200
    assert client.post("/acceptance/certifications/999999/revoke/", {"reason": "x"}).status_code == 404


def test_the_yearly_summary_shows_the_monthly_assessment(centre, client_as):
    from .test_staff import day_of_work

    day_of_work(centre)
    with time_machine.travel(at(2026, 12, 2), tick=False):
        summary = selectors.year_summary(user=centre["supervisor"], clerk=centre["clerk"], year=2026)
        assert [m["month"].month for m in summary["months"]] == list(range(1, 13))
        november = summary["months"][10]["row"]
        assert november.served == 2 and summary["served"] == 2 and summary["avg_score"] == november.score
        assert summary["hours"] == 0 and len(summary["certifications"]) == 5  # the fixture's 2025 training
        client = client_as(centre["supervisor"])
        page = client.get(f"/acceptance/staff/{centre['clerk'].pk}/?year=2026").content.decode()
        assert "2026年11月" in page and str(november.score) in page
        response = client.get(f"/acceptance/staff/{centre['clerk'].pk}/year.xlsx?year=2026")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["年度考核汇总", "培训", "事项受理资格"]
    rows = list(wb["年度考核汇总"].values)
    assert centre["clerk"].display_name in rows[0][0]
    november_row = next(r for r in rows if r[0] == "2026-11")
    assert november_row[2] == 2 and november_row[-1] == november.score


def test_the_demo_keeps_its_rota_certified_and_has_a_trainee():
    import random
    from unittest import mock

    from django.utils import timezone

    from shequ.acceptance import demo as acceptance_demo
    from shequ.acceptance.models import RotaSlot, TrainingSession
    from shequ.core import demo as core_demo

    clock = dt.datetime(2026, 11, 23, 1, 45, tzinfo=dt.timezone.utc)
    with mock.patch("django.utils.timezone.now", return_value=clock):
        core_demo.seed(stdout=io.StringIO(), password="Shequ#2026demo", rng=random.Random(1))
        out = io.StringIO()
        acceptance_demo.seed(stdout=out, password="Shequ#2026demo", rng=random.Random(1))
        today = timezone.localdate()
        slots = list(RotaSlot.objects.select_related("clerk", "window"))
        assert slots and all(services.may_sit_at(s.clerk, s.window, s.date) for s in slots)
        trainee = ClerkFile.objects.get(user__username="clerk12")
        assert trainee.post_level == "trainee"
        assert set(Certification.objects.filter(user=trainee.user).values_list(
            "item__queue_category__letter", flat=True)) == {"A"}
        assert Certification.objects.filter(expires_on__lte=today + dt.timedelta(days=60)).exists()
        assert TrainingSession.objects.filter(date__gt=today).count() == 1
        assert ClerkFile.objects.count() == 12 and "人员档案 12 份" in out.getvalue()
        assert all("*" in f.contract_number_masked and "*" in f.id_number_masked for f in ClerkFile.objects.all())
