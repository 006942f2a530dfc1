import os
import shutil
import sqlite3
import tempfile

import pytest

from shequ.core.choices import Role
from shequ.core.testing import make_resident, make_user
from shequ.facilities import services as facilities


@pytest.fixture
def market(tree, personas):
    """敦化路睦邻中心's 慈善超市 run by `op`, two goods in stock, a 低保 household of two and a household
    without any 救助类别; plus an operator of another facility."""
    from shequ.charity import services
    from shequ.charity.models import EligibilityRule

    # The migration's defaults, again: a transactional test flushes them.
    for name, code, points in (("低保", "dibao", 100), ("残疾", "disabled", 60)):
        EligibilityRule.objects.get_or_create(tag_code=code, defaults={"name": name, "monthly_points": points})

    centre = facilities.facility_create(actor=personas["leader"], level="neighbourhood_centre",
                                        name="敦化路睦邻中心", node=tree["dunhua"], address="敦化路1号")
    shop = facilities.facility_create(actor=personas["leader"], level="other", name="敦化路慈善超市",
                                      node=tree["dunhua"], address="敦化路1号", parent=centre)
    other = facilities.facility_create(actor=personas["leader"], level="neighbourhood_point",
                                       name="控江睦邻点", node=tree["kongjiang"], address="控江路1号")
    op = make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="op")
    op2 = make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="op2")
    facilities.facility_staff_assign(actor=None, facility=centre, user=op)
    facilities.facility_staff_assign(actor=None, facility=other, user=op2)
    supermarket = services.supermarket_open(actor=personas["leader"], facility=shop)
    rice = services.goods_create(actor=op, supermarket=supermarket, name="大米", unit="袋", points=20)
    oil = services.goods_create(actor=op, supermarket=supermarket, name="食用油", unit="桶", points=30)
    services.stock_adjust(actor=op, goods=rice, kind="purchase", quantity=50)
    services.stock_adjust(actor=op, goods=oil, kind="purchase", quantity=5)
    from shequ.people.models import Tag  # test support: the registry's tags as objects

    head = make_resident(personas["dunhua"], tree["dunhua"], name="王秀英", household_number="HD0001",
                         tags=[Tag.objects.get(code="dibao")])
    spouse = make_resident(personas["dunhua"], tree["dunhua"], name="李建国", household_number="HD0001")
    plain = make_resident(personas["dunhua"], tree["dunhua"], name="赵强", household_number="HD0002")
    return {"supermarket": supermarket, "rice": rice, "oil": oil, "op": op, "op2": op2, "head": head,
            "spouse": spouse, "plain": plain, "household": head.household, "shop": shop}


@pytest.fixture
def threaded_db(transactional_db):
    """Worker threads on one database: an in-memory SQLite test database is copied to a file first (its shared
    cache answers concurrent writers with "table is locked" instead of waiting); PostgreSQL needs nothing."""
    from django.db import connection, connections

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield None
        return
    connection.ensure_connection()
    folder = tempfile.mkdtemp(prefix="charity-threads-")
    path = os.path.join(folder, "threads.sqlite3")
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings_dict = connections.settings["default"]
    previous = settings_dict["NAME"]
    settings_dict["NAME"] = path
    try:
        yield path
    finally:
        settings_dict["NAME"] = previous
        shutil.rmtree(folder, ignore_errors=True)
