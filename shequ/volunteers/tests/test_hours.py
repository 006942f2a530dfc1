"""Signing up, the wait-list, check-in and check-out by code, the 60 % rule, approvals, corrections, honour hours,
stars and certificates, through the services."""

import datetime as dt

import pytest

from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.volunteers import selectors, services
from shequ.volunteers.choices import NoticeStatus, RecordStatus, SignupStatus
from shequ.volunteers.models import Activity, Record, Rules, Volunteer

from .conftest import at, publish, register, valid_id

pytestmark = pytest.mark.django_db


def _attend(org, clock, activity, user, arrive, leave):
    clock.move_to(arrive)
    services.record_check_in(actor=user, activity=activity, code=services.activity_code(activity=activity))
    clock.move_to(leave)
    return services.record_check_out(actor=user, activity=activity, code=services.activity_code(activity=activity))


# --- sign-up and wait-list ---------------------------------------------------------------------------------------

def test_it_confirms_up_to_the_slots_then_waitlists_in_order(org, vols):
    activity = publish(org, slots=2)
    results = [services.signup_create(actor=u, activity=activity) for u, _v in vols[:5]]
    assert [(s.status, p) for s, p in results] == [("confirmed", 1), ("confirmed", 2), ("waitlisted", 1),
                                                   ("waitlisted", 2), ("waitlisted", 3)]
    activity.refresh_from_db()
    assert (activity.confirmed, activity.waitlisted) == (2, 3)


def test_it_refuses_a_second_signup_with_409(org, vols):
    activity = publish(org)
    services.signup_create(actor=vols[0][0], activity=activity)
    with pytest.raises(ConflictError):
        services.signup_create(actor=vols[0][0], activity=activity)


def test_it_promotes_the_first_waitlisted_when_a_confirmed_one_cancels(org, vols):
    activity = publish(org, slots=2)
    for u, _v in vols[:5]:
        services.signup_create(actor=u, activity=activity)
    services.signup_cancel(actor=vols[3][0], activity=activity)  # second on the wait-list leaves first
    services.signup_cancel(actor=vols[0][0], activity=activity)  # a confirmed one leaves
    status = {v.pk: selectors.signup_of(activity=activity, volunteer=v) for _u, v in vols[:5]}
    assert status[vols[2][1].pk].status == SignupStatus.CONFIRMED  # the first waiting moved up
    assert status[vols[4][1].pk].status == SignupStatus.WAITLISTED
    assert selectors.wait_position(signup=status[vols[4][1].pk]) == 1
    assert status[vols[0][1].pk] is None
    activity.refresh_from_db()
    assert (activity.confirmed, activity.waitlisted) == (2, 1)


def test_it_lets_a_cancelled_volunteer_sign_up_again_at_the_end(org, vols):
    activity = publish(org, slots=1)
    services.signup_create(actor=vols[0][0], activity=activity)
    services.signup_create(actor=vols[1][0], activity=activity)
    services.signup_cancel(actor=vols[0][0], activity=activity)
    signup, position = services.signup_create(actor=vols[0][0], activity=activity)
    assert (signup.status, position) == ("waitlisted", 1)


def test_it_checks_the_conditions_age_skills_deadline(org, tree, clock):
    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    young = make_user(Role.VOLUNTEER, [tree["dunhua"]], username="young")
    register(young, tree["dunhua"], 40, birth="20100101")
    old = make_user(Role.VOLUNTEER, [tree["dunhua"]], username="old")
    register(old, tree["dunhua"], 41, birth="19800101", skills=["急救"])
    activity = publish(org, min_age=18, skills=["急救"], signup_deadline=at(9, 28, 18))
    with pytest.raises(DomainError, match="年龄"):
        services.signup_create(actor=young, activity=activity)
    services.signup_create(actor=old, activity=activity)
    other = publish(org, skills=["理发"])
    with pytest.raises(DomainError, match="理发"):
        services.signup_create(actor=old, activity=other)
    late = publish(org, signup_deadline=at(9, 28, 8))
    with pytest.raises(DomainError, match="截止"):
        services.signup_create(actor=old, activity=late)


def test_it_refuses_a_signup_without_a_profile(org, personas):
    with pytest.raises(DomainError, match="登记"):
        services.signup_create(actor=personas["resident"], activity=publish(org))


