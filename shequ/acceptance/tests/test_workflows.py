"""The declared workflows of the acceptance centre (`acceptance/workflows.py`): every action allowed from its
declared statuses and refused from the others, the same refusal through the service, the page and the API, and the
agreement test — for every persona × status × action, "offered" (the page's buttons, the API's `actions`) equals
"the service accepts"."""

import pytest
from django.db import transaction

from shequ.acceptance import services
from shequ.acceptance.choices import ArchiveStatus, CaseStatus
from shequ.acceptance.models import ArchiveRequest, Case
from shequ.acceptance.workflows import ARCHIVE, CASE, archive_available_actions, case_available_actions
from shequ.core.errors import ConflictError, DomainError, Forbidden, NotFound
from shequ.core.workcal import CalendarUnavailable

from .conftest import intake, visitor

pytestmark = pytest.mark.django_db

PERSONAS = ("clerk", "officer", "officer_other", "other_clerk", "supervisor")


def _calls(actor, case):
    return {
        "supplement": lambda: services.case_supplement(
            actor=actor, case=case, materials=list(case.materials.filter(provided=False).values_list("pk", flat=True))
            or [0]),
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


def _attempt(call):
    """Run a service in a savepoint that is always rolled back; the refusal it raised, or None."""
    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            call()
            raise Undo
    except Undo:
        return None
    except (DomainError, CalendarUnavailable) as exc:
        return exc


def _agrees(refusal, raised, what):
    if refusal is None:
        # Offered: the service may still refuse the input (400) or a rule about the materials, never the actor or
        # the step itself.
        assert raised is None or not isinstance(raised, (Forbidden, NotFound)), (what, raised)
        assert raised is None or "不能执行" not in getattr(raised, "message", ""), (what, raised.message)
    else:
        assert raised is not None, (what, "offered nowhere but the service accepted")
        assert type(raised) is type(refusal) and raised.message == refusal.message, (what, raised, refusal)


@pytest.mark.parametrize("rongque_pending", [False, True])
def test_offered_equals_accepted_for_every_persona_status_and_action(centre, rongque_pending):
    case = intake(centre)
    names = [a.name for a in CASE.actions if a.name != "notify"]
    for status in CaseStatus.values:
        Case.objects.filter(pk=case.pk).update(status=status, rongque_pending=rongque_pending)
        for persona in PERSONAS:
            actor = centre[persona]
            fresh = Case.objects.select_related("item", "department", "node").get(pk=case.pk)
            offered = set(case_available_actions(actor, fresh))
            for name in names:
                refusal = CASE.refusal(actor, fresh, name)
                assert (name in offered) == (refusal is None)
                raised = _attempt(_calls(actor, fresh)[name])
                _agrees(refusal, raised, (persona, status, rongque_pending, name))


def test_each_status_offers_the_declared_steps(centre):
    """What the window clerk and the department's officer are offered, status by status."""
    case = intake(centre)
    expected = {
        CaseStatus.NOTIFIED: ({"supplement", "accept", "rongque", "reject", "terminate"}, set()),
        CaseStatus.ACCEPTED: ({"terminate"}, {"claim", "approve", "refuse", "return"}),
        CaseStatus.REVIEWING: ({"terminate"}, {"approve", "refuse", "return"}),
        CaseStatus.RETURNED: ({"supplement", "resubmit", "terminate"}, set()),
        CaseStatus.APPROVED: ({"complete"}, {"complete"}),
        CaseStatus.REFUSED: ({"complete"}, {"complete"}),
        CaseStatus.COMPLETED: ({"deliver"}, set()),
        CaseStatus.DELIVERED: (set(), set()),
        CaseStatus.REJECTED: (set(), set()),
        CaseStatus.TERMINATED: (set(), set()),
    }
    for status, (front, back) in expected.items():
        Case.objects.filter(pk=case.pk).update(status=status)
        fresh = Case.objects.get(pk=case.pk)
        assert set(case_available_actions(centre["clerk"], fresh)) == front, status
        assert set(case_available_actions(centre["officer"], fresh)) == back, status
        assert case_available_actions(centre["officer_other"], fresh) == [], status
        assert case_available_actions(centre["other_clerk"], fresh) == [], status


def test_an_instant_item_is_completed_at_the_window_once_its_rongque_materials_are_in(centre):
    case = intake(centre, item=centre["instant"])
    assert "complete" in case_available_actions(centre["clerk"], case)
    assert "complete" not in case_available_actions(centre["officer"], case)
    Case.objects.filter(pk=case.pk).update(rongque_pending=True)
    case.refresh_from_db()
    assert "complete" not in case_available_actions(centre["clerk"], case)
    with pytest.raises(ConflictError) as exc:
        services.case_complete(actor=centre["clerk"], case=case)
    assert "容缺材料尚未补齐" in exc.value.message


def test_another_centres_clerk_gets_not_found_from_the_service(centre):
    case = intake(centre)
    with pytest.raises(NotFound):
        services.case_terminate(actor=centre["other_clerk"], case=case, reason="撤回")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_the_page_shows_only_the_offered_forms_and_the_api_lists_them(centre, client_as, api_as):
    case = intake(centre)
    page = client_as(centre["clerk"]).get(f"/acceptance/cases/{case.pk}/").content.decode()
    assert f"/acceptance/cases/{case.pk}/act/terminate/" in page
    assert f"/acceptance/cases/{case.pk}/act/approve/" not in page
    page = client_as(centre["officer"]).get(f"/acceptance/cases/{case.pk}/").content.decode()
    assert f"/acceptance/cases/{case.pk}/act/approve/" in page
    assert f"/acceptance/cases/{case.pk}/act/terminate/" not in page
    body = api_as(centre["officer"]).get(f"/api/v1/acceptance/cases/{case.pk}/").json()
    assert set(body["actions"]) == {"claim", "approve", "refuse", "return"}


def test_a_refused_step_is_a_409_in_the_api_and_a_message_on_the_page(centre, client_as, api_as):
    case = intake(centre)
    reply = api_as(centre["clerk"]).post(f"/api/v1/acceptance/cases/{case.pk}/resubmit/")
    assert reply.status_code == 409
    assert reply.json()["detail"] == CASE.refusal(centre["clerk"], case, "resubmit").message
    page = client_as(centre["clerk"]).post(f"/acceptance/cases/{case.pk}/act/resubmit/", follow=True)
    assert "不能执行“补正完成，恢复计时”" in page.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


# --- the archive request ---------------------------------------------------------------------------------------

def _archive(centre, **kw):
    kw = {"record_type": "marriage", "relation": "self", "id_check": "card_reader", "purpose": "办理公证",
          "requester": visitor(), **kw}
    return services.archive_request_create(actor=centre["clerk"], **kw)


def test_the_archive_request_offers_each_step_only_from_its_status(centre):
    req = _archive(centre)
    assert req.status == ArchiveStatus.SUBMITTED
    assert set(archive_available_actions(centre["clerk"], req)) == {"found", "not_found"}
    assert archive_available_actions(centre["officer"], req) == []
    assert archive_available_actions(centre["other_clerk"], req) == []
    req = services.archive_record_result(actor=centre["clerk"], request=req, found=True, file_reference="A1",
                                         pages=2)
    assert archive_available_actions(centre["clerk"], req) == ["issue"]
    req = services.archive_issue(actor=centre["clerk"], request=req, copies=1)
    assert archive_available_actions(centre["clerk"], req) == []
    refused = _archive(centre, relation="agent", subject_name="张三")
    assert refused.status == ArchiveStatus.REFUSED and archive_available_actions(centre["clerk"], refused) == []


def test_archive_offered_equals_accepted_for_every_persona_and_status(centre):
    req = _archive(centre)
    calls = {
        "found": lambda a, r: services.archive_record_result(actor=a, request=r, found=True, file_reference="A1",
                                                             pages=1),
        "not_found": lambda a, r: services.archive_record_result(actor=a, request=r, found=False,
                                                                 result_note="查无此档"),
        "issue": lambda a, r: services.archive_issue(actor=a, request=r, copies=1),
    }
    for status in ArchiveStatus.values:
        ArchiveRequest.objects.filter(pk=req.pk).update(status=status)
        for persona in PERSONAS:
            actor = centre[persona]
            fresh = ArchiveRequest.objects.get(pk=req.pk)
            for name, call in calls.items():
                refusal = ARCHIVE.refusal(actor, fresh, name)
                assert (name in archive_available_actions(actor, fresh)) == (refusal is None)
                _agrees(refusal, _attempt(lambda: call(actor, fresh)), (persona, status, name))


def test_archive_refusals_through_the_api(centre, api_as):
    req = _archive(centre)
    api = api_as(centre["clerk"])
    url = f"/api/v1/acceptance/archive-requests/{req.pk}/issue/"
    assert api.post(url, {"copies": 1}, format="json").status_code == 409
    body = api.get(f"/api/v1/acceptance/archive-requests/{req.pk}/").json()
    assert set(body["actions"]) == {"found", "not_found"}
    assert api_as(centre["officer"]).post(f"/api/v1/acceptance/archive-requests/{req.pk}/issue/", {"copies": 1},
                                          format="json").status_code in (403, 404)
