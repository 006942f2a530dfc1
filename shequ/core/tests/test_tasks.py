"""Background tasks (django-tasks, database backend): retries with bounded backoff, the run record, the schedule
claimed once across workers, the worker command, and the system administrator's operations page."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shequ.core import schedule as sched
from shequ.core.choices import TaskRunStatus
from shequ.core.errors import DomainError
from shequ.core.models import ScheduledRun, TaskRun
from shequ.core.tasks import backoff_seconds, mask_digits, run_ready_tasks, shequ_task
from shequ.core.testing import run_threads

CALLS: list = []


@shequ_task(label="测试：总是失败")
def always_fails(n: int) -> None:
    CALLS.append(n)
    raise ConnectionError(f"网关无响应 13800138000 #{n}")


@shequ_task(label="测试：第三次成功")
def third_time_lucky(n: int) -> int:
    CALLS.append(n)
    if len(CALLS) < 3:
        raise ConnectionError("暂时不可用")
    return n * 2


@shequ_task(label="测试：拒绝")
def refuses() -> None:
    CALLS.append("refused")
    raise DomainError("该年份没有工作日历")


@shequ_task(label="测试：窗口")
def window_task(*, since: str, due: str) -> str:
    CALLS.append((since, due))
    return due


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    saved = dict(sched._ENTRIES)
    yield
    sched._ENTRIES.clear()
    sched._ENTRIES.update(saved)


def _ready() -> int:
    return DBTaskResult.objects.ready().count()


# --- retries ---------------------------------------------------------------------------------------------------

def test_it_backs_off_exponentially_and_caps_the_wait():
    assert [backoff_seconds(a) for a in (1, 2, 3, 4, 5, 6)] == [30, 120, 480, 1920, 3600, 3600]


@pytest.mark.django_db
def test_it_retries_a_failing_task_with_growing_waits_and_gives_up_after_the_limit():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        run = always_fails.enqueue(7)
        assert run.status == TaskRunStatus.QUEUED and run.max_attempts == 4
        waits = []
        for attempt in range(1, 5):
            assert run_ready_tasks() == 1
            run.refresh_from_db()
            assert run.attempts == attempt
            if attempt < 4:
                assert run.status == TaskRunStatus.RETRYING
                waits.append((run.next_attempt_at - timezone.now()).total_seconds())
                assert run_ready_tasks() == 0  # not due yet
                clock.shift(dt.timedelta(seconds=waits[-1] + 1))
        assert waits == [30, 120, 480]
        run.refresh_from_db()
        assert run.status == TaskRunStatus.FAILED and run.finished_at and run.next_attempt_at is None
        assert CALLS == [7, 7, 7, 7]
        clock.shift(dt.timedelta(days=1))
        assert run_ready_tasks() == 0 and _ready() == 0  # bounded: nothing is queued again
    # The error is kept for the operations page with the digit run masked.
    assert "ConnectionError" in run.error and "13800138000" not in run.error and "13*******00" in run.error


@pytest.mark.django_db
def test_it_succeeds_on_a_later_attempt_and_records_it():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        run = third_time_lucky.enqueue(21)
        for _ in range(3):
            run_ready_tasks()
            clock.shift(dt.timedelta(hours=1))
    run.refresh_from_db()
    assert run.status == TaskRunStatus.SUCCEEDED and run.attempts == 3 and run.error == ""
    assert DBTaskResult.objects.successful().get().return_value == 42


@pytest.mark.django_db
def test_it_never_retries_a_refusal():
    run = refuses.enqueue()
    assert run_ready_tasks() == 1
    run.refresh_from_db()
    assert run.status == TaskRunStatus.FAILED and run.attempts == 1 and "该年份没有工作日历" in run.error
    assert _ready() == 0 and CALLS == ["refused"]


@pytest.mark.django_db
@override_settings(SHEQU_TASK_RETRY_MAX_ATTEMPTS=2)
def test_it_reads_the_attempt_limit_from_the_settings():
    assert always_fails.enqueue(1).max_attempts == 2


@pytest.mark.django_db
def test_it_queues_nothing_when_the_callers_transaction_rolls_back():
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            always_fails.enqueue(1)
            raise RuntimeError("the caller's write failed")
    assert not TaskRun.objects.exists() and not DBTaskResult.objects.exists()


def test_it_masks_digit_runs_in_errors():
    assert mask_digits("身份证 11010519491231002X 电话 13800138000 第12行") == \
        "身份证 11**************2X 电话 13*******00 第12行"


# --- schedule --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_it_claims_each_occurrence_once_for_two_workers():
    sched._ENTRIES.clear()
    sched.periodic("test.window", "*/10 * * * *", window_task, label="测试")
    moment = timezone.make_aware(dt.datetime(2026, 6, 1, 9, 3))
    assert sched.schedule_tick(now=moment, worker="a") == ["test.window"]
    assert sched.schedule_tick(now=moment + dt.timedelta(seconds=20), worker="b") == []
    assert ScheduledRun.objects.get().worker == "a"
    assert run_ready_tasks() == 1
    # Reminders get the window since the previous occurrence.
    assert CALLS == [(timezone.make_aware(dt.datetime(2026, 6, 1, 8, 50)).isoformat(),
                      timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0)).isoformat())]
    assert sched.schedule_tick(now=moment + dt.timedelta(minutes=10), worker="b") == ["test.window"]
    assert ScheduledRun.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_it_claims_an_occurrence_once_when_two_workers_tick_at_the_same_moment():
    sched._ENTRIES.clear()
    sched.periodic("test.window", "0 * * * *", window_task, label="测试")
    moment = timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0, 5))
    results = run_threads(lambda i: sched.schedule_tick(now=moment, worker=f"w{i}"), 2)
    assert sorted(len(r) for r in results) == [0, 1], results
    assert ScheduledRun.objects.count() == 1 and TaskRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_it_skips_an_occurrence_missed_for_longer_than_its_catch_up():
    sched._ENTRIES.clear()
    sched.periodic("test.nightly", "0 2 * * *", window_task, label="测试", catch_up_hours=6)
    assert sched.schedule_tick(now=timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0))) == []
    assert sched.schedule_tick(now=timezone.make_aware(dt.datetime(2026, 6, 1, 7, 0))) == ["test.nightly"]


def test_it_refuses_an_invalid_cron_expression():
    with pytest.raises(ValueError):
        sched.periodic("test.bad", "every day", window_task, label="测试")


def test_it_registers_the_periodic_work_of_every_module():
    names = {e.name for e in sched.entries()}
    assert {"core.backup", "core.audit_retention", "core.retention_purge", "acceptance.close_day", "grid.roster",
            "grid.deadline_reminders"} <= names


@pytest.mark.django_db
def test_it_runs_a_scheduled_management_command_through_the_queue(personas):
    sched._ENTRIES.clear()
    sched.periodic("test.purge", "15 * * * *", sched.command_task, label="测试", command="retention_purge")
    sched.schedule_tick(now=timezone.make_aware(dt.datetime(2026, 6, 1, 9, 20)))
    assert run_ready_tasks() == 1
    run = TaskRun.objects.get()
    assert run.status == TaskRunStatus.SUCCEEDED and run.schedule == "test.purge"


@pytest.mark.django_db(transaction=True)  # the worker closes its connections between drains, as in production
def test_the_worker_command_ticks_the_schedule_and_drains_the_queue():
    sched._ENTRIES.clear()
    sched.periodic("test.window", "* * * * *", window_task, label="测试")
    call_command("run_worker", "--once", "--worker-id", "w1")
    assert ScheduledRun.objects.get().worker == "w1"
    assert TaskRun.objects.get().status == TaskRunStatus.SUCCEEDED and len(CALLS) == 1


# --- operations page -------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_it_shows_failed_and_retrying_tasks_to_the_system_administrator_only(personas, client_as):
    run = always_fails.enqueue(3)
    run_ready_tasks()
    page = client_as(personas["sysadmin"]).get("/operations/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "后台任务" in html and "测试：总是失败" in html and "等待重试" in html and "1 / 4" in html
    assert "定时计划" in html and "每晚数据库备份" in html and "受理中心日终处理" in html
    assert "13800138000" not in html  # no business data: the message is masked
    fragment = client_as(personas["sysadmin"]).get("/operations/?status=failed", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "没有任务记录" in fragment.content.decode()
    for name in ("secadmin", "auditor", "leader", "clerk", "dunhua", "resident"):
        assert client_as(personas[name]).get("/operations/").status_code == 403, name
    assert run.pk


@pytest.mark.django_db
def test_it_offers_the_operations_page_in_the_sysadmin_navigation(personas, client_as):
    assert "/operations/" in client_as(personas["sysadmin"]).get("/").content.decode()
    assert "/operations/" not in client_as(personas["secadmin"]).get("/").content.decode()
