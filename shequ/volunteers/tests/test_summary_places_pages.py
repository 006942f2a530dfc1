"""The per-team monthly summary kept by the approvals (and its check), activities placed in a room of the
facilities module (booked, clash refused, released on cancellation), and the team and station pages."""

import datetime as dt

import pytest
from django.core.management import call_command

from shequ.core.choices import Role
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.testing import make_user
from shequ.volunteers import selectors, services
from shequ.volunteers.models import Activity, TeamMonth

from .conftest import at, publish

pytestmark = pytest.mark.django_db


def _attend(clock, activity, user, arrive, leave):
    clock.move_to(arrive)
    services.record_check_in(actor=user, activity=activity, code=services.activity_code(activity=activity))
    clock.move_to(leave)
    return services.record_check_out(actor=user, activity=activity, code=services.activity_code(activity=activity))


def _months(team):
    return {(m.month, m.credited_minutes, m.records) for m in TeamMonth.objects.filter(team=team)}


# --- the per-team monthly summary ----------------------------------------------------------------------------------

def test_approval_adds_to_the_team_month_rejection_does_not(org, vols, clock):
    a = publish(org, slots=5)
    (u0, _v0), (u1, _v1) = vols[0], vols[1]
    services.signup_create(actor=u0, activity=a)
    services.signup_create(actor=u1, activity=a)
    r0 = _attend(clock, a, u0, at(9, 29, 9), at(9, 29, 11))
    clock.move_to(at(9, 29, 9))
    services.record_check_in(actor=u1, activity=a, code=services.activity_code(activity=a))
    clock.move_to(at(9, 29, 10))
    r1 = services.record_check_out(actor=u1, activity=a, code=services.activity_code(activity=a))
    assert not TeamMonth.objects.exists()  # nothing before an approval
    services.record_approve(actor=org["lead"], record=r0)
    services.record_reject(actor=org["lead"], record=r1, reason="未达到在岗比例")
    assert _months(org["standing"]) == {(dt.date(2026, 9, 1), 120, 1)}
    assert selectors.monthly_hours_by_team(user=org["leader"], year=2026) == [
        {"team": "平安志愿服务队", "team_id": org["standing"].pk, "month": 9, "hours": 2.0}]


def test_an_approved_correction_moves_the_minutes_and_a_rejected_one_changes_nothing(org, vols, clock):
    a = publish(org, slots=5)
    user, _volunteer = vols[0]
    services.signup_create(actor=user, activity=a)
    record = _attend(clock, a, user, at(9, 29, 9), at(9, 29, 10, 30))  # 90 of 120
    services.record_approve(actor=org["vcenter"], record=record)
    assert _months(org["standing"]) == {(dt.date(2026, 9, 1), 90, 1)}
    wrong = services.record_correct(actor=org["vcenter"], record=record, check_in=at(9, 29, 9),
                                    check_out=at(9, 29, 9, 30), reason="核对签到表")
    services.record_reject(actor=org["vcenter"], record=wrong, reason="签到表无误")
    assert _months(org["standing"]) == {(dt.date(2026, 9, 1), 90, 1)}
    fix = services.record_correct(actor=org["vcenter"], record=record, check_in=at(9, 29, 9),
                                  check_out=at(9, 29, 11), reason="忘记签退，组织者核实")
    services.record_approve(actor=org["vcenter"], record=fix)
    assert _months(org["standing"]) == {(dt.date(2026, 9, 1), 120, 1)}  # replaced, not added


def test_the_month_is_the_local_month_of_the_check_in(org, vols, clock):
    # 30 September 23:30 in Shanghai is 15:30 UTC the same day; 1 October 00:10 is still 30 September in UTC.
    a = publish(org, slots=5, start=at(10, 1, 0, 10), minutes=60)
    user, _v = vols[0]
    services.signup_create(actor=user, activity=a)
    services.record_approve(actor=org["vcenter"], record=_attend(clock, a, user, at(10, 1, 0, 10),
                                                                  at(10, 1, 1, 10)))
    assert _months(org["standing"]) == {(dt.date(2026, 10, 1), 60, 1)}


def test_the_totals_command_checks_and_fixes_the_team_months(org, vols, clock, capsys):
    a = publish(org, slots=5)
    user, _v = vols[0]
    services.signup_create(actor=user, activity=a)
    services.record_approve(actor=org["vcenter"], record=_attend(clock, a, user, at(9, 29, 9), at(9, 29, 11)))
    call_command("volunteer_totals")
    assert "队伍月度不一致 0 项" in capsys.readouterr().out
    TeamMonth.objects.update(credited_minutes=7)
    TeamMonth.objects.create(team=org["brand"], month=dt.date(2026, 8, 1), credited_minutes=30, records=1)
    with pytest.raises(SystemExit):
        call_command("volunteer_totals")
    out = capsys.readouterr().out
    assert "队伍月度不一致 2 项" in out and "累计 7 分钟" in out
    call_command("volunteer_totals", "--fix")
    assert _months(org["standing"]) == {(dt.date(2026, 9, 1), 120, 1)}
    assert _months(org["brand"]) == {(dt.date(2026, 8, 1), 0, 0)}
    call_command("volunteer_totals")  # consistent again
    assert selectors.monthly_hours_by_team(user=org["leader"], year=2026)[0]["hours"] == 2.0


