"""签约, 一人一约, 期限, 待续约 boundaries, 续约 / 改签 / 解约 allowed and refused."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from shequ.core.errors import ConflictError, DomainError, NotFound, PreconditionFailed
from shequ.core.models import AuditLog
from shequ.core.workflow import ActionForbidden, ActionNotFound
from shequ.health import selectors, services
from shequ.health.models import Contract
from shequ.health.testing import sign
from shequ.health.workflows import CONTRACT

TODAY = dt.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


def test_it_signs_a_resident_with_a_doctor_and_two_hospitals(health, people, personas):
    c = sign(personas["dunhua"], people["father"], health, start=TODAY, conditions="高血压")
    c.refresh_from_db()
    assert c.status == "active" and c.number == f"QY2026{c.pk:07d}"
    assert (c.start_date, c.end_date) == (TODAY, dt.date(2027, 12, 2))
    assert c.committee == people["father"].committee and c.household_id == people["father"].household_id
    assert c.conditions == "高血压" and c.has_conditions
    assert list(c.events.values_list("action", flat=True)) == ["sign"]
    assert AuditLog.objects.filter(object_type="health.contract", object_id=str(c.pk), action="create").exists()


def test_it_stores_the_chronic_conditions_encrypted(health, people, personas):
    from django.db import connection

    c = sign(personas["dunhua"], people["father"], health, start=TODAY, conditions="2型糖尿病")
    with connection.cursor() as cur:
        cur.execute("select conditions from health_contract where id = %s", [c.pk])
        stored = cur.fetchone()[0]
    assert "糖尿病" not in stored and stored.startswith("gAAAA")


def test_it_refuses_a_second_active_contract_for_the_same_person(health, people, personas):
    sign(personas["dunhua"], people["father"], health, start=TODAY)
    with pytest.raises(ConflictError, match="一人只能签约一位家庭医生"):
        sign(personas["dunhua"], people["father"], health, start=TODAY, doctor=health["gu"])
    assert Contract.objects.filter(resident=people["father"]).count() == 1


def test_it_refuses_a_term_shorter_than_one_year(health, people, personas):
    with pytest.raises(DomainError, match="签约期限不得少于一年") as exc:
        services.contract_sign(actor=personas["dunhua"], resident=people["head"], doctor=health["shen"],
                               start_date=TODAY, end_date=dt.date(2027, 12, 1))
    assert "end_date" in exc.value.errors
    exactly = services.contract_sign(actor=personas["dunhua"], resident=people["head"], doctor=health["shen"],
                                     start_date=TODAY, end_date=dt.date(2027, 12, 2))
    assert exactly.end_date == dt.date(2027, 12, 2)


def test_it_refuses_an_end_before_the_start_and_a_term_over_five_years(health, people, personas):
    with pytest.raises(DomainError):
        services.contract_sign(actor=personas["dunhua"], resident=people["head"], doctor=health["shen"],
                               start_date=TODAY, end_date=TODAY - dt.timedelta(days=1))
    with pytest.raises(DomainError, match="不得超过5年"):
        services.contract_sign(actor=personas["dunhua"], resident=people["head"], doctor=health["shen"],
                               start_date=TODAY, end_date=dt.date(2032, 12, 3))


def test_it_refuses_a_hospital_of_the_wrong_level(health, people, personas):
    with pytest.raises(DomainError) as exc:
        services.contract_sign(actor=personas["dunhua"], resident=people["head"], doctor=health["shen"],
                               district_hospital=health["city"], start_date=TODAY,
                               end_date=services.term_end(TODAY, 1))
    assert "district_hospital" in exc.value.errors


def test_it_refuses_a_resident_of_another_committee(health, people, personas):
    with pytest.raises(NotFound):
        sign(personas["dunhua"], people["kj"], health, start=TODAY)


def test_it_signs_a_household_together(health, people, personas):
    contracts = services.contract_sign_household(
        actor=personas["dunhua"], residents=[people["head"], people["father"], people["child"]],
        doctor=health["shen"], start_date=TODAY, end_date=services.term_end(TODAY, 1))
    assert len({c.resident_id for c in contracts}) == 3


@pytest.mark.parametrize(("days", "due"), [(59, True), (60, True), (61, False), (-5, True)])
def test_it_lists_contracts_ending_within_exactly_60_days_as_due(health, people, personas, days, due):
    end = TODAY + dt.timedelta(days=days)
    c = sign(personas["dunhua"], people["father"], health, start=services.add_years(end + dt.timedelta(days=1), -1))
    assert c.end_date == end
    listed = selectors.contract_list(user=personas["dunhua"], due=True)
    assert (c in listed) is due
    assert selectors.due_count(user=personas["dunhua"]) == (1 if due else 0)
    assert ("renew" in [a.name for a in CONTRACT.available(personas["dunhua"], c)]) is due


def test_it_renews_from_the_day_after_the_end(health, people, personas):
    c = sign(personas["dunhua"], people["father"], health, start=dt.date(2026, 1, 10))
    new = services.contract_renew(actor=personas["dunhua"], contract=c, years=2)
    c.refresh_from_db()
    assert c.status == "renewed" and c.closed_at is not None
    assert (new.start_date, new.end_date, new.previous_id, new.doctor_id) == (
        dt.date(2027, 1, 10), dt.date(2029, 1, 9), c.pk, c.doctor_id)
    assert [x.pk for x in selectors.contract_chain(contract=new)] == [new.pk, c.pk]


def test_it_renews_an_expired_contract_from_today(health, people, personas):
    c = sign(personas["dunhua"], people["father"], health, start=dt.date(2025, 11, 1))
    assert c.end_date < TODAY
    new = services.contract_renew(actor=personas["dunhua"], contract=c, years=1)
    assert new.start_date == TODAY


def test_it_refuses_a_renewal_more_than_60_days_ahead(health, people, personas):
    c = sign(personas["dunhua"], people["father"], health, start=TODAY)
    with pytest.raises(ConflictError, match="到期前60天内才能续约"):
        services.contract_renew(actor=personas["dunhua"], contract=c, years=1)


def test_it_refuses_a_renewal_of_a_closed_contract_or_with_a_stale_version(health, people, personas):
    c = sign(personas["dunhua"], people["father"], health, start=dt.date(2026, 1, 10))
    with pytest.raises(PreconditionFailed):
        services.contract_renew(actor=personas["dunhua"], contract=c, years=1, expected_version=99)
    services.contract_terminate(actor=personas["dunhua"], contract=c, reason="moved")
    with pytest.raises(ConflictError, match="已解约"):
        services.contract_renew(actor=personas["dunhua"], contract=c, years=1)


def test_it_refuses_a_renewal_term_outside_one_to_five_years(health, people, personas):
    c = sign(personas["dunhua"], people["father"], health, start=dt.date(2026, 1, 10))
    with pytest.raises(DomainError, match="期限须为1至5年"):
        services.contract_renew(actor=personas["dunhua"], contract=c, years=0)
    c.refresh_from_db()
    assert c.status == "active"


def test_it_switches_the_doctor_from_today(health, people, personas):
    c = sign(personas["dunhua"], people["father"], health, start=dt.date(2026, 6, 1))
    new = services.contract_switch(actor=personas["dunhua"], contract=c, doctor=health["gu"],
                                   district_hospital=health["district"], city_hospital=health["city2"])
    c.refresh_from_db()
    assert c.status == "switched"
    assert (new.doctor, new.city_hospital, new.start_date, new.status) == (health["gu"], health["city2"], TODAY,
                                                                           "active")


def test_it_refuses_a_switch_to_the_same_team(health, people, personas):
    c = sign(personas["dunhua"], people["father"], health, start=dt.date(2026, 6, 1))
    with pytest.raises(DomainError, match="改签须更换"):
        services.contract_switch(actor=personas["dunhua"], contract=c, doctor=health["shen"],
                                 district_hospital=health["district"], city_hospital=health["city"])


def test_it_terminates_with_a_reason_and_keeps_the_history(health, people, personas):
    c = sign(personas["dunhua"], people["father"], health, start=dt.date(2026, 6, 1))
    with pytest.raises(DomainError, match="请选择解约原因"):
        services.contract_terminate(actor=personas["dunhua"], contract=c, reason="")
    with pytest.raises(DomainError, match="其他原因须填写说明"):
        services.contract_terminate(actor=personas["dunhua"], contract=c, reason="other", note="")
    done = services.contract_terminate(actor=personas["dunhua"], contract=c, reason="deceased")
    assert done.status == "terminated" and done.get_terminate_reason_display() == "居民去世"
    assert list(done.events.values_list("action", flat=True)) == ["sign", "terminate"]
    # After a termination the person may sign again.
    again = sign(personas["dunhua"], people["father"], health, start=TODAY, doctor=health["gu"])
    assert again.status == "active"


def test_it_refuses_the_actions_to_other_committees_and_roles(health, people, personas):
    c = sign(personas["dunhua"], people["father"], health, start=dt.date(2026, 1, 10))
    with pytest.raises(ActionNotFound):
        services.contract_renew(actor=personas["kongjiang"], contract=c, years=1)
    with pytest.raises(ActionForbidden):
        services.contract_terminate(actor=personas["leader"], contract=c, reason="moved")
    with pytest.raises(ActionForbidden):
        services.contract_terminate(actor=personas["sysadmin"], contract=c, reason="moved")


def test_it_offers_exactly_what_the_services_accept(health, people, personas):
    """For every persona and action: offered on the page ⇔ the workflow's check passes."""
    c = sign(personas["dunhua"], people["father"], health, start=dt.date(2026, 1, 10))
    for name, actor in personas.items():
        offered = {a.name for a in CONTRACT.available(actor, c)}
        accepted = {a.name for a in CONTRACT.actions if CONTRACT.refusal(actor, c, a.name) is None}
        assert offered == accepted, name
    assert {a.name for a in CONTRACT.available(personas["dunhua"], c)} == {"renew", "switch", "terminate"}
    assert CONTRACT.available(personas["kongjiang"], c) == []


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_simultaneous_signings_succeed(tree, threaded_db):
    """Two workers sign the same resident at the same moment: the partial unique index keeps one active
    contract; the other gets the Chinese 409."""
    from shequ.acceptance.tests.conftest import in_thread, in_threads
    from shequ.core.choices import Role
    from shequ.core.testing import make_resident, make_user
    from shequ.health.testing import build_health

    def setup():
        from shequ.people.services import tags_ensure_defaults

        tags_ensure_defaults()
        w1 = make_user(Role.COMMITTEE_WORKER, [tree["dunhua"]], username="w1")
        w2 = make_user(Role.COMMITTEE_WORKER, [tree["dunhua"]], username="w2")
        resident = make_resident(w1, tree["dunhua"], name="钱阿姨")
        return [w1, w2], resident, build_health()

    workers, resident, h = in_thread(setup)
    start = timezone.localdate()

    def go(index):
        try:
            doctor = h["shen"] if index % 2 else h["gu"]
            return services.contract_sign(actor=workers[index % 2], resident=resident, doctor=doctor,
                                          start_date=start, end_date=services.term_end(start, 1)).pk
        except ConflictError as exc:
            return exc.message

    results = in_threads(go, 6)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert sum(isinstance(r, int) for r in results) == 1
    assert all("一人只能签约一位家庭医生" in r for r in results if isinstance(r, str))
    assert in_thread(lambda: Contract.objects.filter(resident_id=resident.pk, status="active").count()) == 1
