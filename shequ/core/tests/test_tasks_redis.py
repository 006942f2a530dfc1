"""The same tasks on the RQ backend (Redis), as deployments with several machines run them. Marked `redis`: they
run against the Redis on 127.0.0.1:6379 (REDIS_URL to change it) and are skipped when it does not answer;
`.ci/run` starts one when none answers. Each test uses its own queue, so parallel runs do not meet."""

import os
import time
import uuid

import pytest
from django.test import override_settings

from shequ.core.choices import TaskRunStatus
from shequ.core.models import TaskRun

from .test_tasks import CALLS, always_fails, third_time_lucky

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def _redis():
    import redis

    try:
        conn = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        conn.ping()
        return conn
    except redis.exceptions.ConnectionError:
        return None


@pytest.fixture
def rq_queue(settings):
    conn = _redis()
    if conn is None:
        if os.environ.get("SHEQU_REQUIRE_REDIS"):  # .ci/run: a skipped Redis test is a failure there
            pytest.fail(f"no Redis answering at {REDIS_URL}")
        pytest.skip(f"no Redis answering at {REDIS_URL}")
    name = f"shequ-test-{uuid.uuid4().hex[:12]}"
    tasks = {**settings.TASKS, "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    with override_settings(TASKS=tasks, RQ_QUEUES={name: {"URL": REDIS_URL}},
                           INSTALLED_APPS=[*settings.INSTALLED_APPS, "django_rq"], SHEQU_TASK_RETRY_BASE_SECONDS=1):
        import django_rq
        from django_tasks_rq.backend import Job

        queue = django_rq.get_queue(name, job_class=Job)
        CALLS.clear()
        yield name, queue
        for registry in (queue.scheduled_job_registry, queue.failed_job_registry, queue.finished_job_registry):
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)
        queue.delete(delete_jobs=True)


def _work(queue) -> None:
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection, job_class=queue.job_class).work(
        burst=True, with_scheduler=True, logging_level="WARNING")


def test_it_runs_a_task_on_redis_after_commit_and_records_it(rq_queue, django_capture_on_commit_callbacks):
    name, queue = rq_queue
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = third_time_lucky.using(backend="rq", queue_name=name).enqueue(5)
        assert queue.count == 0  # nothing reaches Redis before the caller's transaction commits
    for callback in callbacks:
        callback()
    assert queue.count == 1
    CALLS.extend(["earlier", "attempts"])  # this call is the third: it succeeds
    _work(queue)
    run.refresh_from_db()
    assert run.status == TaskRunStatus.SUCCEEDED and run.attempts == 1 and CALLS[-1] == 5


def test_it_retries_on_redis_with_backoff_and_gives_up_after_the_limit(rq_queue, django_capture_on_commit_callbacks):
    name, queue = rq_queue
    task = always_fails.using(backend="rq", queue_name=name)
    with django_capture_on_commit_callbacks(execute=True):
        run = TaskRun.objects.get(pk=task.enqueue(9).pk)
    TaskRun.objects.filter(pk=run.pk).update(max_attempts=2)
    with django_capture_on_commit_callbacks(execute=True):
        _work(queue)
    run.refresh_from_db()
    assert run.status == TaskRunStatus.RETRYING and run.attempts == 1
    assert len(queue.scheduled_job_registry) == 1  # the retry waits in Redis for its time
    time.sleep(1.5)
    with django_capture_on_commit_callbacks(execute=True):
        _work(queue)
    run.refresh_from_db()
    assert run.status == TaskRunStatus.FAILED and run.attempts == 2 and CALLS == [9, 9]
    assert len(queue.scheduled_job_registry) == 0 and queue.count == 0


def test_the_rqworker_command_s_worker_runs_the_framework_s_jobs(rq_queue, django_capture_on_commit_callbacks):
    """`manage.py rqworker` builds its worker with `django_rq.get_worker`: the job class comes from settings.RQ.
    With RQ's own class every task fails with "'ShequTask' object is not callable"."""
    import django_rq

    name, queue = rq_queue
    with django_capture_on_commit_callbacks(execute=True):
        run = third_time_lucky.using(backend="rq", queue_name=name).enqueue(7)
    CALLS.extend(["earlier", "attempts"])
    worker = django_rq.get_worker(name, worker_class="rq.SimpleWorker")  # in this process: the test's database
    assert worker.job_class.__module__ == "django_tasks_rq.backend"
    worker.work(burst=True, logging_level="WARNING")
    run.refresh_from_db()
    assert run.status == TaskRunStatus.SUCCEEDED and CALLS[-1] == 7
    assert len(queue.failed_job_registry) == 0
