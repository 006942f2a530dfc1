"""The demo builds through the services, gives every demo login what it needs, and a second run creates nothing."""

import io
import random

import pytest

from shequ.volunteers import demo, selectors
from shequ.volunteers.models import Activity, Team, Volunteer

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_once_and_totals_match_the_records(tree):
    demo.seed(stdout=io.StringIO(), password="Shequ#2026demo", rng=random.Random(1))
    counts = (Team.objects.count(), Volunteer.objects.count(), Activity.objects.count())
    demo.seed(stdout=io.StringIO(), password="Shequ#2026demo", rng=random.Random(1))
    assert (Team.objects.count(), Volunteer.objects.count(), Activity.objects.count()) == counts
    assert Team.objects.filter(kind="standing").count() == 3
    assert Volunteer.objects.filter(user__username__in=["volunteer"] + [f"volunteer{i:02d}" for i in range(1, 13)]) \
        .count() == 13
    for v in Volunteer.objects.all():
        assert v.credited_minutes == selectors.credited_minutes_from_records(volunteer_id=v.pk)
    near = Volunteer.objects.get(user__username="volunteer01")
    assert near.credited_minutes == 98 * 60
    from shequ.core.models import User

    vcenter = User.objects.get(username="vcenter")
    assert selectors.organised_teams(user=vcenter).count() == Team.objects.count()
