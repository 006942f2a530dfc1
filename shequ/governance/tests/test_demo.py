import io
import random

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_builds_committees_meetings_tasks_and_problems_once():
    from tests.small_demo import seed_small_demo

    from shequ.governance import demo
    from shequ.governance.models import Committee, Meeting, Problem, ProblemLink, Task
    from shequ.governance.choices import TaskStatus

    seed_small_demo()
    assert Committee.objects.count() == 2
    assert Meeting.objects.count() == 2
    assert Task.objects.filter(status=TaskStatus.CLOSED).count() == 1
    assert Task.objects.count() == 4
    assert Problem.objects.count() == 2
    assert ProblemLink.objects.count() >= 40
    counts = {t: Task.objects.count() for t in ("tasks",)}
    demo.seed(stdout=io.StringIO(), password="x", rng=random.Random(1))
    assert {t: Task.objects.count() for t in ("tasks",)} == counts and Committee.objects.count() == 2
