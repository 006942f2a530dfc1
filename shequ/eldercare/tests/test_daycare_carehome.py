import datetime as dt
from decimal import Decimal

import pytest

from shequ.core.errors import ConflictError, DomainError, Forbidden, NotFound
from shequ.core.models import AuditLog
from shequ.core.workflow import ActionForbidden
from shequ.eldercare import selectors
from shequ.eldercare.models import Attendance
from shequ.eldercare.services import (application_admit, application_assess, application_create, application_queue,
                                      application_withdraw, attendance_record, bed_create, daycare_enrol,
                                      incident_create)
from shequ.eldercare.workflows import APPLICATION

from .conftest import NOW, TODAY


@pytest.fixture
def guest(places, elder, personas, clock):
    resident = elder(84, name="孙玉兰")
    return daycare_enrol(actor=personas["officer"], facility=places["daycare"], resident=resident, care_grade=3,
                         daily_fee=Decimal("30"), start_date=TODAY - dt.timedelta(days=40))


def record(places, guest, day=TODAY, **kw):
    return attendance_record(actor=places["nurse"], enrolment=guest, date=day, arrived_at=dt.time(8, 30),
                             left_at=dt.time(16, 0), **kw)


@pytest.mark.parametrize("t,s,d,tflag,pflag", [
    ("36.5", 120, 80, "", ""), ("37.3", 120, 80, "high", ""), ("37.2", 139, 89, "", ""),
    ("35.9", 140, 80, "low", "high"), ("36.0", 130, 90, "", "high"), ("36.6", 89, 60, "", "low"),
    ("36.6", 95, 59, "", "low"), (None, None, None, "", ""),
])
def test_it_flags_readings_out_of_range(places, guest, t, s, d, tflag, pflag):
    a = record(places, guest, temperature=t, systolic=s, diastolic=d)
    assert (a.temperature_flag, a.pressure_flag) == (tflag, pflag)


def test_it_stores_the_readings_encrypted(places, guest):
    from django.db import connection

    a = record(places, guest, temperature="36.8", systolic=158, diastolic=96)
    with connection.cursor() as cursor:
        cursor.execute("SELECT systolic FROM eldercare_attendance WHERE id = %s", [a.pk])
        raw = cursor.fetchone()[0]
    assert "158" not in raw and Attendance.objects.get(pk=a.pk).systolic == "158"


@pytest.mark.parametrize("bad,field", [
    ({"temperature": "48"}, "temperature"), ({"temperature": "abc"}, "temperature"),
    ({"systolic": 150}, "diastolic"), ({"systolic": 80, "diastolic": 95}, "diastolic"),
    ({"systolic": 400, "diastolic": 80}, "systolic"), ({"left_at": dt.time(8, 0)}, "left_at"),
    ({"date": TODAY + dt.timedelta(days=1)}, "date"), ({"note": "长" * 201}, "note"),
])
def test_it_refuses_implausible_attendance(places, guest, bad, field):
    kw = {"date": TODAY, "arrived_at": dt.time(8, 30), **bad}
    with pytest.raises(DomainError) as refused:
        attendance_record(actor=places["nurse"], enrolment=guest, **kw)
    assert field in refused.value.errors


def test_it_records_one_attendance_a_day(places, guest):
    record(places, guest)
    with pytest.raises(ConflictError):
        record(places, guest)


def test_it_lets_only_the_centres_operator_record_attendance(places, guest, personas):
    for actor, error in ((places["cook"], NotFound), (places["stranger"], NotFound), (personas["dunhua"], Forbidden),
                         (personas["officer"], Forbidden)):
        with pytest.raises(error):
            attendance_record(actor=actor, enrolment=guest, date=TODAY, arrived_at=dt.time(9))


def test_it_makes_the_months_statement(places, guest):
    for offset, bp in ((1, 120), (2, 165), (3, 118)):
        record(places, guest, day=TODAY - dt.timedelta(days=offset), systolic=bp, diastolic=80)
    incident_create(actor=places["nurse"], enrolment=guest, occurred_at=NOW - dt.timedelta(hours=1), kind="fall",
                    description="午休起身时滑倒，无外伤", action_taken="观察并通知家属", family_notified=True)
    st = selectors.monthly_statement(enrolment=guest, month=dt.date(2026, 11, 1))
    assert (st["count"], st["fee"], st["flagged"]) == (2, Decimal("60.00"), 1)  # 30 Nov, 29 Nov
    st = selectors.monthly_statement(enrolment=guest, month=dt.date(2026, 12, 1))
    assert (st["count"], st["fee"], len(st["incidents"])) == (1, Decimal("30.00"), 1)


def test_it_scopes_the_day_care_pages_and_audits_health_views(places, guest, personas, client_as):
    record(places, guest, temperature="36.6", systolic=168, diastolic=98)
    page = client_as(places["nurse"]).get("/eldercare/daycare/")
    html = page.content.decode()
    assert "孙玉兰" in html and "血压偏高" in html
    assert "孙玉兰" not in client_as(places["stranger"]).get("/eldercare/daycare/").content.decode()
    assert client_as(places["stranger"]).get(f"/eldercare/daycare/{guest.pk}/").status_code == 404
    assert client_as(personas["dunhua"]).get("/eldercare/daycare/").status_code == 403
    assert AuditLog.objects.filter(object_type="eldercare.attendance", action="view").exists()
    export = client_as(places["nurse"]).get("/eldercare/daycare/health.xlsx")
    assert export.status_code == 200
    assert AuditLog.objects.filter(object_type="eldercare.attendance", action="export").exists()


