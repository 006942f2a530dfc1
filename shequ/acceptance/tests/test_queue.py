"""Queue: taking numbers, the window actions and their refusals, devices, screens and the ticket API."""

import datetime as dt

import pytest
import time_machine

from shequ.acceptance import selectors, services
from shequ.acceptance.choices import TicketStatus
from shequ.acceptance.models import Device, Ticket, TicketEvent
from shequ.core.errors import ConflictError, DomainError
from shequ.core.models import AuditLog

from .conftest import at

pytestmark = pytest.mark.django_db


def issue(centre, letter="A", **kw):
    return services.ticket_issue(node=centre["sub"], category=letter, actor=centre["clerk"], **kw)


def test_it_numbers_tickets_per_category_from_one(centre):
    a1, a2, b1 = issue(centre, "A"), issue(centre, "A"), issue(centre, "b")
    assert (a1.number, a2.number, b1.number) == ("A001", "A002", "B001")
    assert TicketEvent.objects.filter(ticket=a1, action="issue").exists()
    assert AuditLog.objects.filter(object_type="acceptance.ticket", object_id=str(a1.pk)).exists()


def test_it_restarts_numbers_each_day(centre):
    with time_machine.travel(at(2026, 11, 23, 9), tick=False):
        assert issue(centre).number == "A001"
        assert issue(centre).number == "A002"
    with time_machine.travel(at(2026, 11, 24, 9), tick=False):
        assert issue(centre).number == "A001"


def test_it_refuses_an_unknown_category(centre):
    with pytest.raises(DomainError) as exc:
        issue(centre, "Z")
    assert "未知的取号类别" in exc.value.message and "category" in exc.value.errors
    with pytest.raises(DomainError):
        issue(centre, "")
    assert not Ticket.objects.exists()


def test_it_requires_a_reason_for_the_priority_lane(centre):
    with pytest.raises(DomainError) as exc:
        issue(centre, priority=True)
    assert "priority_reason" in exc.value.errors
    assert issue(centre, priority=True, priority_reason="elderly").priority


def test_it_calls_priority_first_then_by_window_rank(centre):
    w2 = centre["w2"]  # B first, then A
    services.window_sign_in(actor=centre["clerk"], window=w2)
    with time_machine.travel(at(2026, 11, 23, 9), tick=True):
        a1 = issue(centre, "A")
        b1 = issue(centre, "B")
        a_old = issue(centre, "A", priority=True, priority_reason="disabled")
        first = services.window_call_next(actor=centre["clerk"], window=w2)
        assert first == a_old  # the priority lane beats the window's first category
        services.window_start(actor=centre["clerk"], window=w2)
        services.window_finish(actor=centre["clerk"], window=w2)
        assert services.window_call_next(actor=centre["clerk"], window=w2) == b1  # rank 1: B
        services.window_no_show(actor=centre["clerk"], window=w2)
        assert services.window_call_next(actor=centre["clerk"], window=w2) == a1


def test_it_refuses_a_second_call_while_a_ticket_is_called(centre):
    issue(centre)
    issue(centre)
    w1 = centre["w1"]
    first = services.window_call_next(actor=centre["clerk"], window=w1)
    with pytest.raises(ConflictError) as exc:
        services.window_call_next(actor=centre["clerk"], window=w1)
    assert first.number in exc.value.message
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == 1


def test_it_returns_none_when_nobody_waits(centre):
    assert services.window_call_next(actor=centre["clerk"], window=centre["w1"]) is None


@pytest.mark.parametrize("action,from_status,allowed", [
    ("window_recall", "called", True), ("window_recall", "serving", False),
    ("window_start", "called", True), ("window_start", "serving", False),
    ("window_finish", "serving", True), ("window_finish", "called", False),
    ("window_no_show", "called", True), ("window_no_show", "serving", False),
])
def test_it_allows_and_refuses_window_actions_by_status(centre, action, from_status, allowed):
    issue(centre)
    w1 = centre["w1"]
    ticket = services.window_call_next(actor=centre["clerk"], window=w1)
    if from_status == "serving":
        services.window_start(actor=centre["clerk"], window=w1)
    if allowed:
        getattr(services, action)(actor=centre["clerk"], window=w1)
    else:
        with pytest.raises(ConflictError) as exc:
            getattr(services, action)(actor=centre["clerk"], window=w1)
        assert "不能执行" in exc.value.message
        ticket.refresh_from_db()
        assert ticket.status == from_status


