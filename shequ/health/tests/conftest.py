import datetime as dt

import pytest

from shequ.acceptance.tests.conftest import threaded_db  # noqa: F401  (worker threads on one database)


@pytest.fixture
def health(tree):
    from shequ.health.testing import build_health

    return build_health()


@pytest.fixture
def people(tree, personas):
    """Residents of 敦化路 (a household of three, an 82-year-old living alone) and one of 控江路645弄."""
    from shequ.core.testing import make_resident, valid_id_number

    from django.apps import apps

    Tag = apps.get_model("people", "Tag")
    worker = personas["dunhua"]
    hh = {"household_number": "H-DH-0001"}
    return {
        "head": make_resident(worker, tree["dunhua"], name="王建国", relation="head",
                              id_number=valid_id_number(dt.date(1975, 5, 1)), **hh),
        "father": make_resident(worker, tree["dunhua"], name="王老伯", relation="parent",
                                id_number=valid_id_number(dt.date(1945, 3, 2)), **hh),
        "child": make_resident(worker, tree["dunhua"], name="王小明", relation="child",
                               id_number=valid_id_number(dt.date(2012, 8, 8)), **hh),
        "alone": make_resident(worker, tree["dunhua"], name="李阿婆", tags=[Tag.objects.get(code="living_alone")],
                               id_number=valid_id_number(dt.date(1944, 1, 9), male=False)),
        "kj": make_resident(personas["kongjiang"], tree["kongjiang"], name="赵师傅",
                            id_number=valid_id_number(dt.date(1960, 6, 6))),
    }
