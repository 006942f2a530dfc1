import datetime as dt
import io
from collections import Counter

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.core.errors import DomainError
from shequ.grid import selectors, services
from shequ.grid.models import DutyTeam, RosterDay, ShiftPattern, ShiftType, TeamMember
from shequ.grid.tests.conftest import SH, DUNHUA, OUTSIDE

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(env):
    for code, name, start, end in (("E", "早班", dt.time(6, 30), dt.time(14, 30)),
                                   ("M", "中班", dt.time(14, 30), dt.time(22, 30)),
                                   ("N", "夜班", dt.time(22, 30), dt.time(6, 30))):
        ShiftType.objects.create(code=code, name=name, start=start, end=end)
    ShiftPattern.objects.create(name="四班三运转", slots="EEMMNNOO", anchor=dt.date(2026, 3, 1))
    teams = [DutyTeam.objects.create(code=c, name=n, offset=o, node=env["sub"])
             for c, n, o in (("A", "甲班", 0), ("B", "乙班", 2), ("C", "丙班", 4), ("D", "丁班", 6))]
    members = []
    for index in range(42):
        members.append(TeamMember.objects.create(team=teams[index % 4], node=env["sub"], name=f"队员{index:02d}"))
    members[0].user = env["patrol"]
    members[0].save()
    return {"teams": teams, "members": members}


def test_it_generates_a_correct_roster_for_a_whole_month(env, team):
    assert services.roster_generate(actor=env["shiftlead"], year=2026, month=3) == 31 * 4
    rows = RosterDay.objects.filter(date__month=3)
    by_day: dict = {}
    for r in rows:
        by_day.setdefault(r.date, {})[r.team.code] = r.shift
    assert len(by_day) == 31
    for day, shifts in by_day.items():
        # Every day: exactly one team per shift and one team off (24 h coverage).
        assert sorted(shifts.values()) == ["E", "M", "N", "O"], day
    for code in "ABCD":
        sequence = "".join(by_day[dt.date(2026, 3, d)][code] for d in range(1, 32))
        start = {"A": 0, "B": 2, "C": 4, "D": 6}[code]
        expected = ("EEMMNNOO" * 6)[start:start + 31]
        assert sequence == expected, code
        # 6 shifts in every 8 days; at most 2 consecutive days of the same shift.
        assert Counter(sequence[:8]) == {"E": 2, "M": 2, "N": 2, "O": 2}
    # The reference table: day 1 A早 B中 C夜 D休, day 3 A中 B夜 C休 D早.
    assert by_day[dt.date(2026, 3, 1)] == {"A": "E", "B": "M", "C": "N", "D": "O"}
    assert by_day[dt.date(2026, 3, 3)] == {"A": "M", "B": "N", "C": "O", "D": "E"}
    # Regenerating replaces, it does not duplicate.
    services.roster_generate(actor=env["shiftlead"], year=2026, month=3)
    assert RosterDay.objects.filter(date__month=3).count() == 124


def test_it_rotates_with_a_configured_pattern(env, team):
    ShiftPattern.objects.update(slots="EEEMMMNNNOOO")
    services.roster_generate(actor=env["shiftlead"], year=2026, month=4)
    first_week = [r.shift for r in RosterDay.objects.filter(team__code="A", date__month=4).order_by("date")[:6]]
    assert len(first_week) == 6 and set(first_week) <= set("EMNO")
    ShiftPattern.objects.update(slots="EEXX")
    with pytest.raises(DomainError):
        services.roster_generate(actor=env["shiftlead"], year=2026, month=5)


def test_it_knows_who_is_on_duty_now_including_the_night_after_midnight(env, team, clock):
    services.roster_generate(actor=env["shiftlead"], year=2026, month=3)
    clock.move_to(dt.datetime(2026, 3, 1, 10, 0, tzinfo=SH))
    duty = selectors.on_duty()
    assert duty["code"] == "E" and duty["team"].code == "A" and len(duty["members"]) == 11
    clock.move_to(dt.datetime(2026, 3, 2, 2, 0, tzinfo=SH))  # 02:00 on the 2nd: the night shift of the 1st
    duty = selectors.on_duty()
    assert duty["code"] == "N" and duty["day"] == dt.date(2026, 3, 1) and duty["team"].code == "C"