def test_it_recalls_and_counts_calls(centre):
    issue(centre)
    w1 = centre["w1"]
    services.window_call_next(actor=centre["clerk"], window=w1)
    ticket = services.window_recall(actor=centre["clerk"], window=w1)
    assert ticket.call_count == 2 and ticket.status == TicketStatus.CALLED


def test_it_refuses_an_action_on_a_stale_page(centre):
    issue(centre)
    ticket = services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    with pytest.raises(ConflictError):
        services.window_start(actor=centre["clerk"], window=centre["w1"], expected=ticket.pk + 1000)


def test_it_transfers_to_another_window_which_calls_it_first(centre):
    issue(centre, "A")
    moved = services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    issue(centre, "A")
    services.window_transfer(actor=centre["clerk"], window=centre["w1"], to_window=centre["w3"])
    moved.refresh_from_db()
    assert moved.status == TicketStatus.WAITING and moved.target_window == centre["w3"]
    # Window 2 cannot take a ticket sent to window 3; window 3 calls it before older tickets.
    services.window_sign_in(actor=centre["clerk2"], window=centre["w3"])
    assert services.window_call_next(actor=centre["clerk2"], window=centre["w3"]) == moved


def test_it_transfers_to_another_category(centre):
    issue(centre, "A")
    services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    ticket = services.window_transfer(actor=centre["clerk"], window=centre["w1"], to_category=centre["B"])
    assert ticket.category == centre["B"] and ticket.number == "A001" and ticket.transfer_count == 1


def test_it_refuses_a_transfer_without_a_destination(centre):
    issue(centre)
    services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    with pytest.raises(DomainError):
        services.window_transfer(actor=centre["clerk"], window=centre["w1"])


def test_it_requeues_a_no_show_the_same_day_only(centre):
    issue(centre)
    services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    ticket = services.window_no_show(actor=centre["clerk"], window=centre["w1"])
    assert services.ticket_requeue(actor=centre["clerk"], ticket=ticket).status == TicketStatus.WAITING
    with pytest.raises(ConflictError):  # waiting → waiting is not a requeue
        services.ticket_requeue(actor=centre["clerk"], ticket=ticket)


def test_it_refuses_a_ticket_from_yesterday(centre):
    with time_machine.travel(at(2026, 11, 23, 16), tick=False):
        issue(centre)
        services.window_call_next(actor=centre["clerk"], window=centre["w1"])
        services.window_no_show(actor=centre["clerk"], window=centre["w1"])
        old = issue(centre)
    with time_machine.travel(at(2026, 11, 24, 9), tick=False):
        no_show = Ticket.objects.get(number="A001")
        with pytest.raises(ConflictError) as exc:
            services.ticket_requeue(actor=centre["clerk"], ticket=no_show)
        assert "2026年11月23日" in exc.value.message and "失效" in exc.value.message
        # Yesterday's waiting number is never called; the window starts today's queue.
        assert services.window_call_next(actor=centre["clerk"], window=centre["w1"]) is None
        services.expire_stale(node=centre["sub"])
        old.refresh_from_db()
        assert old.status == TicketStatus.EXPIRED


def test_it_expires_yesterdays_open_ticket_before_calling(centre):
    with time_machine.travel(at(2026, 11, 23, 16), tick=False):
        issue(centre)
        left = services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    with time_machine.travel(at(2026, 11, 24, 9), tick=False):
        today = issue(centre)
        assert services.window_call_next(actor=centre["clerk"], window=centre["w1"]) == today
        left.refresh_from_db()
        assert left.status == TicketStatus.EXPIRED


def test_it_lets_only_the_seated_clerk_operate_a_window(centre):
    issue(centre)
    services.window_sign_in(actor=centre["clerk"], window=centre["w1"])
    with pytest.raises(ConflictError):
        services.window_call_next(actor=centre["clerk2"], window=centre["w1"])
    with pytest.raises(ConflictError):
        services.window_sign_in(actor=centre["clerk2"], window=centre["w1"])
    # The supervisor may step in.
    assert services.window_call_next(actor=centre["supervisor"], window=centre["w1"]) is not None


