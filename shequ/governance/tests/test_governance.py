from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from shequ.core.errors import ConflictError, DomainError, Forbidden, NotFound
from shequ.core.models import Notification
from shequ.governance import selectors, services
from shequ.governance.choices import ProblemStatus, TaskStatus
from shequ.governance.workflows import PROBLEM, TASK
from shequ.grid.testing import DUNHUA, report

from .conftest import photo

pytestmark = pytest.mark.django_db


def _task(gov, dept="minzheng", days=5, meeting="meeting"):
    actor = gov["leader"] if meeting == "meeting" else gov["away_leader"]
    return services.task_create(actor=actor, meeting=gov[meeting], title="清运垃圾", department=gov[dept],
                                working_days=days)


def test_it_dates_a_decision_in_working_days_and_tells_the_department(gov, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = _task(gov, days=5)
    assert task.due_date == dt.date(2026, 3, 17)  # Tue 10 March + 5 working days
    assert task.status == TaskStatus.ASSIGNED
    assert Notification.objects.filter(recipient=gov["officer"], title__contains="清运垃圾").exists()


def test_it_refuses_bad_input_on_the_field(gov):
    with pytest.raises(DomainError) as exc:
        services.task_create(actor=gov["leader"], meeting=gov["meeting"], title="", department=None,
                             working_days="x")
    assert {"title", "department", "working_days"} <= set(exc.value.errors)
    with pytest.raises(DomainError) as exc:
        services.task_create(actor=gov["leader"], meeting=gov["meeting"], title="x" * 201,
                             department=gov["minzheng"], working_days=0)
    assert {"title", "working_days"} <= set(exc.value.errors)
    with pytest.raises(DomainError) as exc:
        services.agenda_item_add(actor=gov["leader"], meeting=gov["meeting"], title="议题",
                                 case_numbers="310110015-20990101-9999")
    assert "cases" in exc.value.errors


def test_only_the_office_of_the_same_street_decides(gov):
    for actor in (gov["officer"], gov["shiftlead"], gov["away_leader"]):
        with pytest.raises(Forbidden):
            services.task_create(actor=actor, meeting=gov["meeting"], title="x", department=gov["minzheng"],
                                 working_days=3)


def test_task_transitions_are_allowed_and_refused_per_persona(gov):
    task = _task(gov, dept="minzheng")
    officer, cgzf, leader, shiftlead = gov["officer"], gov["cgzf"], gov["leader"], gov["shiftlead"]
    assert [a.name for a in TASK.available(officer, task)] == ["start", "note", "close"]
    assert TASK.available(cgzf, task) == []  # another department: not even visible
    with pytest.raises(NotFound):
        services.task_start(actor=cgzf, task=task)
    with pytest.raises(Forbidden):
        services.task_start(actor=shiftlead, task=task)  # sees it, may not act
    services.task_start(actor=officer, task=task, note="已安排")
    with pytest.raises(ConflictError):
        services.task_start(actor=officer, task=task)
    with pytest.raises(DomainError) as exc:
        services.task_close(actor=officer, task=task, note="已清运", uploads=[])
    assert "evidence" in exc.value.errors
    with pytest.raises(Forbidden):
        services.task_reopen(actor=officer, task=task, note="x")
    task = services.task_close(actor=officer, task=task, note="已清运", uploads=[photo()])
    assert task.status == TaskStatus.CLOSED and task.evidence.count() == 1
    with pytest.raises(Forbidden):
        services.task_reopen(actor=officer, task=task, note="不满意")
    assert services.task_reopen(actor=leader, task=task, note="现场仍有垃圾").status == TaskStatus.IN_PROGRESS


def test_every_offered_task_action_is_accepted_and_every_other_refused(gov):
    personas = [gov[k] for k in ("leader", "officer", "cgzf", "shiftlead", "dunhua", "clerk", "away_leader")]
    for status in TaskStatus.values:
        for persona in personas:
            for action in TASK.actions:
                task = _task(gov)
                type(task).objects.filter(pk=task.pk).update(status=status)
                task.refresh_from_db()
                offered = action in TASK.available(persona, task)
                try:
                    TASK.perform(persona, task, action.name, note="说明", uploads=[photo()])
                except DomainError:
                    accepted = False
                else:
                    accepted = True
                assert offered == accepted, (status, persona.username, action.name)


def test_overdue_tasks_remind_their_owner_once_a_day(gov, django_capture_on_commit_callbacks):
    task = _task(gov, days=1)
    done = _task(gov, days=1)
    services.task_close(actor=gov["officer"], task=done, note="完成", uploads=[photo()])
    assert services.task_remind_overdue(today=dt.date(2026, 3, 11)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.task_remind_overdue(today=dt.date(2026, 3, 12)) == 1
    assert services.task_remind_overdue(today=dt.date(2026, 3, 12)) == 0
    reminders = Notification.objects.filter(recipient=gov["officer"], title__contains="逾期")
    assert reminders.count() == 1
    task.refresh_from_db()
    assert task.reminded_on == dt.date(2026, 3, 12)


def test_the_scheduled_reminder_runs_through_the_task_queue(gov):
    from shequ.core.schedule import entries

    entry = next(e for e in entries() if e.name == "governance.overdue")
    _task(gov, days=1)
    result = entry.task.call(since="2026-03-12T09:30:00+08:00", due="2026-03-13T09:30:00+08:00")
    assert result == {"reminded": 1}


def test_scoping_hides_another_street_and_another_department(gov):
    mine, theirs, away = _task(gov), _task(gov, dept="chengguan"), _task(gov, meeting="away_meeting")
    assert set(selectors.task_list(user=gov["leader"])) == {mine, theirs}
    assert set(selectors.task_list(user=gov["officer"])) == {mine}
    with pytest.raises(Http404):
        selectors.task_get(user=gov["officer"], pk=theirs.pk)
    with pytest.raises(Http404):
        selectors.task_get(user=gov["leader"], pk=away.pk)
    with pytest.raises(Http404):
        selectors.meeting_get(user=gov["leader"], pk=gov["away_meeting"].pk)
    assert selectors.task_list(user=gov["dunhua"]).count() == 0


def test_pages_answer_404_for_another_street_and_403_without_the_capability(gov, client_as):
    away = _task(gov, meeting="away_meeting")
    leader = client_as(gov["leader"])
    assert leader.get(f"/governance/tasks/{away.pk}/").status_code == 404
    assert leader.get(f"/governance/meetings/{gov['away_meeting'].pk}/").status_code == 404
    assert leader.get(f"/governance/meetings/{gov['meeting'].pk}/").status_code == 200
    assert client_as(gov["dunhua"]).get("/governance/tasks/").status_code == 403
    assert client_as(gov["officer"]).post(f"/governance/meetings/{gov['meeting'].pk}/",
                                          {"form": "minutes", "n-minutes": "x"}).status_code == 403


def test_follow_up_shows_the_previous_meetings_tasks_and_the_minutes_print(gov, client_as):
    first = _task(gov, days=1)
    services.task_close(actor=gov["officer"], task=_task(gov, days=3), note="完成", uploads=[photo()])
    second = services.meeting_create(actor=gov["leader"], committee=gov["committee"], title="4月联席会议",
                                     date=dt.date(2026, 4, 14))
    info = selectors.follow_up(user=gov["leader"], meeting=second)
    assert info["previous"] == gov["meeting"]
    assert info["counts"]["total"] == 2 and info["counts"]["closed"] == 1
    assert first in info["tasks"]
    page = client_as(gov["leader"]).get(f"/governance/meetings/{second.pk}/follow-up/")
    assert "清运垃圾" in page.content.decode()
    pdf = client_as(gov["leader"]).get(f"/governance/meetings/{gov['meeting'].pk}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def _repeats(gov, n=3):
    return [report(gov, point=DUNHUA, address="敦化路100号", category="E0102") for _ in range(n)]


def test_a_problem_is_confirmed_from_repeated_cases_and_counted_by_month(gov, clock):
    cases = _repeats(gov)
    since = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    repeats = selectors.repeated_places(user=gov["shiftlead"], since=since)
    assert repeats and repeats[0]["n"] == 3 and repeats[0]["address"] == "敦化路100号"
    from shequ.grid.selectors import categories

    problem = services.problem_create(actor=gov["shiftlead"], node=gov["sub"], title="敦化路100号暴露垃圾",
                                      place="敦化路100号", category=categories().get(code="E0102"),
                                      description="反复暴露垃圾", first_seen=dt.date(2026, 3, 1),
                                      grids=[gov["grid_dunhua"]])
    suggested = selectors.problem_suggestions(user=gov["shiftlead"], problem=problem)
    assert {c.pk for c in suggested["cases"]} == {c.pk for c in cases}
    assert services.problem_links_confirm(actor=gov["shiftlead"], problem=problem,
                                          case_ids=[c.pk for c in cases]) == 3
    assert selectors.problem_suggestions(user=gov["shiftlead"], problem=problem)["cases"] == []
    counts = selectors.monthly_counts(problem=problem)
    assert counts["labels"][-1] == "2026-03" and counts["cases"][-1] == 3 and sum(counts["cases"]) == 3
    with pytest.raises(DomainError):  # an id the actor cannot see is refused like a missing one
        services.problem_links_confirm(actor=gov["shiftlead"], problem=problem, case_ids=[10 ** 9])


def test_problem_campaign_transitions_per_persona(gov):
    from shequ.grid.selectors import categories

    problem = services.problem_create(actor=gov["leader"], node=gov["sub"], title="乱设摊", place="延吉中路",
                                      category=categories().get(code="E0102"), description="摊贩",
                                      first_seen=dt.date(2026, 1, 5))
    with pytest.raises(Forbidden):
        PROBLEM.perform(gov["officer"], problem, "launch")
    with pytest.raises(ConflictError):
        PROBLEM.perform(gov["shiftlead"], problem, "consolidate")
    problem = PROBLEM.perform(gov["shiftlead"], problem, "launch", note="联合整治")
    problem = PROBLEM.perform(gov["shiftlead"], problem, "consolidate")
    with pytest.raises(Forbidden):
        PROBLEM.perform(gov["shiftlead"], problem, "close")
    with pytest.raises(NotFound):
        PROBLEM.perform(gov["away_leader"], problem, "close")
    assert PROBLEM.perform(gov["leader"], problem, "close").status == ProblemStatus.CLOSED
    with pytest.raises(DomainError) as exc:
        services.problem_create(actor=gov["leader"], node=gov["sub"], title="", place="", category=None,
                                description="", first_seen=dt.date(2027, 1, 1), grids=[gov["grid_kongjiang"],
                                                                                       gov["other_sub"]])
    assert {"title", "place", "category", "description", "first_seen", "grids"} <= set(exc.value.errors)


def test_the_api_lists_tasks_in_scope_and_acts_through_the_workflow(gov, api_as):
    mine, theirs = _task(gov), _task(gov, dept="chengguan")
    api = api_as(gov["officer"])
    rows = api.get("/api/v1/governance/tasks/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert api.get(f"/api/v1/governance/tasks/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/governance/tasks/{mine.pk}/actions/").json() == ["start", "note", "close"]
    answer = api.post(f"/api/v1/governance/tasks/{mine.pk}/act/", {"action": "start"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "in_progress"
    assert api.post(f"/api/v1/governance/tasks/{mine.pk}/act/", {"action": "close", "note": "好"},
                    format="json").status_code == 400
    assert api.post(f"/api/v1/governance/tasks/{mine.pk}/act/", {"action": "start"},
                    format="json").status_code == 409
    assert api.post(f"/api/v1/governance/tasks/{mine.pk}/act/", {"action": "reopen", "note": "x"},
                    format="json").status_code == 403
