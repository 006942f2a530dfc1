import pytest

from shequ.core.choices import Role
from shequ.core.testing import make_user


@pytest.fixture
def line(tree, personas):
    """The 街道's operations centre (grid catalogue, users) and a hotline operator (a facility operator of the
    service office) of 延吉新村街道, plus one of 殷行街道."""
    from shequ.grid.testing import build_grid_centre

    _station, centre = build_grid_centre(tree)
    return {"op": make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="hotline"),
            "far": make_user(Role.FACILITY_OPERATOR, [tree["other_sub"]], username="far"), **centre}


@pytest.fixture
def call(line, tree):
    from shequ.helpline import services

    return services.call_log(actor=line["op"], caller_name="王阿姨", caller_phone="13816201234",
                             need="楼道里堆满了杂物，影响通行", category="environment", committee=tree["dunhua"],
                             address="敦化路100弄3号")