def test_it_refuses_pause_and_sign_out_with_a_ticket_open(centre):
    issue(centre)
    services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    with pytest.raises(ConflictError):
        services.window_set_paused(actor=centre["clerk"], window=centre["w1"], paused=True)
    with pytest.raises(ConflictError):
        services.window_sign_out(actor=centre["clerk"], window=centre["w1"])


def test_it_refuses_to_call_at_a_paused_window(centre):
    issue(centre)
    services.window_sign_in(actor=centre["clerk"], window=centre["w1"])
    services.window_set_paused(actor=centre["clerk"], window=centre["w1"], paused=True)
    with pytest.raises(ConflictError):
        services.window_call_next(actor=centre["clerk"], window=centre["w1"])


def test_it_estimates_waits_from_todays_service_times(centre):
    w1 = centre["w1"]
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False) as traveller:
        issue(centre)
        services.window_call_next(actor=centre["clerk"], window=w1)
        services.window_start(actor=centre["clerk"], window=w1)
        traveller.shift(dt.timedelta(minutes=6))
        services.window_finish(actor=centre["clerk"], window=w1)
        waiting = [issue(centre) for _ in range(3)]
        state = next(s for s in selectors.queue_state(node=centre["sub"]) if s.category.letter == "A")
        assert state.measured and state.avg_service_minutes == 6.0
        assert state.waiting == 3
        # Windows 1 and 3 serve A but only window 1 is seated: 3 people × 6 minutes.
        assert state.open_windows == 1 and state.estimate_minutes == 18
        assert selectors.people_ahead(waiting[2]) == 2
        assert selectors.ticket_estimate(waiting[2]) == 12


def test_it_counts_priority_tickets_ahead(centre):
    t1 = issue(centre)
    t2 = issue(centre, priority=True, priority_reason="elderly")
    assert selectors.people_ahead(t2) == 0
    assert selectors.people_ahead(issue(centre)) == 2
    assert selectors.people_ahead(t1) == 1  # the priority ticket goes first


# --- devices and screens -----------------------------------------------------------------------------------

def make_device(centre, kind="kiosk", window=None):
    device, code = services.device_create(actor=centre["supervisor"], node=centre["sub"], name="取号机1", kind=kind,
                                          window=window)
    return device, code


