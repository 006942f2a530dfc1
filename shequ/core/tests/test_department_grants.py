"""Work that belongs to one department (elderly care: 民政; family doctors: 卫健) is held only by that department's
back-office officers, although they all share the role."""

import pytest

from shequ.core.choices import Role
from shequ.core.models import Department
from shequ.core.permissions import department_code_for
from shequ.core.testing import make_user

pytestmark = pytest.mark.django_db


def test_it_gives_elderly_care_to_civil_affairs_officers_only(tree, personas):
    mz_officer = personas["officer"]  # 民政
    cg_officer = make_user(Role.DEPT_OFFICER, [tree["sub"]], tree["chengguan"], username="cg_officer")
    assert mz_officer.can("eldercare.view") and mz_officer.can("eldercare.settle")
    assert not cg_officer.can("eldercare.view") and not cg_officer.can("eldercare.settle")
    # The same capability is not department-bound for other roles.
    assert personas["dunhua"].can("eldercare.view")
    assert department_code_for(Role.COMMITTEE_WORKER, "eldercare.view") is None


def test_it_follows_the_configured_department(tree, personas, settings):
    health = Department.objects.create(code="WJ", name="区卫生健康委员会", short_name="卫健", node=tree["district"])
    doctor_office = make_user(Role.DEPT_OFFICER, [tree["sub"]], health, username="wj_officer")
    assert doctor_office.can("health.view") and not personas["officer"].can("health.view")
    settings.SHEQU_DEPARTMENTS = {**settings.SHEQU_DEPARTMENTS, "health": "MZ"}
    assert personas["officer"].can("health.view")