def test_only_the_team_admin_or_the_centre_publishes(org, vols, personas):
    with pytest.raises(Forbidden):
        services.activity_create(
            actor=org["lead"], team=org["brand"], title="x", start=at(10, 1, 9), end=at(10, 1, 10), place="p",
            slots=1)
    assert services.activity_create(actor=org["lead"], team=org["standing"], title="巡逻", start=at(10, 1, 9),
                                    end=at(10, 1, 10), place="p", slots=1).pk
    with pytest.raises(Forbidden):
        services.activity_create(actor=vols[0][0], team=org["standing"], title="x", start=at(10, 1, 9),
                                 end=at(10, 1, 10), place="p", slots=1)
    with pytest.raises(Forbidden):  # another 街道's team, even for our centre's admin
        services.activity_create(actor=org["vcenter"], team=org["far_team"], title="x", start=at(10, 1, 9),
                                 end=at(10, 1, 10), place="p", slots=1)


def test_it_refuses_bad_activity_input_with_field_messages(org):
    with pytest.raises(DomainError) as exc:
        services.activity_create(actor=org["vcenter"], team=org["standing"], title="x" * 101, start=at(9, 29, 10),
                                 end=at(9, 29, 9), place="", slots=0)
    assert set(exc.value.errors) >= {"title", "end", "place", "slots"}


# --- codes and the 60 % rule -------------------------------------------------------------------------------------

def test_it_refuses_a_wrong_a_foreign_and_an_expired_code(org, vols, clock):
    activity = publish(org)
    other = publish(org)
    user = vols[0][0]
    services.signup_create(actor=user, activity=activity)
    clock.move_to(at(9, 29, 9, 5))
    with pytest.raises(DomainError, match="签到码"):
        services.record_check_in(actor=user, activity=activity, code="abc")
    with pytest.raises(DomainError, match="签到码"):
        services.record_check_in(actor=user, activity=activity, code=services.activity_code(activity=other))
    old = services.activity_code(activity=activity)
    clock.move_to(at(9, 29, 9, 30))  # six windows later
    if old != services.activity_code(activity=activity):
        with pytest.raises(DomainError, match="签到码"):
            services.record_check_in(actor=user, activity=activity, code=old)
    services.record_check_in(actor=user, activity=activity, code=services.activity_code(activity=activity))
    clock.move_to(at(9, 29, 11, 31))  # after the end and its half hour
    with pytest.raises(DomainError, match="失效"):
        services.record_check_out(actor=user, activity=activity, code=services.activity_code(activity=activity))


def test_the_code_rotates(org):
    activity = publish(org)
    codes = {services.activity_code(activity=activity, at=at(9, 29, 9) + dt.timedelta(minutes=5 * k))
             for k in range(12)}
    assert len(codes) >= 10
    assert all(len(c) == 6 and c.isdigit() for c in codes)


@pytest.mark.parametrize("stay,credited", [(72, 72), (71, 0), (120, 120), (0, 0)])
def test_it_credits_only_from_sixty_percent_of_the_activity(org, stay, credited):
    activity = publish(org, minutes=120)  # 60 % of 120 minutes is 72
    got = services.credit_for(activity=activity, check_in=activity.start,
                              check_out=activity.start + dt.timedelta(minutes=stay))
    assert got == (stay, credited)


def test_it_counts_only_the_time_inside_the_activity(org):
    activity = publish(org, minutes=100)
    stay, credited = services.credit_for(activity=activity, check_in=activity.start - dt.timedelta(minutes=30),
                                         check_out=activity.end + dt.timedelta(minutes=20))
    assert (stay, credited) == (100, 100)


def test_the_share_is_configurable(org):
    Rules.objects.create(min_share=80)
    activity = publish(org, minutes=100)
    assert services.credit_for(activity=activity, check_in=activity.start,
                               check_out=activity.start + dt.timedelta(minutes=79)) == (79, 0)
    assert services.credit_for(activity=activity, check_in=activity.start,
                               check_out=activity.start + dt.timedelta(minutes=80)) == (80, 80)


# --- approval, rejection, correction ---------------------------------------------------------------------------

def test_approval_adds_to_the_total_and_rejection_never_does(org, vols, clock):
    a = publish(org, slots=5)
    (u0, v0), (u1, v1) = vols[0], vols[1]
    for u in (u0, u1):
        services.signup_create(actor=u, activity=a)
    clock.move_to(at(9, 29, 8, 55))
    code = services.activity_code(activity=a)
    services.record_check_in(actor=u0, activity=a, code=code)
    services.record_check_in(actor=u1, activity=a, code=code)
    clock.move_to(at(9, 29, 11))
    code = services.activity_code(activity=a)
    r0 = services.record_check_out(actor=u0, activity=a, code=code)
    r1 = services.record_check_out(actor=u1, activity=a, code=code)
    assert r0.status == RecordStatus.PENDING and r0.credited_minutes == 120
    services.record_approve(actor=org["lead"], record=r0)
    with pytest.raises(DomainError, match="理由"):
        services.record_reject(actor=org["lead"], record=r1, reason=" ")
    services.record_reject(actor=org["lead"], record=r1, reason="未在岗")
    v0.refresh_from_db(), v1.refresh_from_db()
    assert (v0.credited_minutes, v1.credited_minutes) == (120, 0)
    with pytest.raises(ConflictError):
        services.record_approve(actor=org["lead"], record=r1)  # rejected stays rejected
    with pytest.raises(Forbidden):
        services.record_approve(actor=vols[2][0], record=r0)


