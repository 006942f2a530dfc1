"""Cases: intake decisions, every transition allowed and refused, the working-day clock, scope and safety."""

import datetime as dt

import pytest
import time_machine

from shequ.acceptance import selectors, services
from shequ.acceptance.choices import (RECTIFICATION_ACTIONS, RECTIFICATION_TRANSITIONS, TICKET_ACTIONS,
                                      TICKET_TRANSITIONS, CaseStatus, Light)
from shequ.acceptance.workflows import CASE
from shequ.acceptance.models import Case, CaseEvent, CaseMaterial, DailyCounter
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.models import AuditLog, Notification
from shequ.core.workcal import CalendarUnavailable

from .conftest import at, intake, visitor

pytestmark = pytest.mark.django_db


def ids(centre, *indexes):
    """Item materials (what intake receives)."""
    return [centre["materials"][i].pk for i in indexes]


def case_ids(case, centre, *indexes):
    """The case's own material rows for those item materials (what a supplement receives)."""
    wanted = ids(centre, *indexes)
    return list(case.materials.filter(material_id__in=wanted).values_list("pk", flat=True))


# --- the maps themselves -----------------------------------------------------------------------------------

@pytest.mark.parametrize("actions,transitions", [(TICKET_ACTIONS, TICKET_TRANSITIONS),
                                                 (RECTIFICATION_ACTIONS, RECTIFICATION_TRANSITIONS)])
def test_it_keeps_every_action_inside_the_transition_map(actions, transitions):
    for name, (_label, sources, target) in actions.items():
        for source in sources:
            assert target in transitions[source], (name, source, target)


# --- intake ----------------------------------------------------------------------------------------------------

def test_it_accepts_a_complete_application_with_a_due_date(centre, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 9, 29), tick=False), django_capture_on_commit_callbacks(execute=True):
        case = intake(centre)
    assert case.status == CaseStatus.ACCEPTED
    # 5 working days after 2026-09-29 (National Day 10-01..10-07, 10-10 make-up Saturday) → 2026-10-12.
    assert case.due_date == dt.date(2026, 10, 12)
    assert case.warn_date == dt.date(2026, 10, 10)  # 4th working day (80 %) is the make-up Saturday
    assert case.number.startswith("SL260929015") and case.number.endswith("0001")
    assert len(case.check_code) == 6 and case.check_code.isdigit()
    assert [e.action for e in case.events.all()] == ["intake", "accept"]
    assert AuditLog.objects.filter(object_type="acceptance.case", object_id=str(case.pk)).count() == 2
    assert Notification.objects.filter(recipient=centre["officer"]).exists()


def test_it_refuses_to_accept_with_missing_materials_and_writes_nothing(centre):
    with pytest.raises(DomainError) as exc:
        intake(centre, provided=ids(centre, 0))
    assert "户口簿" in exc.value.message and "一次性告知" in exc.value.message
    assert not Case.objects.exists() and not CaseMaterial.objects.exists()
    assert not DailyCounter.objects.filter(key="CASE").exists()


def test_it_issues_a_one_time_notice_listing_every_missing_material(centre):
    case = intake(centre, decision="notify", provided=ids(centre, 0))
    assert case.status == CaseStatus.NOTIFIED and case.notice_at and case.due_date is None
    missing = [m.name for m in case.materials.filter(provided=False)]
    assert missing == ["户口簿", "家庭成员收入证明"]
    assert case.events.get(action="notify").detail["missing"] == missing


def test_it_refuses_a_notice_when_nothing_is_missing(centre):
    with pytest.raises(DomainError):
        intake(centre, decision="notify")


def test_it_accepts_with_rongque_only_for_acceptable_missing_materials(centre):
    with time_machine.travel(at(2026, 11, 23), tick=False):
        with pytest.raises(DomainError) as exc:  # a key material is missing
            intake(centre, decision="rongque", provided=ids(centre, 0), rongque_deadline=dt.date(2026, 11, 27),
                   promise_signed=True)
        assert "不可容缺" in exc.value.message
        with pytest.raises(DomainError) as exc:  # no signed promise
            intake(centre, decision="rongque", provided=ids(centre, 0, 1), rongque_deadline=dt.date(2026, 11, 27))
        assert "promise_signed" in exc.value.errors
        with pytest.raises(DomainError) as exc:  # deadline after the due date (2026-11-30)
            intake(centre, decision="rongque", provided=ids(centre, 0, 1), rongque_deadline=dt.date(2026, 12, 4),
                   promise_signed=True)
        assert "rongque_deadline" in exc.value.errors
        case = intake(centre, decision="rongque", provided=ids(centre, 0, 1), rongque_deadline=dt.date(2026, 11, 27),
                      promise_signed=True)
    assert case.status == CaseStatus.ACCEPTED and case.rongque_pending and case.due_date == dt.date(2026, 11, 30)
    assert Case.objects.count() == 1


