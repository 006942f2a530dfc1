"""The volunteers' computed target (指标): 环保志愿者人数 = the distinct volunteers of the active 市容环境 teams,
counted live, by committee, within the reader's scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shequ.targets import selectors as targets
from shequ.targets.config import indicators_ensure
from shequ.volunteers import services
from shequ.volunteers.choices import TeamKind

from .conftest import register

pytestmark = pytest.mark.django_db


def _row(user, committees=False):
    return next(r for r in targets.target_progress(user=user, committees=committees) if r["code"] == "lc-volunteers")


def test_environmental_volunteers_follow_the_teams(tree, personas, org):
    indicators_ensure(node=tree["sub"], start_year=2025, grid_year=2026)
    leader = personas["leader"]
    row = _row(leader)
    assert (row["source"], row["actual"]) == ("computed", Decimal(0))
    env = services.team_create(actor=leader, centre=org["centre"], name="市容环境志愿服务队", kind=TeamKind.STANDING)
    a = register(None, tree["dunhua"], 11)
    b = register(None, tree["kongjiang"], 12)
    register(None, tree["dunhua"], 13)  # in no team
    services.volunteer_join_team(actor=leader, volunteer=a, team=env)
    assert _row(leader)["actual"] == Decimal(1)
    services.volunteer_join_team(actor=leader, volunteer=a, team=org["standing"])  # another team: still one
    services.volunteer_join_team(actor=leader, volunteer=b, team=env)
    row = _row(leader, committees=True)
    assert row["actual"] == Decimal(2)
    by = {c["id"]: c["actual"] for c in row["committees"]}
    assert by[tree["dunhua"].pk] == Decimal(1) and by[tree["kongjiang"].pk] == Decimal(1)
    # A committee worker sees his committee's only.
    assert _row(personas["dunhua"])["actual"] == Decimal(1)
    env.is_active = False
    env.save(update_fields=["is_active"])
    assert _row(leader)["actual"] == Decimal(0)  # a disbanded team's members no longer count


def test_a_volunteer_of_another_subdistrict_is_not_counted(tree, personas, org):
    indicators_ensure(node=tree["sub"], start_year=2025, grid_year=2026)
    far_env = services.team_create(actor=None, centre=org["other_centre"], name="殷行市容环境队",
                                   kind=TeamKind.STANDING)
    far = register(None, tree["yinxing"], 21)
    far.teams.add(far_env)
    assert _row(personas["leader"])["actual"] == Decimal(0)