def test_it_shows_form_errors_for_bad_attendance_input(places, guest, client_as):
    response = client_as(places["nurse"]).post(f"/eldercare/daycare/{guest.pk}/attendance/", {
        "date": TODAY.isoformat(), "arrived_at": "08:30", "temperature": "55", "systolic": "abc"})
    assert response.status_code == 200
    assert 'id="id_systolic_error"' in response.content.decode()
    assert not Attendance.objects.exists()
    response = client_as(places["nurse"]).post(f"/eldercare/daycare/{guest.pk}/attendance/", {
        "date": TODAY.isoformat(), "arrived_at": "08:30", "temperature": "55"})
    assert response.status_code == 200 and 'id="id_temperature_error"' in response.content.decode()
    assert not Attendance.objects.exists()


# --- care home ------------------------------------------------------------------------------------------------

@pytest.fixture
def home(places, personas):
    beds = [bed_create(actor=places["warden"], facility=places["home"], room="101", number=f"101-{i}")
            for i in (1, 2)]
    return {"facility": places["home"], "beds": beds}


def apply(personas, home, resident):
    return application_create(actor=personas["dunhua"], facility=home["facility"], resident=resident,
                              reason="独居，行动不便")


def test_it_moves_an_application_through_the_waiting_list(home, elder, personas, places, clock):
    a = apply(personas, home, elder(88, name="钱金妹"))
    with pytest.raises(ConflictError):
        apply(personas, home, a.resident)
    with pytest.raises(ConflictError):
        application_queue(actor=personas["officer"], application=a)  # not assessed yet
    with pytest.raises(ActionForbidden):
        application_assess(actor=personas["dunhua"], application=a, care_grade=4)
    with pytest.raises(DomainError):
        application_assess(actor=personas["officer"], application=a, care_grade=7)
    a = application_assess(actor=personas["officer"], application=a, care_grade=4, note="需要照护")
    a = application_queue(actor=places["warden"], application=a)
    with pytest.raises(DomainError):
        application_admit(actor=places["warden"], application=a, bed=None)
    a = application_admit(actor=places["warden"], application=a, bed=home["beds"][0])
    assert a.status == "admitted" and a.bed.status == "occupied"
    with pytest.raises(ConflictError):
        application_withdraw(actor=personas["dunhua"], application=a, note="家属接回")
    assert [e.action for e in a.events.all()] == ["apply", "assess", "queue", "admit"]
    assert selectors.occupancy(user=personas["officer"])["occupied"] == 1


def test_it_refuses_an_occupied_bed_and_allows_withdrawal_while_waiting(home, elder, personas, places, clock):
    first = apply(personas, home, elder(80, name="冯秀英"))
    second = apply(personas, home, elder(81, name="韩桂英"))
    for a in (first, second):
        a = application_assess(actor=personas["officer"], application=a, care_grade=2)
        application_queue(actor=personas["officer"], application=a)
    application_admit(actor=personas["officer"], application=first, bed=home["beds"][0])
    with pytest.raises(ConflictError):
        application_admit(actor=personas["officer"], application=second, bed=home["beds"][0])
    with pytest.raises(DomainError):
        application_withdraw(actor=personas["dunhua"], application=second, note="")
    assert application_withdraw(actor=personas["dunhua"], application=second, note="家属接回").status == "withdrawn"


def test_it_ranks_the_waiting_list_by_the_documented_priority(home, elder, personas, clock):
    plain = apply(personas, home, elder(75, name="甲"))
    needy = apply(personas, home, elder(91, name="乙", tags=["dibao", "living_alone"]))
    for a, grade in ((plain, 5), (needy, 3)):
        a = application_assess(actor=personas["officer"], application=a, care_grade=grade)
        application_queue(actor=personas["officer"], application=a)
    ranked = selectors.waiting_list(user=personas["officer"])
    assert [(r.application.resident.name, r.score) for r in ranked] == [("乙", 30 + 20 + 10 + 15), ("甲", 50)]
    assert [r.application.resident.name for r in selectors.waiting_list(user=personas["kongjiang"])] == []


def test_it_offers_exactly_the_actions_the_services_accept(home, elder, personas, places, clock):
    a = apply(personas, home, elder(85, name="杨美华"))
    for who in ("dunhua", "kongjiang", "officer", "leader"):
        offered = {act.name for act in APPLICATION.available(personas[who], a)}
        expected = {"dunhua": {"withdraw"}, "kongjiang": set(), "officer": {"assess", "withdraw"}, "leader": set()}
        assert offered == expected[who], who
    assert {act.name for act in APPLICATION.available(places["warden"], a)} == {"assess"}
    assert {act.name for act in APPLICATION.available(places["stranger"], a)} == set()


def test_it_renders_the_care_home_pages_per_persona(home, elder, personas, places, client_as, clock):
    a = apply(personas, home, elder(85, name="杨美华"))
    assert "杨美华" in client_as(personas["officer"]).get("/eldercare/carehome/").content.decode()
    assert client_as(personas["kongjiang"]).get(f"/eldercare/carehome/{a.pk}/").status_code == 404
    assert client_as(places["warden"]).get(f"/eldercare/carehome/{a.pk}/").status_code == 200
    r = client_as(personas["officer"]).post(f"/eldercare/carehome/{a.pk}/assess/", {"assess-care_grade": "9"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "applied"
    client_as(personas["officer"]).post(f"/eldercare/carehome/{a.pk}/assess/", {"assess-care_grade": "4"})
    a.refresh_from_db()
    assert a.status == "assessed" and a.care_grade == 4
    assert client_as(personas["officer"]).post(f"/eldercare/carehome/{a.pk}/nonsense/").status_code == 404