def test_it_rejects_with_reasons_only(centre):
    with pytest.raises(DomainError) as exc:
        intake(centre, decision="reject", reasons="  ")
    assert "reasons" in exc.value.errors
    case = intake(centre, decision="reject", reasons="申请人不具备申请资格")
    assert case.status == CaseStatus.REJECTED and case.closing_reason == "申请人不具备申请资格"


def test_it_refuses_an_unknown_item_or_decision(centre):
    with pytest.raises(DomainError) as exc:
        services.case_intake(actor=centre["clerk"], item=None, decision="accept", applicant=visitor())
    assert "item" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        intake(centre, decision="maybe")
    assert "decision" in exc.value.errors


def test_it_refuses_a_bad_id_number_or_missing_name(centre):
    with pytest.raises(DomainError) as exc:
        intake(centre, applicant={"name": "王五", "id_number": "310110194912310021"})
    assert "applicant_id_number" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        intake(centre, applicant={"name": "", "id_number": visitor()["id_number"]})
    assert "applicant_name" in exc.value.errors


def test_it_takes_the_applicant_from_the_registry_in_scope(centre, residents):
    case = intake(centre, applicant=None, applicant_resident=residents["dunhua"].pk)
    assert case.applicant_resident == residents["dunhua"] and case.committee == residents["dunhua"].committee
    assert case.applicant_id_number == residents["dunhua"].id_number
    assert case.applicant_id_masked == residents["dunhua"].id_masked


def test_it_refuses_an_applicant_outside_the_clerks_scope(centre, residents):
    with pytest.raises(DomainError) as exc:
        intake(centre, applicant=None, applicant_resident=residents["yinxing"].pk)
    assert "不在您的管辖范围内" in exc.value.message
    assert not Case.objects.exists()


def test_it_links_a_visitor_who_is_in_the_registry(centre, residents):
    r = residents["dunhua"]
    case = intake(centre, applicant={"name": r.name, "id_number": r.id_number})
    assert case.applicant_resident == r
    with pytest.raises(DomainError):  # same ID number, another name
        intake(centre, applicant={"name": "冒名者", "id_number": r.id_number})


def test_it_refuses_an_agent_for_a_personal_item_and_requires_authorisation(centre):
    agent = {"name": "代办人", "id_number": visitor(seed=9)["id_number"], "relation": "子女", "authorized": True}
    with pytest.raises(DomainError) as exc:
        intake(centre, item=centre["personal"], agent=agent)
    assert "本人办理" in exc.value.message
    with pytest.raises(DomainError) as exc:
        intake(centre, agent={**agent, "authorized": False})
    assert "agent_authorized" in exc.value.errors
    case = intake(centre, agent=agent)
    assert case.agent_name == "代办人" and case.agent_id_masked.startswith("3101")


def test_it_refuses_a_ticket_from_yesterday(centre):
    with time_machine.travel(at(2026, 11, 23, 15), tick=False):
        services.ticket_issue(node=centre["sub"], category="A", actor=centre["clerk"])
        ticket = services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    with time_machine.travel(at(2026, 11, 24, 9), tick=False):
        with pytest.raises(DomainError) as exc:
            intake(centre, ticket=ticket.pk)
    assert "不是今天的号" in exc.value.message and not Case.objects.exists()


def test_it_refuses_a_ticket_not_yet_called(centre):
    ticket = services.ticket_issue(node=centre["sub"], category="A", actor=centre["clerk"])
    with pytest.raises(DomainError) as exc:
        intake(centre, ticket=ticket.pk)
    assert "尚未叫号" in exc.value.message


