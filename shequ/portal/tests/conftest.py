"""Fixtures of the portal tests: the acceptance centre of the test tree, a registered family in 敦化路 (a head of
household, his elderly father, his sister, a grandson under 18), resident accounts and slots."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.acceptance.tests.conftest import intake, threaded_db, visitor  # noqa: F401  (fixtures and builders)


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def centre(tree, personas):
    from shequ.acceptance.testing import build_centre

    return build_centre(tree, personas)


@pytest.fixture
def family(tree, personas):
    from shequ.core.testing import make_resident, valid_id_number

    worker = personas["dunhua"]
    common = {"household_number": "H-DH-0001"}
    head = make_resident(worker, tree["dunhua"], name="王建国", relation="head",
                         id_number=valid_id_number(dt.date(1975, 5, 1)), **common)
    father = make_resident(worker, tree["dunhua"], name="王老伯", relation="parent",
                           id_number=valid_id_number(dt.date(1945, 3, 2)), **common)
    sister = make_resident(worker, tree["dunhua"], name="王建红", relation="sibling",
                           id_number=valid_id_number(dt.date(1978, 8, 8), male=False), **common)
    grandson = make_resident(worker, tree["dunhua"], name="王小宝", relation="grandchild",
                             id_number=valid_id_number(dt.date(2015, 1, 9)), **common)
    neighbour = make_resident(personas["kongjiang"], tree["kongjiang"], name="李邻居",
                              id_number=valid_id_number(dt.date(1980, 1, 1)), household_number="H-KJ-0001",
                              relation="head")
    return {"head": head, "father": father, "sister": sister, "grandson": grandson, "neighbour": neighbour}


def make_account(username: str, resident=None):
    """A resident login with its account, bound to `resident` through the binding service."""
    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.portal import services

    user = make_user(Role.RESIDENT, username=username)
    account = services.account_for(user)
    if resident is not None:
        from shequ.people.models import Resident

        number = Resident.objects.get(pk=resident.pk).id_number
        account = services.account_bind(account=account, name=resident.name, id_number=number, consent=True)
    return account


@pytest.fixture
def me(family):
    return make_account("me", family["head"])


@pytest.fixture
def other(family):
    return make_account("other", family["neighbour"])


def future_workday(days_ahead: int = 3) -> dt.date:
    from django.utils import timezone

    from shequ.core import workcal

    return workcal.add_working_days(timezone.localdate(), days_ahead)


@pytest.fixture
def slots(centre):
    """Two slots of category B (民政) three days ahead and one of A; capacity 2, 2 and 5."""
    from shequ.portal import services

    day = future_workday()
    sv = centre["supervisor"]
    make = lambda h, cat, cap: services.slot_publish(actor=sv, node=centre["sub"], date=day, start=dt.time(h, 0),  # noqa: E731
                                                     end=dt.time(h + 1, 0), category=centre[cat], capacity=cap)
    return {"b9": make(9, "B", 2), "b10": make(10, "B", 2), "a9": make(9, "A", 5), "day": day}