def test_the_report_reads_the_summary_in_one_query_whatever_the_records(org, vols, clock,
                                                                       django_assert_max_num_queries):
    a = publish(org, slots=5)
    user, _v = vols[0]
    services.signup_create(actor=user, activity=a)
    services.record_approve(actor=org["vcenter"], record=_attend(clock, a, user, at(9, 29, 9), at(9, 29, 11)))
    with django_assert_max_num_queries(2):  # the teams in scope, the months
        selectors.monthly_hours_by_team(user=org["leader"], year=2026)


# --- an activity placed in a room -----------------------------------------------------------------------------------

@pytest.fixture
def rooms(tree, org):
    from shequ.facilities import services as facilities

    leader = org["leader"]
    centre = facilities.facility_create(actor=leader, level="neighbourhood_centre", name="敦化路睦邻中心",
                                        node=tree["dunhua"], address="敦化路1号")
    facilities.opening_hours_set(actor=leader, facility=centre,
                                 periods=[(d, dt.time(8), dt.time(21)) for d in range(7)])
    hall = facilities.room_create(actor=leader, facility=centre, name="多功能厅", capacity=80)
    small = facilities.room_create(actor=leader, facility=centre, name="小会议室", capacity=6)
    return {"centre": centre, "hall": hall, "small": small}


def test_an_activity_in_a_room_books_it_and_cancelling_releases_it(org, rooms, vols):
    a = publish(org, slots=20, place="", room=rooms["hall"].pk)
    booking = Activity.objects.select_related("booking").get(pk=a.pk).booking
    assert (booking.room_id, booking.start, booking.end, booking.status) == (rooms["hall"].pk, a.start, a.end,
                                                                            "approved")
    assert booking.booked_by == org["vcenter"] and a.place == "敦化路睦邻中心多功能厅"
    assert booking.attendees == 20 and "平安巡逻" in booking.purpose
    services.activity_cancel(actor=org["lead"], activity=a, reason="台风预警")  # another organiser cancels
    booking.refresh_from_db()
    assert booking.status == "cancelled" and "台风预警" in booking.note
    # The room is free again for the same time.
    again = publish(org, slots=10, place="", room=rooms["hall"].pk)
    assert again.booking_id and again.booking_id != booking.pk


def test_a_clash_is_refused_with_the_booking_that_holds_the_room(org, rooms):
    publish(org, slots=20, room=rooms["hall"].pk)
    with pytest.raises(ConflictError) as refused:
        publish(org, slots=20, start=at(9, 29, 10), room=rooms["hall"].pk)
    assert "已被占用" in refused.value.message and "9月29日" in refused.value.message
    assert "room" in refused.value.errors
    assert Activity.objects.count() == 1  # nothing half-written


def test_the_facility_refusals_come_back_on_the_activity_fields(org, rooms):
    with pytest.raises(DomainError) as refused:
        publish(org, slots=20, room=rooms["small"].pk)  # capacity 6
    assert "slots" in refused.value.errors and "6" in refused.value.errors["slots"][0]
    with pytest.raises(DomainError) as refused:
        publish(org, slots=5, start=at(9, 29, 20), room=rooms["small"].pk)  # past the 21:00 closing
    assert "room" in refused.value.errors or "start" in refused.value.errors or "end" in refused.value.errors
    with pytest.raises(DomainError):
        publish(org, slots=5, room=999999)
    assert not Activity.objects.exists()


def test_a_room_outside_the_organisers_scope_does_not_exist_for_him(org, rooms, tree):
    from shequ.facilities import services as facilities

    far = facilities.facility_create(actor=None, level="neighbourhood_point", name="殷行睦邻点",
                                     node=tree["yinxing"], address="殷行路1号")
    far_room = facilities.room_create(actor=None, facility=far, name="活动室", capacity=20)
    with pytest.raises(DomainError) as refused:
        publish(org, slots=5, room=far_room.pk)
    assert "room" in refused.value.errors


def test_the_form_offers_the_rooms_and_shows_the_clash(org, rooms, client_as):
    c = client_as(org["vcenter"])
    page = c.get("/volunteers/activities/new/").content.decode()
    assert "敦化路睦邻中心 · 多功能厅" in page
    data = {"team": org["standing"].pk, "title": "助老理发", "room": rooms["hall"].pk, "place": "",
            "start": "2026-09-29T09:00", "end": "2026-09-29T11:00", "slots": "10"}
    answer = c.post("/volunteers/activities/new/", data)
    assert answer.status_code == 302
    activity = Activity.objects.get(title="助老理发")
    detail = c.get(f"/volunteers/activities/{activity.pk}/").content.decode()
    assert "多功能厅" in detail and "取消活动" in detail
    again = c.post("/volunteers/activities/new/", {**data, "title": "第二场", "start": "2026-09-29T10:00"})
    assert again.status_code == 200 and "该时段已被预约（2026年9月29日 09:00–11:00" in again.content.decode()
    empty = c.post("/volunteers/activities/new/", {**data, "title": "无地点", "room": ""})
    assert "请填写地点或选择活动室" in empty.content.decode()
    cancelled = c.post(f"/volunteers/activities/{activity.pk}/cancel/", {"reason": "场地维修"}, follow=True)
    assert "活动室预约已释放" in cancelled.content.decode()


