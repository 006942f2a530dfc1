"""好差评 and rectification of 差评."""

import datetime as dt

import pytest
import time_machine

from shequ.acceptance import services
from shequ.acceptance.choices import RectificationStatus
from shequ.acceptance.models import Rectification, Review
from shequ.core.errors import ConflictError, DomainError, Forbidden

from .conftest import at, intake

pytestmark = pytest.mark.django_db


def review_form(case, **extra):
    return {"number": case.number, "check_code": case.check_code, "score": 5, **extra}


def test_it_takes_a_public_review_with_number_and_check_code(centre, client):
    case = intake(centre)
    response = client.post("/acceptance/review/", review_form(case, tags=["办事高效"]))
    assert response.status_code == 200 and "感谢您的评价" in response.content.decode()
    review = Review.objects.get()
    assert review.case == case and review.channel == "web" and review.tags == ["办事高效"]
    assert not Rectification.objects.exists()
    again = client.post("/acceptance/review/", review_form(case))
    assert "已评价过" in again.content.decode() and Review.objects.count() == 1


def test_it_refuses_a_wrong_check_code_and_limits_guessing(centre, client):
    case = intake(centre)
    wrong = "000000" if case.check_code != "000000" else "111111"
    for _ in range(10):
        page = client.post("/acceptance/review/", review_form(case, check_code=wrong)).content.decode()
        assert "办件编号或查询码不正确" in page
    page = client.post("/acceptance/review/", review_form(case)).content.decode()
    assert "尝试次数过多" in page and not Review.objects.exists()


def test_it_validates_the_public_form(centre, client):
    case = intake(centre)
    page = client.post("/acceptance/review/", review_form(case, score=9, check_code="12")).content.decode()
    assert page.count("invalid-feedback") >= 2 and not Review.objects.exists()
    page = client.post("/acceptance/review/", review_form(case, score=1)).content.decode()
    assert "请说明不满意的原因" in page or "不满意的评价请选择原因" in page


def test_it_opens_a_rectification_for_a_poor_review_with_deadlines(centre):
    with time_machine.travel(at(2026, 11, 26, 15), tick=False):
        case = intake(centre)
        review = services.review_submit(score=2, channel="web", case=case, tags=["一次告知不清楚"],
                                        comment="第二次来才说清楚", contact_phone="13900001111")
    rect = review.rectification
    assert rect.status == RectificationStatus.OPEN and rect.department is None  # window service: the centre
    assert rect.contact_deadline == dt.date(2026, 11, 27) and rect.deadline == dt.date(2026, 12, 3)
    assert review.clerk == centre["clerk"] and review.contact_phone_masked == "139****1111"


def test_it_gives_a_decided_cases_poor_review_to_the_department(centre):
    case = intake(centre)
    services.case_approve(actor=centre["officer"], case=case)
    services.case_complete(actor=centre["officer"], case=case)
    review = services.review_submit(score=1, channel="web", case=case, comment="审批太慢")
    assert review.rectification.department == case.department


def test_it_still_opens_a_rectification_without_calendar_data(centre):
    with time_machine.travel(at(2026, 12, 31, 15), tick=False):
        case = intake(centre, item=centre["instant"])
        review = services.review_submit(score=1, channel="web", case=case, comment="态度差")
    rect = review.rectification
    assert rect.deadline is None and "2027年" in rect.deadline_note


def test_it_runs_the_rectification_and_call_back(centre):
    case = intake(centre)
    rect = services.review_submit(score=2, channel="web", case=case, comment="等太久").rectification
    sup = centre["supervisor"]
    with pytest.raises(DomainError):  # contact method required
        services.rectification_act(actor=sup, rectification=rect, action="contact", note="已联系")
    with pytest.raises(ConflictError):  # cannot close before rectifying
        services.rectification_act(actor=sup, rectification=rect, action="close", note="x", callback_result="satisfied")
    services.rectification_act(actor=sup, rectification=rect, action="contact", note="电话致歉", contact_method="phone",
                               complexity="complex")
    rect.refresh_from_db()
    assert rect.complexity == "complex" and rect.deadline is not None
    services.rectification_act(actor=sup, rectification=rect, action="rectify", note="增加高峰时段窗口")
    with pytest.raises(DomainError):  # an unsatisfied call-back cannot close the task
        services.rectification_act(actor=sup, rectification=rect, action="close", note="仍不满意",
                                   callback_result="unsatisfied")
    services.rectification_act(actor=sup, rectification=rect, action="reopen", note="仍不满意，继续整改")
    services.rectification_act(actor=sup, rectification=rect, action="rectify", note="安排专人引导")
    rect = services.rectification_act(actor=sup, rectification=rect, action="close", note="满意",
                                      callback_result="satisfied")
    assert rect.status == RectificationStatus.CLOSED and rect.closed_at
    assert [e.action for e in rect.events.all()] == ["open", "contact", "rectify", "reopen", "rectify", "close"]


def test_it_lets_only_the_supervisor_decide_an_appeal(centre):
    case = intake(centre)
    services.case_approve(actor=centre["officer"], case=case)
    services.case_complete(actor=centre["officer"], case=case)
    rect = services.review_submit(score=1, channel="web", case=case, comment="恶意").rectification
    services.rectification_act(actor=centre["officer"], rectification=rect, action="appeal", note="评价与事实不符")
    with pytest.raises(Forbidden):
        services.rectification_act(actor=centre["officer"], rectification=rect, action="uphold", note="自己决定")
    with pytest.raises(Forbidden):
        services.rectification_act(actor=centre["officer_other"], rectification=rect, action="contact", note="x",
                                   contact_method="phone")
    rect = services.rectification_act(actor=centre["supervisor"], rectification=rect, action="uphold", note="申诉成立")
    assert rect.status == RectificationStatus.VOIDED


def test_it_refuses_a_review_before_the_ticket_is_finished(centre):
    services.ticket_issue(node=centre["sub"], category="A", actor=centre["clerk"])
    ticket = services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    with pytest.raises(ConflictError):
        services.review_submit(score=5, channel="window", ticket=ticket)


def test_it_shows_open_rectifications_to_the_supervisor(centre, client_as):
    case = intake(centre)
    rect = services.review_submit(score=2, channel="web", case=case, tags=["等候时间长"]).rectification
    page = client_as(centre["supervisor"]).get("/acceptance/rectifications/").content.decode()
    assert f"#{rect.pk}" in page and "等候时间长" in page
    detail = client_as(centre["supervisor"]).get(f"/acceptance/rectifications/{rect.pk}/").content.decode()
    assert "联系核实" in detail
    response = client_as(centre["supervisor"]).post(f"/acceptance/rectifications/{rect.pk}/contact/",
                                                    {"note": "已联系", "contact_method": "phone"})
    assert response.status_code == 302
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.CONTACTED
    # The other centre's clerk sees nothing; a committee worker has no access.
    assert client_as(centre["other_clerk"]).get(f"/acceptance/rectifications/{rect.pk}/").status_code == 403