def test_it_accepts_with_a_provisional_due_date_when_next_years_calendar_is_missing(centre, settings):
    """Next year's holidays are published around November: a 30-working-day item is accepted in December on the
    Mon–Fri rule and marked 暂定 (see test_rules_practice.py for the recomputation); only a missing current
    year still refuses."""
    from shequ.core.models import CalendarYear

    with time_machine.travel(at(2026, 12, 21), tick=False):
        case = intake(centre, item=centre["long"])
        assert case.status == CaseStatus.ACCEPTED and case.due_provisional
        # A 5-day item still fits in 2026: not provisional.
        short = intake(centre)
        assert short.due_date == dt.date(2026, 12, 28) and not short.due_provisional
        # the row stands for an edit on another node: seen at its next check of the year
        settings.SHEQU_CALENDAR_RECHECK_SECONDS = 0
        CalendarYear.objects.create(year=2026, source="草稿", confirmed=False)
        with pytest.raises(CalendarUnavailable) as exc:
            intake(centre)
        assert "2026年的法定节假日安排尚未确认" in exc.value.message


def test_it_shows_the_provisional_due_date_on_the_intake_page(centre, client_as):
    with time_machine.travel(at(2026, 12, 21), tick=False):
        client = client_as(centre["clerk"])
        page = client.get(f"/acceptance/cases/new/materials/?item={centre['long'].pk}").content.decode()
        assert "暂定" in page and "2027年的法定节假日安排尚未确认" not in page
    assert not Case.objects.exists()


# --- after intake ---------------------------------------------------------------------------------------------

def test_it_supplements_then_accepts_after_a_notice(centre):
    with time_machine.travel(at(2026, 11, 23), tick=False):
        case = intake(centre, decision="notify", provided=ids(centre, 0))
    with time_machine.travel(at(2026, 11, 25), tick=False):
        with pytest.raises(DomainError):
            services.case_accept(actor=centre["clerk"], case=case)
        services.case_supplement(actor=centre["clerk"], case=case, materials=case_ids(case, centre, 1, 2))
        case = services.case_accept(actor=centre["clerk"], case=case)
    # The clock starts when the materials are complete, not at the first visit.
    assert case.clock_start == dt.date(2026, 11, 25) and case.due_date == dt.date(2026, 12, 2)
    assert [e.action for e in case.events.all()] == ["intake", "notify", "supplement", "accept"]
    assert case.materials.filter(supplemented=True).count() == 2


def test_it_refuses_bad_supplements(centre):
    case = intake(centre, decision="notify", provided=ids(centre, 0))
    with pytest.raises(DomainError):  # already provided
        services.case_supplement(actor=centre["clerk"], case=case, materials=case_ids(case, centre, 0))
    with pytest.raises(DomainError):  # nothing chosen
        services.case_supplement(actor=centre["clerk"], case=case, materials=[])
    accepted = intake(centre)
    with pytest.raises(ConflictError):  # nothing is pending on an accepted case
        services.case_supplement(actor=centre["clerk"], case=accepted, materials=case_ids(accepted, centre, 0))


def test_it_clears_rongque_when_the_material_arrives(centre):
    with time_machine.travel(at(2026, 11, 23), tick=False):
        case = intake(centre, decision="rongque", provided=ids(centre, 0, 1), rongque_deadline=dt.date(2026, 11, 27),
                      promise_signed=True)
        with pytest.raises(ConflictError):  # the officer cannot approve while it is missing
            services.case_approve(actor=centre["officer"], case=case)
        pending = case.materials.get(provided=False)
        case = services.case_supplement(actor=centre["clerk"], case=case, materials=[pending.pk])
        case.refresh_from_db()
        assert not case.rongque_pending
        assert services.case_approve(actor=centre["officer"], case=case).status == CaseStatus.APPROVED


def full_cycle(centre):
    case = intake(centre)
    services.case_claim(actor=centre["officer"], case=case)
    services.case_approve(actor=centre["officer"], case=case, note="符合条件")
    services.case_complete(actor=centre["officer"], case=case, result_note="批复编号 001")
    return services.case_deliver(actor=centre["clerk"], case=case, to="applicant", id_check="card_reader")


