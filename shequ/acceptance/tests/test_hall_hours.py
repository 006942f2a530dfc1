"""The kiosk issues numbers only within the hall's posted hours, and says when it opens next."""

import pytest
import time_machine
from django.test import override_settings

from shequ.acceptance import services
from shequ.acceptance.models import Ticket
from shequ.core.errors import DomainError

from .conftest import at

pytestmark = pytest.mark.django_db


@override_settings(SHEQU_HALL_HOURS="08:30-17:00")
@pytest.mark.parametrize("moment,opens", [
    (at(2026, 12, 3, 7, 50), "2026年12月3日 8:30"),    # a Thursday morning before opening
    (at(2026, 12, 3, 17, 0), "2026年12月4日 8:30"),    # closing time
    (at(2026, 12, 4, 19, 30), "2026年12月7日 8:30"),   # Friday evening: next Monday
    (at(2026, 12, 5, 10, 0), "2026年12月7日 8:30"),    # Saturday
])
def test_it_refuses_a_number_outside_the_posted_hours(centre, moment, opens):
    with time_machine.travel(moment, tick=False):
        with pytest.raises(DomainError) as exc:
            services.ticket_issue(node=centre["sub"], category="A")
    assert "现在不是取号时间（工作日 8:30–17:00）" in exc.value.message and opens in exc.value.message
    assert not Ticket.objects.exists()


@override_settings(SHEQU_HALL_HOURS="08:30-17:00")
def test_it_issues_within_the_hours_and_the_kiosk_page_shows_the_refusal(centre, client_as):
    with time_machine.travel(at(2026, 12, 3, 8, 30), tick=False):
        assert services.ticket_issue(node=centre["sub"], category="A").number == "A001"
    with time_machine.travel(at(2026, 12, 3, 18, 0), tick=False):
        response = client_as(centre["clerk"]).post("/acceptance/kiosk/", {"category": "A"})
        html = response.content.decode()
    assert response.status_code == 200 and "下次开始取号：2026年12月4日 8:30" in html
    assert Ticket.objects.count() == 1


@override_settings(SHEQU_HALL_HOURS="08:30-17:00")
def test_it_answers_the_api_with_a_400_outside_the_hours(centre, client_as):
    with time_machine.travel(at(2026, 12, 3, 6, 0), tick=False):
        response = client_as(centre["clerk"]).post("/api/v1/acceptance/tickets/", {"category": "A"},
                                                   content_type="application/json")
    assert response.status_code == 400 and "8:30" in response.json()["detail"]