def test_it_pairs_a_kiosk_with_a_one_time_code(centre, client):
    device, code = make_device(centre)
    response = client.post("/acceptance/device/pair/", {"code": code.lower()})
    assert response.status_code == 302 and response["Location"] == "/acceptance/kiosk/"
    cookie = response.cookies["sq_device"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    device.refresh_from_db()
    assert device.token_hash and not device.pairing_code_hash
    assert client.get("/acceptance/kiosk/").status_code == 200
    response = client.post("/acceptance/kiosk/", {"category": "A"})
    assert response.status_code == 302 and "/acceptance/kiosk/ticket/" in response["Location"]
    page = client.get(response["Location"])
    assert "A001" in page.content.decode() and "您前面还有" in page.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.device == device and ticket.issued_by is None
    # The code works once.
    assert "配对码错误" in client.post("/acceptance/device/pair/", {"code": code}).content.decode()


def test_it_refuses_a_wrong_pairing_code_and_rate_limits(centre, client):
    make_device(centre)
    for _ in range(10):
        assert "配对码错误" in client.post("/acceptance/device/pair/", {"code": "AAAAAAAA"}).content.decode()
    assert "尝试次数过多" in client.post("/acceptance/device/pair/", {"code": "AAAAAAAA"}).content.decode()


def test_it_sends_an_unpaired_browser_to_the_pairing_page(centre, client):
    response = client.get("/acceptance/kiosk/")
    assert response.status_code == 302 and response["Location"].startswith("/acceptance/device/pair/")
    assert client.get("/acceptance/display/hall/").status_code == 302


def test_it_stops_a_revoked_device_at_once(centre, client):
    device, code = make_device(centre)
    client.post("/acceptance/device/pair/", {"code": code})
    services.device_revoke(actor=centre["supervisor"], device=device)
    assert client.get("/acceptance/kiosk/").status_code == 302


def test_it_keeps_a_kiosk_out_of_staff_pages_and_other_screens(centre, client):
    _device, code = make_device(centre)
    client.post("/acceptance/device/pair/", {"code": code})
    assert client.get("/acceptance/display/hall/").status_code == 302  # a kiosk is not a hall screen
    assert client.get("/acceptance/cases/").status_code == 302  # login required
    assert client.get("/api/v1/acceptance/cases/").status_code in (401, 403)


def test_it_shows_the_hall_screen_with_calls_and_no_names(centre, client, residents):
    device, code = make_device(centre, kind="hall")
    client.post("/acceptance/device/pair/", {"code": code})
    issue(centre)
    services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    html = client.get("/acceptance/display/hall/").content.decode()
    assert "A001" in html and "到 1 号窗口" in html and "请 A 0 0 1 号到 1 号窗口办理" in html
    partial = client.get("/acceptance/display/hall/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="hall-board"') or 'id="hall-board"' in partial[:80]
    assert "<html" not in partial


def test_it_announces_the_call_in_the_window_screens_live_region(centre, client):
    device, code = make_device(centre, kind="window", window=centre["w1"])
    client.post("/acceptance/device/pair/", {"code": code})
    w1 = centre["w1"]
    services.window_sign_in(actor=centre["clerk"], window=w1)
    idle = client.get("/acceptance/display/window/1/").content.decode()
    live = 'id="sq-call-live" class="visually-hidden" role="status" aria-live="assertive" aria-atomic="true">'
    assert f"{live}</div>" in idle
    issue(centre)
    services.window_call_next(actor=centre["clerk"], window=w1)
    html = client.get("/acceptance/display/window/1/").content.decode()
    assert f"{live}请 A 0 0 1 号到本窗口办理</div>" in html
    # The board refreshed by htmx carries the call for the script that writes it into the live region; the
    # window screen does not speak (the hall screen does).
    partial = client.get("/acceptance/display/window/1/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-announce-text="请 A 0 0 1 号到本窗口办理"' in partial and "sq-call-live" not in partial
    assert "data-announce-voice" not in partial
    services.window_start(actor=centre["clerk"], window=w1)  # serving: nothing more to announce
    partial = client.get("/acceptance/display/window/1/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-announce=""' in partial and "A001" in partial


def test_it_rates_the_last_ticket_on_the_window_tablet(centre, client):
    device, code = make_device(centre, kind="window", window=centre["w1"])
    client.post("/acceptance/device/pair/", {"code": code})
    issue(centre)
    w1 = centre["w1"]
    services.window_call_next(actor=centre["clerk"], window=w1)
    services.window_start(actor=centre["clerk"], window=w1)
    ticket = services.window_finish(actor=centre["clerk"], window=w1)
    page = client.get("/acceptance/display/window/1/").content.decode()
    assert "请对本次服务" in page
    response = client.post("/acceptance/display/window/1/review/", {"ticket": ticket.pk, "score": 5})
    assert response.status_code == 302 and "thanks=1" in response["Location"]
    assert ticket.reviews.get().clerk == centre["clerk"]
    # Another window's screen is refused.
    assert client.get("/acceptance/display/window/2/").status_code == 403


# --- API ---------------------------------------------------------------------------------------------------

def test_it_issues_a_ticket_through_the_api_for_a_kiosk(centre):
    from rest_framework.test import APIClient

    device, code = make_device(centre)
    _device, token = services.device_pair(code=code, source="test")
    api = APIClient()
    response = api.post("/api/v1/acceptance/tickets/", {"category": "A"}, format="json",
                        HTTP_AUTHORIZATION=f"Device {token}")
    assert response.status_code == 201, response.content
    assert response.json()["number"] == "A001" and response.json()["people_ahead"] == 0
    bad = api.post("/api/v1/acceptance/tickets/", {"category": "Q"}, format="json",
                   HTTP_AUTHORIZATION=f"Device {token}")
    assert bad.status_code == 400 and bad.json()["errors"]["category"]
    assert api.post("/api/v1/acceptance/tickets/", {"category": "A"}, format="json",
                    HTTP_AUTHORIZATION="Device wrong").status_code == 401
    assert api.post("/api/v1/acceptance/tickets/", {"category": "A"}, format="json").status_code == 401
    # A device token opens nothing else.
    assert api.get("/api/v1/acceptance/tickets/", HTTP_AUTHORIZATION=f"Device {token}").status_code in (401, 403)


def test_it_refuses_tickets_from_a_screen_device(centre):
    from rest_framework.test import APIClient

    _device, code = make_device(centre, kind="hall")
    _device, token = services.device_pair(code=code, source="test")
    response = APIClient().post("/api/v1/acceptance/tickets/", {"category": "A"}, format="json",
                                HTTP_AUTHORIZATION=f"Device {token}")
    assert response.status_code == 403


def test_it_runs_the_window_actions_through_the_api(centre, api_as):
    api = api_as(centre["clerk"])
    assert api.post("/api/v1/acceptance/tickets/", {"category": "A"}, format="json").status_code == 201
    first = api.post("/api/v1/acceptance/windows/1/call-next/")
    assert first.status_code == 200 and first.json()["current_ticket"]["number"] == "A001"
    double = api.post("/api/v1/acceptance/windows/1/call-next/")
    assert double.status_code == 409 and "A001" in double.json()["detail"]
    assert api.post("/api/v1/acceptance/windows/1/finish/").status_code == 409
    assert api.post("/api/v1/acceptance/windows/1/start/").json()["current_ticket"]["status"] == "serving"
    done = api.post("/api/v1/acceptance/windows/1/finish/")
    assert done.status_code == 200 and done.json()["current_ticket"] is None
    empty = api.post("/api/v1/acceptance/windows/1/call-next/")
    assert empty.status_code == 200 and empty.json()["detail"] == "当前没有等候的号。"
    assert api.post("/api/v1/acceptance/windows/99/call-next/").status_code == 404


def test_it_hides_other_centres_windows_in_the_api(centre, api_as):
    api = api_as(centre["other_clerk"])
    numbers = [w["number"] for w in api.get("/api/v1/acceptance/windows/").json()]
    assert numbers == [1]
    api.post("/api/v1/acceptance/windows/1/sign-in/")
    # Their window 1 is the other centre's; our ticket is not in their queue.
    issue(centre)
    assert api.post("/api/v1/acceptance/windows/1/call-next/").json()["current_ticket"] is None


def test_it_serves_the_console_as_an_htmx_fragment(centre, client_as):
    client = client_as(centre["clerk"])
    issue(centre)
    response = client.post("/acceptance/window/1/call/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="console"' in html and "<html" not in html and "A001" in html
    again = client.post("/acceptance/window/1/call/", HTTP_HX_REQUEST="true").content.decode()
    assert "请先办结、过号或转移" in again
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == 1
    assert client.post("/acceptance/window/1/bogus/", HTTP_HX_REQUEST="true").status_code == 200
    assert client.get("/acceptance/window/42/").status_code == 404


def test_it_offers_the_intake_shortcut_only_while_serving(centre, client_as):
    """A disabled-looking link would still be a tab stop that Enter follows: until the visitor is served the
    shortcut is plain text marked aria-disabled, and the swapped console has a place for the focus to land."""
    client = client_as(centre["clerk"])
    ticket = issue(centre)
    called = client.post("/acceptance/window/1/call/", HTTP_HX_REQUEST="true").content.decode()
    assert "/acceptance/cases/new/?ticket=" not in called and 'aria-disabled="true"' in called
    assert 'tabindex="-1" data-swap-focus' in called
    serving = client.post("/acceptance/window/1/start/", {"expected": ticket.pk},
                          HTTP_HX_REQUEST="true").content.decode()
    assert f'href="/acceptance/cases/new/?ticket={ticket.pk}"' in serving


def test_it_keeps_devices_per_centre(centre):
    assert Device.objects.count() == 0
    with pytest.raises(DomainError):
        services.device_create(actor=centre["supervisor"], node=centre["sub"], name="窗口屏", kind="window")
