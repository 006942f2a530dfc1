"""The monthly clerk score as a scoring sheet (issue 11 "Assessment score as data", issue 16): the default sheet
reproduces 100 − 5 per overdue − 2 per 差评, the supervisor edits points and deductions (validated, audited),
attendance from the rota and 一次告知 errors from the cases returned for 补正 are items of the sheet."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from shequ.acceptance import selectors, services
from shequ.acceptance.models import Case
from shequ.core.errors import DomainError
from shequ.core.models import AuditLog
from shequ.targets import selectors as targets
from shequ.targets import services as targets_services
from shequ.targets.selectors import Measure
from shequ.targets.services import clerk_sheet_ensure

from .conftest import at
from .test_staff import day_of_work

pytestmark = pytest.mark.django_db
NOV = dict(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 12, 31))


def _row(centre):
    rows = selectors.figures(user=centre["supervisor"], by="clerk", **NOV)
    return next(r for r in rows if r.key == centre["clerk"])


def _items():
    return [item for _s, items in targets.sheet_layout(sheet=clerk_sheet_ensure()) for item in items]


def _item(measure):
    return next(item for item in _items() if item.measure == measure)


def _values(**changes):
    """Posted values for every item of the clerk sheet, with `changes` (measure name → (points, deduction))."""
    names = {m.name.lower(): m for m in Measure}
    values = {}
    for item in _items():
        values[item.pk] = {"max_points": str(item.max_points), "deduction": str(item.deduction)}
    for name, (points, deduction) in changes.items():
        item = _item(names[name])
        values[item.pk] = {"max_points": points, "deduction": deduction}
    return values


@pytest.fixture
def month(centre):
    clerk_sheet_ensure()
    with time_machine.travel(at(2026, 12, 3, 10), tick=False):
        yield day_of_work(centre)


def test_the_default_sheet_reproduces_todays_rule(centre, month):
    row = _row(centre)
    assert (row.overdue_open, row.poor, row.absent, row.notice_errors) == (0, 1, 0, 0)
    assert row.score == Decimal(98)  # 100 − 2 for the one 差评
    layout = selectors.clerk_sheet()[1]
    assert sum(i.max_points for _s, items in layout for i in items) == 100
    assert {i.measure: i.deduction for _s, items in layout for i in items} == {
        Measure.OVERDUE: 5, Measure.POOR: 2, Measure.ABSENT: 0, Measure.NOTICE_ERROR: 0}


def test_the_total_stops_at_zero_not_each_item(centre, month):
    """扣分制: 10 overdue cases take 50 off (more than the 40-point item), as today's rule did."""
    layout = selectors.clerk_sheet()[1]
    assert targets.score_from_data(layout=layout, occurrences={Measure.OVERDUE: 10, Measure.POOR: 5}) == 40
    assert targets.score_from_data(layout=layout, occurrences={Measure.OVERDUE: 30}) == 0


def test_a_supervisor_changes_a_deduction_and_the_score_follows(centre, month):
    targets_services.sheet_rules_update(actor=centre["supervisor"], sheet=clerk_sheet_ensure(),
                                        values=_values(poor=("30", "3")))
    assert _row(centre).score == Decimal(97)
    log = AuditLog.objects.filter(action="config", object_type__icontains="scoresheet").latest("id")
    assert log.detail["changes"][0]["deduction"] == ["2.00", "3"]


def test_attendance_counts_rota_half_days_without_a_call(centre, month):
    with time_machine.travel(at(2026, 12, 3, 10), tick=False):
        for day, half in ((dt.date(2026, 11, 23), "am"), (dt.date(2026, 11, 24), "pm"), (dt.date(2026, 12, 4), "am")):
            services.rota_set(actor=centre["supervisor"], window=centre["w1"], date=day, half=half,
                              clerk=centre["clerk"])
        # 11-23 am he called tickets; 11-24 pm he called none; 12-04 has not happened yet
        assert _row(centre).absent == 1
        targets_services.sheet_rules_update(actor=centre["supervisor"], sheet=clerk_sheet_ensure(),
                                            values=_values(absent=("15", "4")))
        assert _row(centre).score == Decimal(100 - 2 - 4)


def test_notice_errors_count_cases_returned_for_correction(centre, month):
    Case.objects.filter(pk=month.pk).update(return_count=1)
    targets_services.sheet_rules_update(actor=centre["supervisor"], sheet=clerk_sheet_ensure(),
                                        values=_values(notice_error=("15", "1.5")))
    row = _row(centre)
    assert row.notice_errors == 1 and row.score == Decimal("96.5")


@pytest.mark.parametrize("change, field", [
    ({"poor": ("30", "-1")}, "deduction"),
    ({"poor": ("0", "2")}, "points"),
    ({"poor": ("abc", "2")}, "points"),
    ({"poor": ("30", "2.001")}, "deduction"),
])
def test_bad_values_are_refused_and_nothing_is_saved(centre, month, change, field):
    before = [(i.max_points, i.deduction) for i in _items()]
    with pytest.raises(DomainError) as err:
        targets_services.sheet_rules_update(actor=centre["supervisor"], sheet=clerk_sheet_ensure(),
                                            values=_values(overdue=("40", "6"), **change))
    assert any(k.startswith(field) for k in err.value.errors)
    assert [(i.max_points, i.deduction) for i in _items()] == before


def test_a_pass_line_above_the_full_points_is_refused(centre, month):
    with pytest.raises(DomainError):
        targets_services.sheet_rules_update(actor=centre["supervisor"], sheet=clerk_sheet_ensure(), values={},
                                            pass_line="101")


def test_the_figures_page_names_the_sheet_and_the_supervisor_edits_it(centre, month, client_as, personas):
    page = client_as(centre["supervisor"]).get("/acceptance/figures/?by=clerk").content.decode()
    assert "受理员月度考核表" in page and "每次扣分" in page and "调整考核规则" in page
    leader = client_as(personas["leader"]).get("/acceptance/figures/?by=clerk").content.decode()
    assert "受理员月度考核表" in leader and "调整考核规则" not in leader
    assert client_as(personas["leader"]).get("/acceptance/figures/rules/").status_code == 403
    assert client_as(centre["clerk"]).post("/acceptance/figures/rules/", {}).status_code == 403
    client = client_as(centre["supervisor"])
    assert "超期未办结" in client.get("/acceptance/figures/rules/").content.decode()
    poor = _item(Measure.POOR)
    data = {f"points_{k}": v["max_points"] for k, v in _values().items()}
    data.update({f"deduction_{k}": v["deduction"] for k, v in _values().items()})
    bad = client.post("/acceptance/figures/rules/", {**data, f"deduction_{poor.pk}": "x", "pass_line": "60"})
    assert bad.status_code == 200 and "须为数字" in bad.content.decode()
    ok = client.post("/acceptance/figures/rules/", {**data, f"deduction_{poor.pk}": "2.5", "pass_line": "60"})
    assert ok.status_code == 302
    poor.refresh_from_db()
    assert poor.deduction == Decimal("2.5")
