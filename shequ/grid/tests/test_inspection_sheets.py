"""Supervision (督查) on the targets module's scoring sheets (issue 16): the sheet's rules score the inspection,
the grid reads the sheets through the targets' selectors and services, and the migration turns the grid's former
sheets into scoring sheets without moving any existing score."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from shequ.core.errors import DomainError
from shequ.grid import selectors, services
from shequ.grid.models import Inspection
from shequ.targets import services as targets
from shequ.targets.selectors import Rule, SheetUse


def _sheet():
    return targets.sheet_ensure(name="居民区网格工作站考评表", use=SheetUse.INSPECT_AREA, pass_line=80, sections=[
        ("发现问题", [("网格巡查到位", "漏报一件扣2分", 25, Rule.DEDUCTION, 2)]),
        ("市容环境", [("网格内市容环境整洁有序", "", 30, Rule.POINTS, None)]),
        ("基础信息", [("楼宇信息完整准确", "", 20, Rule.YES_NO, None)])])


def _items(sheet):
    return {i.title: i for _s, items in selectors.inspection_sheet_layout(sheet) for i in items}


@pytest.mark.django_db
def test_an_inspection_is_scored_by_each_items_rule(env):
    sheet = _sheet()
    items = _items(sheet)
    inspection = services.inspection_create(
        actor=env["leader"], sheet=sheet, title="3月督查", date=dt.date(2026, 3, 10), committee=env["node_dunhua"],
        scores={items["网格巡查到位"].pk: "3", items["网格内市容环境整洁有序"].pk: "27.5", items["楼宇信息完整准确"].pk: "0"})
    assert inspection.total == Decimal("46.5")  # (25 − 3 × 2) + 27.5 + 0
    points = {s.sheet_item.title: (s.mark, s.points) for s in selectors.inspection_scores(inspection=inspection)}
    assert points["网格巡查到位"] == (Decimal(3), Decimal(19))
    assert points["楼宇信息完整准确"] == (Decimal(0), Decimal(0))


@pytest.mark.django_db
def test_a_bad_mark_or_a_sheet_of_another_use_is_refused(env):
    sheet = _sheet()
    items = _items(sheet)
    good = {items["网格巡查到位"].pk: "0", items["网格内市容环境整洁有序"].pk: "30", items["楼宇信息完整准确"].pk: "1"}
    for bad in ({items["网格内市容环境整洁有序"].pk: "31"}, {items["网格巡查到位"].pk: "1.5"},
                {items["楼宇信息完整准确"].pk: "maybe"}, {items["网格巡查到位"].pk: ""}):
        with pytest.raises(DomainError) as err:
            services.inspection_create(actor=env["leader"], sheet=sheet, title="督查", date=dt.date(2026, 3, 10),
                                       committee=env["node_dunhua"], scores={**good, **bad})
        assert any(k.startswith("item_") for k in err.value.errors)
    pilot = targets.sheet_ensure(name="试点评分表", use=SheetUse.ASSESSMENT, pass_line=60,
                                 sections=[("一", [("x", "", 10, Rule.POINTS, None)])])
    with pytest.raises(DomainError):
        services.inspection_create(actor=env["leader"], sheet=pilot, title="督查", date=dt.date(2026, 3, 10),
                                   committee=env["node_dunhua"], scores={})
    assert not Inspection.objects.exists()


@pytest.mark.django_db
def test_the_form_offers_the_supervision_sheets_and_shows_the_rules(env, client_as):
    sheet = _sheet()
    items = _items(sheet)
    client = client_as(env["leader"])
    page = client.get(reverse("grid:inspection-create")).content.decode()
    assert "居民区网格工作站考评表" in page and "25分，每次扣2分" in page and "合格线80分" in page
    response = client.post(reverse("grid:inspection-create"), {
        "sheet": sheet.pk, "title": "3月督查", "date": "2026-03-10", "committee": env["node_dunhua"].pk,
        f"item_{items['网格巡查到位'].pk}": "2", f"item_{items['网格内市容环境整洁有序'].pk}": "40",
        f"item_{items['楼宇信息完整准确'].pk}": "1"})
    assert response.status_code == 200 and "须在0到30" in response.content.decode()
    response = client.post(reverse("grid:inspection-create"), {
        "sheet": sheet.pk, "title": "3月督查", "date": "2026-03-10", "committee": env["node_dunhua"].pk,
        f"item_{items['网格巡查到位'].pk}": "2", f"item_{items['网格内市容环境整洁有序'].pk}": "30",
        f"item_{items['楼宇信息完整准确'].pk}": "1"})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "71" in detail and "2次" in detail and "居民区网格工作站考评表" in detail


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_the_old_sheets_into_scoring_sheets_and_keeps_the_scores(tree, personas):
    before = [("grid", "0009_composite_rule"), ("targets", "0002_sheet_use_and_measures")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    template = old.get_model("grid", "InspectionTemplate").objects.create(name="部门督查表", target="department")
    Item = old.get_model("grid", "InspectionItem")
    a = Item.objects.create(template=template, section="处置质量", name="现场处置到位", max_points=Decimal(30),
                            rule="每处扣5分", order=0)
    b = Item.objects.create(template=template, section="台账资料", name="记录完整", max_points=Decimal(15), order=1)
    inspection = old.get_model("grid", "Inspection").objects.create(
        template=template, title="旧督查", date=dt.date(2026, 3, 1), department_id=personas["officer"].department_id
        or old.get_model("core", "Department").objects.first().pk, inspector_id=personas["leader"].pk,
        node_id=tree["sub"].pk, total=Decimal("37.5"))
    Score = old.get_model("grid", "InspectionScore")
    Score.objects.create(inspection=inspection, item=a, points=Decimal("25"))
    Score.objects.create(inspection=inspection, item=b, points=Decimal("12.5"))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = Inspection.objects.get(title="旧督查")
    assert moved.total == Decimal("37.5") and moved.sheet.name == "部门督查表"
    assert moved.sheet.use == SheetUse.INSPECT_DEPARTMENT
    scores = {s.sheet_item.title: (s.sheet_item.section.title, s.sheet_item.max_points, s.points, s.sheet_item.rule)
              for s in selectors.inspection_scores(inspection=moved)}
    assert scores == {"现场处置到位": ("处置质量", Decimal(30), Decimal(25), Rule.POINTS),
                      "记录完整": ("台账资料", Decimal(15), Decimal("12.5"), Rule.POINTS)}
