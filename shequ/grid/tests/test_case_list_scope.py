"""The case lists of a 街道 (or wider) scope test the scope on the rows the list's index walks to; the cases
they return are exactly those of `case_base`."""

import pytest

from shequ.core.choices import Role
from shequ.core.testing import make_user
from shequ.grid import selectors
from shequ.grid.tests.conftest import KONGJIANG, report

pytestmark = pytest.mark.django_db


def test_it_lists_exactly_the_cases_of_the_scope_whatever_its_width(env):
    mine = [report(env), report(env, point=KONGJIANG),
            report(env, point=(None, None), address="延吉中路1号", subdistrict=env["sub"])]  # the 街道 itself
    other = report(env, user="other_inspector", point=(None, None), address="殷行路1号",
                   subdistrict=env["other_sub"])
    district_leader = make_user(Role.LEADER, [env["district"]])
    committee_worker = env["dunhua"]
    for user, expected in ((env["shiftlead"], mine), (env["other_inspector"], [other]),
                           (district_leader, mine + [other]), (committee_worker, mine[:1])):
        listed = list(selectors.case_list(user=user))
        assert sorted(c.pk for c in listed) == sorted(c.pk for c in expected)
        assert set(listed) == set(selectors.case_base(user=user).filter(pk__in=[c.pk for c in listed]))
        assert [c.category.code for c in listed] == ["E0102"] * len(expected)
    assert [c.pk for c in selectors.case_list(user=env["shiftlead"])] == [c.pk for c in reversed(mine)]
    assert [c.pk for c in selectors.case_list(user=env["shiftlead"], committee_id=mine[1].committee_id)] == [
        mine[1].pk]
