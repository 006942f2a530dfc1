"""The demo simulation of the hall must give a consistent day whatever the time it is seeded at."""

import datetime as dt
import io
import random
from collections import Counter
from unittest import mock

import pytest
from django.utils import timezone

from shequ.acceptance.models import Ticket

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.django_db
@pytest.mark.parametrize("clock", [dt.datetime(2026, 11, 23, 9, 45, tzinfo=SHANGHAI),
                                   dt.datetime(2026, 11, 23, 14, 40, tzinfo=SHANGHAI)])
def test_it_never_leaves_two_active_numbers_at_one_window(clock):
    from shequ.acceptance import demo as acceptance_demo
    from shequ.core import demo as core_demo

    with mock.patch("django.utils.timezone.now", return_value=clock.astimezone(dt.timezone.utc)):
        core_demo.seed(stdout=io.StringIO(), password="Shequ#2026demo", rng=random.Random(1))
        acceptance_demo.seed(stdout=io.StringIO(), password="Shequ#2026demo", rng=random.Random(1))
        today = timezone.localdate()
    active = Counter(Ticket.objects.filter(day=today, status__in=["called", "serving"])
                     .values_list("window_id", flat=True))
    assert active, "the simulated morning has numbers being served"
    assert max(active.values()) == 1
    assert Ticket.objects.filter(day=today).count() > 10