def test_it_runs_a_case_from_intake_to_hand_over(centre):
    with time_machine.travel(at(2026, 11, 23), tick=True):
        case = full_cycle(centre)
    assert case.status == CaseStatus.DELIVERED and case.on_time and case.recipient_name == "王访客"
    assert [e.action for e in case.events.all()] == ["intake", "accept", "claim", "approve", "complete", "deliver"]
    assert all(e.actor_id and e.actor_name for e in case.events.all())
    for e in case.events.exclude(action="intake"):
        assert AuditLog.objects.filter(object_type="acceptance.case", object_id=str(case.pk), action="transition",
                                       detail__op=e.action).exists()


def test_it_completes_an_instant_item_at_the_window(centre):
    case = intake(centre, item=centre["instant"])
    assert case.due_date == case.clock_start
    case = services.case_complete(actor=centre["clerk"], case=case)
    assert case.status == CaseStatus.COMPLETED and case.on_time


def test_it_refuses_to_complete_a_promise_item_before_review(centre):
    case = intake(centre)
    with pytest.raises(ConflictError) as exc:
        services.case_complete(actor=centre["clerk"], case=case)
    assert "审核后" in exc.value.message


def test_it_returns_for_supplement_pausing_and_resuming_the_clock(centre):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        case = intake(centre)
        assert case.due_date == dt.date(2026, 11, 23)
    with time_machine.travel(at(2026, 11, 18), tick=False):
        case = services.case_return(actor=centre["officer"], case=case, reason="户口簿页不全",
                                    materials=["户口簿本人页复印件", "户口簿本人页复印件"])
        assert case.status == CaseStatus.RETURNED and case.paused_at
        assert selectors.case_light(case) == Light.PAUSED
        assert case.materials.filter(requested_by_backoffice=True).count() == 1
    with time_machine.travel(at(2026, 11, 26), tick=False):
        assert not selectors.overdue(user=centre["clerk"]).exists()  # paused: not overdue
        with pytest.raises(DomainError):  # the requested material is not in yet
            services.case_resubmit(actor=centre["clerk"], case=case)
        requested = case.materials.get(requested_by_backoffice=True)
        services.case_supplement(actor=centre["clerk"], case=case, materials=[requested.pk])
        case = services.case_resubmit(actor=centre["clerk"], case=case)
    assert case.status == CaseStatus.ACCEPTED and case.return_count == 1
    # Returned on 11-18 with 3 working days left (11-19, 11-20, 11-23): resumed on 11-26, due 3 working days
    # later, not a full 5-day restart (which would be 12-03).
    assert case.clock_start == dt.date(2026, 11, 16) and case.clock_resumed_on == dt.date(2026, 11, 26)
    assert case.clock_remaining == 3 and case.due_date == dt.date(2026, 12, 1)


def test_it_lights_yellow_at_80_and_red_at_100_percent(centre):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        case = intake(centre)  # 5 working days: warn 11-20, due 11-23
    assert (case.warn_date, case.due_date) == (dt.date(2026, 11, 20), dt.date(2026, 11, 23))
    assert selectors.case_light(case, dt.date(2026, 11, 19)) == Light.GREEN
    assert selectors.case_light(case, dt.date(2026, 11, 20)) == Light.YELLOW
    assert selectors.case_light(case, dt.date(2026, 11, 23)) == Light.RED
    with time_machine.travel(at(2026, 11, 20), tick=False):
        assert list(selectors.due_soon(user=centre["clerk"])) == [case]
        assert not selectors.overdue(user=centre["clerk"]).exists()
    with time_machine.travel(at(2026, 11, 24), tick=False):
        assert list(selectors.overdue(user=centre["clerk"])) == [case]
        done = services.case_approve(actor=centre["officer"], case=case)
        done = services.case_complete(actor=centre["officer"], case=done)
    assert done.on_time is False and selectors.case_light(done) == Light.NONE


