"""Many volunteers signing up to one activity at the same moment: never more confirmed than slots, on SQLite
(serialised writers) and PostgreSQL (the activity row lock, and the check constraint behind it)."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core.choices import Role
from shequ.core.testing import build_tree, make_user, run_threads
from shequ.volunteers import services
from shequ.volunteers.choices import TeamKind
from shequ.volunteers.models import Activity, Signup

from .conftest import valid_id

pytestmark = pytest.mark.django_db(transaction=True)
PEOPLE, SLOTS = 30, 10


@pytest.fixture
def activity(threaded_db):
    def prepare():
        tree = build_tree()
        admin = make_user(Role.VOLUNTEER, [tree["sub"]], username="vcenter")
        centre = services.centre_create(actor=None, node=tree["sub"], name="延吉志愿中心", person_in_charge="王",
                                        admins=[admin])
        team = services.team_create(actor=None, centre=centre, name="平安志愿服务队", kind=TeamKind.STANDING)
        start = timezone.now() + dt.timedelta(days=2)
        activity = services.activity_create(actor=admin, team=team, title="巡逻", start=start,
                                            end=start + dt.timedelta(hours=2), place="敦化路", slots=SLOTS)
        users = []
        for i in range(PEOPLE):
            user = make_user(Role.VOLUNTEER, [tree["dunhua"]], username=f"v{i}")
            services.volunteer_register(actor=None, user=user, committee=tree["dunhua"], name=f"志愿者{i}",
                                        id_number=valid_id(i + 1), phone=f"139{i:08d}", consent=True)
            users.append(user.pk)
        return activity.pk, users

    return run_threads(lambda _i: prepare(), 1)[0]


def test_parallel_signups_never_confirm_more_than_the_slots(activity):
    from shequ.core.models import User

    pk, users = activity

    def attempt(index):
        signup, position = services.signup_create(actor=User.objects.get(pk=users[index]),
                                                  activity=Activity.objects.get(pk=pk))
        return signup.status, position

    results = run_threads(attempt, len(users))
    assert not [r for r in results if isinstance(r, BaseException)], results
    confirmed = sorted(p for s, p in results if s == "confirmed")
    waiting = sorted(p for s, p in results if s == "waitlisted")
    assert confirmed == list(range(1, SLOTS + 1)) and waiting == list(range(1, PEOPLE - SLOTS + 1))

    def counts(_i):
        a = Activity.objects.get(pk=pk)
        return a.confirmed, a.waitlisted, Signup.objects.filter(activity_id=pk, status="confirmed").count()

    assert run_threads(counts, 1)[0] == (SLOTS, PEOPLE - SLOTS, SLOTS)