def test_the_api_places_an_activity_in_a_room(org, rooms, client_as):
    c = client_as(org["vcenter"])
    body = {"title": "义诊", "team": org["standing"].pk, "start": "2026-09-29T09:00:00+08:00",
            "end": "2026-09-29T11:00:00+08:00", "place": "", "slots": 10, "room": rooms["hall"].pk}
    answer = c.post("/api/v1/volunteers/activities/", body, content_type="application/json")
    assert answer.status_code == 201 and answer.json()["booking"]
    clash = c.post("/api/v1/volunteers/activities/", body, content_type="application/json")
    assert clash.status_code == 409 and "room" in clash.json()["errors"]


def test_a_volunteer_may_not_cancel_an_activity(org, vols, client_as):
    a = publish(org, slots=5)
    answer = client_as(vols[0][0]).post(f"/volunteers/activities/{a.pk}/cancel/", {"reason": "x"})
    assert answer.status_code == 403
    with pytest.raises(Forbidden):
        services.activity_cancel(actor=vols[0][0], activity=a, reason="x")


# --- team and station pages ----------------------------------------------------------------------------------------

def test_the_team_page_shows_admins_members_upcoming_and_this_years_hours(org, vols, clock, client_as, tree):
    a = publish(org, slots=5)
    user, volunteer = vols[0]
    services.volunteer_join_team(actor=org["vcenter"], volunteer=volunteer, team=org["standing"])
    services.signup_create(actor=user, activity=a)
    upcoming = publish(org, slots=5, start=at(10, 8, 9))
    services.record_approve(actor=org["vcenter"], record=_attend(clock, a, user, at(9, 29, 9), at(9, 29, 11)))
    page = client_as(org["lead"]).get(f"/volunteers/teams/{org['standing'].pk}/").content.decode()
    assert "teamlead" in page or org["lead"].full_name in page
    assert volunteer.name in page  # the team's admin sees names
    assert upcoming.title in page and 'data-testid="team-year-hours">2<' in page
    worker = make_user(Role.COMMITTEE_WORKER, [tree["kongjiang"]], username="kj_worker")
    other = client_as(worker).get(f"/volunteers/teams/{org['standing'].pk}/").content.decode()
    assert volunteer.name not in other and volunteer.masked_name in other


def test_the_station_page_shows_the_head_teams_and_activities(org, client_as, clock):
    brand_activity = publish(org, slots=5, team=org["brand"])
    page = client_as(org["vcenter"]).get(f"/volunteers/stations/{org['station'].pk}/").content.decode()
    assert "刘站长" in page and "敦化路红马甲" in page and "平安志愿服务队" in page
    assert brand_activity.title in page


def test_teams_and_stations_are_reachable_from_the_centre_page(org, client_as):
    page = client_as(org["vcenter"]).get("/volunteers/teams/").content.decode()
    assert f"/volunteers/teams/{org['standing'].pk}/" in page
    assert f"/volunteers/stations/{org['station'].pk}/" in page


def test_another_subdistricts_team_and_station_are_404(org, client_as, tree):
    far_station = services.station_create(actor=None, centre=org["other_centre"], committee=tree["yinxing"],
                                          head_name="殷站长")
    c = client_as(org["vcenter"])
    assert c.get(f"/volunteers/teams/{org['far_team'].pk}/").status_code == 404
    assert c.get(f"/volunteers/stations/{far_station.pk}/").status_code == 404
    assert c.get("/volunteers/stations/999999/").status_code == 404


def test_an_activity_reads_as_open_running_or_ended_by_the_clock():
    """The stored status says only whether it was cancelled; the page says where the activity stands now."""
    import datetime as dt

    from django.utils import timezone

    from shequ.volunteers.choices import ActivityStatus
    from shequ.volunteers.models import Activity

    now = timezone.now()
    hour = dt.timedelta(hours=1)
    a = Activity(start=now + hour, end=now + 2 * hour, status=ActivityStatus.PUBLISHED)
    assert a.phase_label == "报名中"
    a.signup_deadline = now - hour
    assert a.phase_label == "报名截止"
    a.start, a.end = now - hour, now + hour
    assert a.phase_label == "进行中"
    a.start, a.end = now - 2 * hour, now - hour
    assert a.phase_label == "已结束"
    a.status = ActivityStatus.CANCELLED
    assert a.phase_label == "已取消"