@pytest.mark.parametrize("action", [a for a in CASE.names if a not in ("notify", "supplement")])
@pytest.mark.parametrize("status", [s for s in CaseStatus.values])
def test_it_allows_each_action_only_from_its_source_states(centre, action, status):
    """Every (action, status) pair: the allowed ones pass the state check, all others get a 409."""
    case = intake(centre)
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    sources = CASE.action(action).sources
    actor = centre["officer"] if action in ("claim", "approve", "refuse", "return") else centre["clerk"]
    calls = {
        "accept": lambda: services.case_accept(actor=actor, case=case),
        "rongque": lambda: services.case_rongque(actor=actor, case=case, deadline=None, promise_signed=True),
        "reject": lambda: services.case_reject(actor=actor, case=case, reasons="不符合条件"),
        "claim": lambda: services.case_claim(actor=actor, case=case),
        "approve": lambda: services.case_approve(actor=actor, case=case),
        "refuse": lambda: services.case_refuse(actor=actor, case=case, reasons="不符合条件"),
        "return": lambda: services.case_return(actor=actor, case=case, reason="补正", materials=["补正材料"]),
        "resubmit": lambda: services.case_resubmit(actor=actor, case=case),
        "complete": lambda: services.case_complete(actor=actor, case=case),
        "deliver": lambda: services.case_deliver(actor=actor, case=case, to="applicant", id_check="card_reader"),
        "terminate": lambda: services.case_terminate(actor=actor, case=case, reason="申请人撤回"),
    }
    if status in sources:
        try:
            calls[action]()
        except ConflictError as exc:  # a domain rule after the state check (e.g. 承诺件 needs review first)
            assert "不能执行" not in exc.message, exc.message
        except (DomainError, CalendarUnavailable) as exc:
            assert exc.status_code == 400
    else:
        with pytest.raises(ConflictError) as exc:
            calls[action]()
        assert "不能执行" in exc.value.message
        case.refresh_from_db()
        assert case.status == status


# --- who may act -------------------------------------------------------------------------------------------------

def test_it_lets_only_the_owning_departments_officer_review(centre):
    case = intake(centre)
    with pytest.raises(Forbidden):
        services.case_approve(actor=centre["officer_other"], case=case)
    with pytest.raises(Forbidden):
        services.case_approve(actor=centre["clerk"], case=case)
    # The other department's officer does not even see it.
    assert not selectors.case_queryset(user=centre["officer_other"]).filter(pk=case.pk).exists()
    assert selectors.case_queryset(user=centre["officer"]).filter(pk=case.pk).exists()


def test_it_keeps_cases_inside_the_centre(centre, personas):
    case = intake(centre)
    assert not selectors.case_queryset(user=centre["other_clerk"]).exists()
    assert not selectors.case_queryset(user=personas["dunhua"]).exists()  # committee workers: no capability
    assert selectors.case_queryset(user=personas["leader"]).filter(pk=case.pk).exists()


def test_it_refuses_front_desk_work_to_an_officer(centre):
    with pytest.raises(Forbidden):
        intake(centre, actor=centre["officer"])


def test_it_delivers_to_an_authorised_agent_only(centre):
    case = intake(centre, item=centre["instant"])
    services.case_complete(actor=centre["clerk"], case=case)
    with pytest.raises(DomainError) as exc:
        services.case_deliver(actor=centre["clerk"], case=case, to="agent", id_check="card_reader",
                              recipient_name="代领人", recipient_id_number=visitor(seed=11)["id_number"])
    assert "authorized" in exc.value.errors
    case = services.case_deliver(actor=centre["clerk"], case=case, to="agent", id_check="card_reader",
                                 recipient_name="代领人", recipient_id_number=visitor(seed=11)["id_number"],
                                 authorized=True)
    assert case.delivered_to == "agent" and case.recipient_name == "代领人"


def test_it_refuses_an_agent_pickup_for_a_personal_item(centre):
    case = intake(centre, item=centre["personal"])
    services.case_complete(actor=centre["clerk"], case=case)
    with pytest.raises(DomainError):
        services.case_deliver(actor=centre["clerk"], case=case, to="agent", id_check="card_reader",
                              recipient_name="代领人", recipient_id_number=visitor(seed=11)["id_number"],
                              authorized=True)


def test_it_terminates_an_overdue_rongque_case(centre):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        case = intake(centre, decision="rongque", provided=ids(centre, 0, 1), rongque_deadline=dt.date(2026, 11, 18),
                      promise_signed=True)
    with time_machine.travel(at(2026, 11, 19), tick=False):
        assert list(selectors.rongque_late(user=centre["supervisor"])) == [case]
        case = services.case_terminate(actor=centre["supervisor"], case=case, reason="容缺材料逾期未补齐")
    assert case.status == CaseStatus.TERMINATED and not case.rongque_pending
    assert CaseEvent.objects.filter(case=case, action="terminate").exists()