def test_it_applies_leave_and_swaps_to_the_duty_list(env, team, clock):
    clock.move_to(dt.datetime(2026, 3, 1, 10, 0, tzinfo=SH))
    member_a, member_d = team["members"][0], team["members"][3]
    services.roster_override_set(actor=env["shiftlead"], member=member_a, date=dt.date(2026, 3, 1), shift="O",
                                 reason="病假")
    services.roster_override_set(actor=env["shiftlead"], member=member_d, date=dt.date(2026, 3, 1), shift="E",
                                 reason="顶班")
    names = {m.name for m in selectors.on_duty()["members"]}
    assert member_a.name not in names and member_d.name in names
    with pytest.raises(DomainError):
        services.roster_override_set(actor=env["shiftlead"], member=member_a, date=dt.date(2026, 3, 2), shift="E",
                                     reason="")


def test_it_shows_and_exports_the_roster(env, team, client_as):
    client = client_as(env["shiftlead"])
    response = client.post(reverse("grid:roster-generate"), {"month": "2026-03"}, follow=True)
    assert "已生成2026年3月排班" in response.content.decode()
    page = client.get(reverse("grid:roster"), {"month": "2026-03"})
    assert page.status_code == 200 and "当前在岗" in page.content.decode()
    export = client.get(reverse("grid:roster-export"), {"month": "2026-03"})
    wb = load_workbook(io.BytesIO(export.content))
    ws = wb.active
    assert ws.cell(row=2, column=1).value == "甲班" and ws.cell(row=2, column=3).value == "早"
    assert ws.max_column == 2 + 31
    assert client_as(env["patrol"]).post(reverse("grid:roster-generate"), {"month": "2026-03"}).status_code == 403


def test_it_records_patrol_logs_with_grid_check_ins(env, team, client_as):
    log = services.patrol_start(actor=env["patrol"])
    checkin = services.patrol_checkin(actor=env["patrol"], log=log, lat=DUNHUA[0], lng=DUNHUA[1])
    assert checkin.grid == env["grid_dunhua"]
    with pytest.raises(DomainError):
        services.patrol_checkin(actor=env["patrol"], log=log, lat=OUTSIDE[0], lng=OUTSIDE[1])
    with pytest.raises(DomainError):
        services.patrol_checkin(actor=env["inspector"], log=log, lat=DUNHUA[0], lng=DUNHUA[1])
    with pytest.raises(DomainError):
        services.patrol_start(actor=env["patrol"])
    services.patrol_end(actor=env["patrol"], log=log)
    assert log.checkins.count() == 1
    page = client_as(env["patrol"]).get(reverse("grid:patrol"))
    assert page.status_code == 200 and env["grid_dunhua"].name in page.content.decode()


def test_it_labels_a_patrol_with_the_members_rostered_shift(env, team):
    import time_machine

    # 3月1日 甲班 is on the early shift (06:30–14:30); at 06:14 the night shift is still running.
    with time_machine.travel(dt.datetime(2026, 3, 1, 6, 14, tzinfo=SH), tick=False):
        assert selectors.current_shift_code() == "N"
        log = services.patrol_start(actor=env["patrol"])
    assert log.shift == "E"
    services.patrol_end(actor=env["patrol"], log=log)
    # 3月5日 and 6日 甲班 works nights: at 02:00 on the 6th it is the night shift of the 5th.
    with time_machine.travel(dt.datetime(2026, 3, 6, 2, 0, tzinfo=SH), tick=False):
        log = services.patrol_start(actor=env["patrol"])
    assert log.shift == "N"
    services.patrol_end(actor=env["patrol"], log=log)
    # A swap that day wins over the team's roster.
    services.roster_override_set(actor=env["shiftlead"], member=team["members"][0], date=dt.date(2026, 3, 2),
                                 shift="M", reason="调班")
    with time_machine.travel(dt.datetime(2026, 3, 2, 15, 0, tzinfo=SH), tick=False):
        log = services.patrol_start(actor=env["patrol"])
    assert log.shift == "M"


def test_a_patrols_team_and_shift_are_written_in_chinese_when_it_is_registered(env, team, client_as):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 1, 6, 14, tzinfo=SH), tick=False):
        log = services.patrol_start(actor=env["patrol"])
    assert log.shift_label == "甲班 · 早班 06:30–14:30"
    services.patrol_end(actor=env["patrol"], log=log)
    # Renaming the shift and moving the member later leave the log as it was registered.
    ShiftType.objects.filter(code="E").update(name="白班")
    member = team["members"][0]
    member.team = DutyTeam.objects.get(code="D")
    member.save()
    log.refresh_from_db()
    assert log.label == "甲班 · 早班 06:30–14:30"
    page = client_as(env["patrol"]).get(reverse("grid:patrol")).content.decode()
    assert "甲班 · 早班 06:30–14:30" in page