def test_a_correction_changes_the_total_only_when_approved_and_replaces_the_old_minutes(org, vols, clock):
    a = publish(org, slots=5)
    user, volunteer = vols[0]
    services.signup_create(actor=user, activity=a)
    record = _attend(org, clock, a, user, at(9, 29, 9), at(9, 29, 10, 30))  # 90 of 120 minutes
    services.record_approve(actor=org["vcenter"], record=record)
    volunteer.refresh_from_db()
    assert volunteer.credited_minutes == 90
    fix = services.record_correct(actor=org["vcenter"], record=record, check_in=at(9, 29, 9),
                                  check_out=at(9, 29, 11), reason="忘记签退，组织者核实")
    volunteer.refresh_from_db()
    assert volunteer.credited_minutes == 90 and fix.status == RecordStatus.PENDING and fix.corrects_id == record.pk
    record.refresh_from_db()
    assert record.status == RecordStatus.APPROVED
    services.record_approve(actor=org["vcenter"], record=fix)
    volunteer.refresh_from_db(), record.refresh_from_db()
    assert volunteer.credited_minutes == 120 and record.status == RecordStatus.SUPERSEDED
    assert Record.objects.count() == 2  # nothing deleted
    assert volunteer.credited_minutes == selectors.credited_minutes_from_records(volunteer_id=volunteer.pk)


def test_a_rejected_correction_leaves_the_total(org, vols, clock):
    a = publish(org, slots=5)
    user, volunteer = vols[0]
    services.signup_create(actor=user, activity=a)
    record = _attend(org, clock, a, user, at(9, 29, 9), at(9, 29, 11))
    services.record_approve(actor=org["vcenter"], record=record)
    fix = services.record_correct(actor=org["vcenter"], record=record, check_in=at(9, 29, 10),
                                  check_out=at(9, 29, 10, 30), reason="核对签到表")
    services.record_reject(actor=org["vcenter"], record=fix, reason="签到表无误")
    volunteer.refresh_from_db(), record.refresh_from_db()
    assert volunteer.credited_minutes == 120 and record.status == RecordStatus.APPROVED


def test_honour_hours_are_kept_apart_and_never_make_a_star(org, vols):
    volunteer = vols[0][1]
    with pytest.raises(Forbidden):
        services.honour_add(actor=org["lead"], volunteer=volunteer, minutes=60, reason="补录")
    services.honour_add(actor=org["vcenter"], volunteer=volunteer, minutes=200 * 60 // 2, reason="2019年补录")
    volunteer.refresh_from_db()
    assert (volunteer.credited_minutes, volunteer.honour_minutes) == (0, 6000)
    assert not volunteer.star_notices.exists()


# --- stars ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("hours,star", [(99.9, 0), (100, 1), (299, 1), (300, 2), (600, 3), (1000, 4), (1499, 4),
                                        (1500, 5), (5000, 5)])
def test_star_thresholds(hours, star):
    assert selectors.star_for(int(hours * 60), [100, 300, 600, 1000, 1500]) == star


def test_crossing_a_threshold_opens_a_public_notice_then_the_star_is_granted(org, vols, clock):
    user, volunteer = vols[0]
    Volunteer.objects.filter(pk=volunteer.pk).update(credited_minutes=99 * 60)
    Record.objects.create(activity=publish(org, slots=5), volunteer=volunteer, status="approved",
                          check_in=at(1, 5, 9), check_out=at(1, 5, 10), credited_minutes=99 * 60)
    a = publish(org, slots=5)
    services.signup_create(actor=user, activity=a)
    record = _attend(org, clock, a, user, at(9, 29, 9), at(9, 29, 11))
    services.record_approve(actor=org["vcenter"], record=record)
    notice = volunteer.star_notices.get()
    assert notice.star == 1 and notice.status == NoticeStatus.NOTICE
    assert list(selectors.notices_public()) == [notice]
    volunteer.refresh_from_db()
    assert volunteer.star == 0  # not before the notice period ends
    with pytest.raises(ConflictError, match="公示期满"):
        services.star_grant(actor=org["vcenter"], notice=notice)
    clock.move_to(at(10, 7, 9))
    services.star_grant(actor=org["vcenter"], notice=notice)
    volunteer.refresh_from_db()
    assert volunteer.star == 1


def test_thresholds_are_configurable(org, vols):
    Rules.objects.create(star1=10, star2=20, star3=30, star4=40, star5=50)
    assert selectors.rules().thresholds == [10, 20, 30, 40, 50]


# --- certificates --------------------------------------------------------------------------------------------------

def test_a_certificate_is_numbered_in_the_register_and_verifiable(org, vols, clock):
    user, volunteer = vols[0]
    with pytest.raises(DomainError, match="服务记录"):
        services.certificate_issue(actor=user, volunteer=volunteer)
    a = publish(org, slots=5)
    services.signup_create(actor=user, activity=a)
    services.record_approve(actor=org["vcenter"], record=_attend(org, clock, a, user, at(9, 29, 9),
                                                                  at(9, 29, 11)))
    first = services.certificate_issue(actor=user, volunteer=volunteer)
    second = services.certificate_issue(actor=org["vcenter"], volunteer=volunteer)
    assert first.number.startswith("ZYZM2026") and first.number != second.number
    assert first.credited_minutes == 120 and first.person_in_charge == "王中心"
    assert selectors.certificate_by_number(number=first.number.lower()) == first
    with pytest.raises(Forbidden):
        services.certificate_issue(actor=vols[1][0], volunteer=volunteer)


# --- registration --------------------------------------------------------------------------------------------------

def test_registration_checks_the_id_number_and_refuses_a_second_profile(org, tree, personas):
    good = valid_id(77)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(DomainError) as exc:
        services.volunteer_register(actor=personas["dunhua"], committee=tree["dunhua"], name="张三",
                                    id_number=bad, phone="13900000000", consent=True)
    assert "id_number" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.volunteer_register(actor=personas["dunhua"], committee=tree["dunhua"], name="张三",
                                    id_number=good, phone="13900000000", consent=False)
    assert "consent" in exc.value.errors
    v = services.volunteer_register(actor=personas["dunhua"], committee=tree["dunhua"], name="张三",
                                    id_number=good, phone="13900000000", consent=True)
    assert v.id_masked == good[:4] + "*" * 10 + good[-4:] and v.phone_masked == "139****0000"
    with pytest.raises(ConflictError):
        services.volunteer_register(actor=personas["dunhua"], committee=tree["dunhua"], name="张三",
                                    id_number=good, phone="13900000000", consent=True)
    with pytest.raises(Forbidden):  # another committee's worker
        services.volunteer_register(actor=personas["kongjiang"], committee=tree["dunhua"], name="李四",
                                    id_number=valid_id(78), phone="13900000001", consent=True)


def test_the_totals_command_finds_a_drift(org, vols, clock, capsys):
    from django.core.management import call_command

    user, volunteer = vols[0]
    a = publish(org, slots=5)
    services.signup_create(actor=user, activity=a)
    services.record_approve(actor=org["vcenter"], record=_attend(org, clock, a, user, at(9, 29, 9),
                                                                  at(9, 29, 11)))
    call_command("volunteer_totals")
    assert "0" in capsys.readouterr().out
    Volunteer.objects.filter(pk=volunteer.pk).update(credited_minutes=5)
    with pytest.raises(SystemExit):
        call_command("volunteer_totals")
    call_command("volunteer_totals", "--fix")
    volunteer.refresh_from_db()
    assert volunteer.credited_minutes == 120


def test_reminders_go_once_to_the_confirmed(org, vols, clock):
    a = publish(org, slots=1)
    services.signup_create(actor=vols[0][0], activity=a)
    services.signup_create(actor=vols[1][0], activity=a)
    assert services.activity_remind_due(now=at(9, 29, 6)) == 0
    assert services.activity_remind_due(now=at(9, 29, 7, 30)) == 1
    assert services.activity_remind_due(now=at(9, 29, 8)) == 0
    Activity.objects.filter(pk=a.pk).update(reminded_at=None)


def test_monthly_hours_by_team_counts_approved_records_only(org, vols, clock):
    user, volunteer = vols[0]
    a = publish(org, slots=5)
    b = publish(org, slots=5, team=org["brand"], start=at(10, 1, 9))
    services.signup_create(actor=user, activity=a)
    services.signup_create(actor=vols[1][0], activity=b)
    services.record_approve(actor=org["vcenter"], record=_attend(org, clock, a, user, at(9, 29, 9), at(9, 29, 11)))
    services.record_reject(actor=org["vcenter"], record=_attend(org, clock, b, vols[1][0], at(10, 1, 9),
                                                                 at(10, 1, 11)), reason="未在岗")
    rows = selectors.monthly_hours_by_team(user=org["leader"], year=2026)
    assert rows == [{"team": "平安志愿服务队", "team_id": org["standing"].pk, "month": 9, "hours": 2.0}]
    assert selectors.monthly_hours_by_team(user=org["leader"], year=2025) == []
