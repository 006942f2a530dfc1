"""Targets: computed ones follow the owning module's data, entered ones go through approval, progress and lights,
scoping by persona, bad input."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.http import Http404

from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.workflow import ActionForbidden, ActionNotFound
from shequ.targets import selectors, services
from shequ.targets.choices import EcoStatus, EntryStatus
from shequ.targets.hooks import Computer, Figure, computer, computer_get
from shequ.targets.models import Indicator, Snapshot

from .conftest import SH, code_of, pdf

pytestmark = pytest.mark.django_db


def _household(w, n, committee="dunhua", worker="dunhua", certify=True):
    h = services.eco_propose(actor=w[worker], committee=w["c_" + committee], kind="eco", name=f"测试{n}家庭",
                             address=f"敦化路{n}号", year=2026)
    return services.eco_certify(actor=w["leader"], household=h) if certify else h


def test_it_lists_the_seed_targets_with_the_contract_keys(world):
    rows = selectors.target_progress(user=world["leader"])
    assert len(rows) == 14
    row = code_of(rows, "lc-eco-households")
    assert {"code", "name", "unit", "baseline", "target", "actual", "progress", "period", "source",
            "light"} <= set(row)
    assert (row["target"], row["period"], row["source"], row["actual"]) == (Decimal(1000), "2025-2027", "computed",
                                                                            Decimal(0))
    assert code_of(rows, "grid-close")["period"] == "2026"
    assert code_of(rows, "lc-awareness")["source"] == "entered"


def test_it_counts_certified_eco_households_live(world):
    _household(world, 1)
    _household(world, 2)
    pending = _household(world, 3, certify=False)
    _household(world, 4, committee="kongjiang", worker="kongjiang")
    row = code_of(selectors.target_progress(user=world["leader"], committees=True), "lc-eco-households")
    assert row["actual"] == 3
    assert {c["name"]: c["actual"] for c in row["committees"]} == {"敦化路居委会": 2, "控江路645弄居委会": 1}
    services.eco_certify(actor=world["leader"], household=pending)
    assert code_of(selectors.target_progress(user=world["leader"]), "lc-eco-households")["actual"] == 4
    services.eco_revoke(actor=world["leader"], household=pending, reason="已搬离")
    assert code_of(selectors.target_progress(user=world["leader"]), "lc-eco-households")["actual"] == 3
    # A committee worker's figure is his committee's.
    assert code_of(selectors.target_progress(user=world["kongjiang"]), "lc-eco-households")["actual"] == 1


def test_it_follows_the_grid_close_rate(world):
    from shequ.grid import stats
    from shequ.grid.models import Case, Category
    from shequ.grid.testing import build_grid_centre

    build_grid_centre({k[2:]: v for k, v in world.items() if k.startswith("c_")})
    past = dt.datetime(2026, 3, 5, 12, 0, tzinfo=SH)
    grid = world["c_grid_dunhua"]

    def case(n, status, **fields):
        reported = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
        return Case.objects.create(number=f"T-{n}", category=Category.objects.order_by("id").first(), kind="event",
                                   source="patrol", status=status, node=grid, grid=grid, committee=grid.parent,
                                   description="测试", reported_at=reported, filed_at=reported,
                                   first_dispatched_at=reported, dispatched_at=reported,
                                   unit=world["chengguan"], deadline=past, **fields)

    assert code_of(selectors.target_progress(user=world["leader"]), "grid-close")["actual"] is None
    case(1, "closed", closed_on_time=True)
    stats.rebuild()
    row = code_of(selectors.target_progress(user=world["leader"]), "grid-close")
    assert (row["actual"], row["light"]) == (Decimal(100), "green")
    case(2, "handling")  # overdue and open: the rate halves
    stats.rebuild()
    row = code_of(selectors.target_progress(user=world["leader"]), "grid-close")
    assert (row["actual"], row["progress"], row["light"]) == (Decimal(50), Decimal("52.6"), "red")
    assert code_of(selectors.target_progress(user=world["kongjiang"]), "grid-close")["actual"] is None


def test_it_takes_an_entered_value_through_approval(world):
    indicator = world["i"]["lc-awareness"]
    entry = services.entry_submit(actor=world["dunhua"], indicator=indicator, committee=world["c_dunhua"],
                                  period="2026-02", value="68.5", note="问卷", evidence=[pdf()])
    assert entry.status == EntryStatus.SUBMITTED
    assert code_of(selectors.target_progress(user=world["leader"]), "lc-awareness")["actual"] is None
    with pytest.raises(ActionForbidden):
        services.entry_approve(actor=world["dunhua"], entry=entry)
    with pytest.raises(DomainError) as refused:
        services.entry_reject(actor=world["leader"], entry=entry, reason=" ")
    assert "reason" in refused.value.errors
    services.entry_reject(actor=world["leader"], entry=entry, reason="缺少问卷汇总表")
    again = services.entry_submit(actor=world["dunhua"], indicator=indicator, committee=world["c_dunhua"], period="2026-02",
                                  value="70", evidence=[pdf("汇总表.pdf")])
    assert again.pk == entry.pk and again.status == EntryStatus.SUBMITTED and again.evidence.count() == 2
    services.entry_approve(actor=world["leader"], entry=again)
    row = code_of(selectors.target_progress(user=world["leader"], committees=True), "lc-awareness")
    assert row["actual"] == Decimal(70)
    assert row["progress"] == Decimal("93.3") and row["light"] == "yellow"
    with pytest.raises(ConflictError):
        services.entry_approve(actor=world["leader"], entry=again)
    with pytest.raises(ConflictError):
        services.entry_submit(actor=world["dunhua"], indicator=indicator, committee=world["c_dunhua"],
                              period="2026-02", value="90", evidence=[pdf()])


def test_it_sums_or_averages_the_committees_latest_values(world):
    # 环保志愿者人数 is computed by the volunteers module; entered here, as a 街道 may choose, to test the sum.
    Indicator.objects.filter(pk=world["i"]["lc-volunteers"].pk).update(source="entered", computer="")
    world["i"]["lc-volunteers"].refresh_from_db()
    for who, month, value in (("dunhua", "2026-01", 60), ("dunhua", "2026-02", 80), ("kongjiang", "2026-01", 70)):
        for code in ("lc-awareness", "lc-volunteers"):
            e = services.entry_submit(actor=world[who], indicator=world["i"][code], committee=world["c_" + who],
                                      period=month, value=value, evidence=[pdf()])
            services.entry_approve(actor=world["leader"], entry=e)
    rows = selectors.target_progress(user=world["leader"])
    assert code_of(rows, "lc-awareness")["actual"] == Decimal(75)  # mean of 80 and 70
    assert code_of(rows, "lc-volunteers")["actual"] == Decimal(150)  # sum of 80 and 70


@pytest.mark.parametrize("fields, field", [
    ({"value": "abc"}, "value"), ({"value": "NaN"}, "value"), ({"value": "-1"}, "value"), ({"value": "101"}, "value"),
    ({"value": "1.234"}, "value"), ({"period": "2026-13"}, "period"), ({"period": "26/03"}, "period"),
    ({"period": "2024-05"}, "period"), ({"period": "2026-12"}, "period"), ({"note": "长" * 201}, "note"),
    ({"evidence": []}, "evidence"), ({"note": "a\x00b"}, "note"),
])
def test_it_refuses_bad_entries_with_a_chinese_message(world, fields, field):
    from django.core.files.uploadedfile import SimpleUploadedFile

    args = {"period": "2026-02", "value": "50", "note": "", "evidence": [pdf()], **fields}
    with pytest.raises(DomainError) as refused:
        services.entry_submit(actor=world["dunhua"], indicator=world["i"]["lc-awareness"],
                              committee=world["c_dunhua"], **args)
    assert field in refused.value.errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.errors[field][0])
    fake = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as refused:
        services.entry_submit(actor=world["dunhua"], indicator=world["i"]["lc-awareness"],
                              committee=world["c_dunhua"], period="2026-02", value="5", evidence=[fake])
    assert "evidence" in refused.value.errors


def test_it_only_takes_entries_for_the_workers_own_committee_and_entered_targets(world):
    with pytest.raises(DomainError) as refused:
        services.entry_submit(actor=world["dunhua"], indicator=world["i"]["lc-awareness"],
                              committee=world["c_kongjiang"], period="2026-02", value="5",
                              evidence=[pdf()])
    assert "committee" in refused.value.errors
    with pytest.raises(DomainError):
        services.entry_submit(actor=world["dunhua"], indicator=world["i"]["grid-close"],
                              committee=world["c_dunhua"], period="2026-02", value="5", evidence=[pdf()])
    with pytest.raises(Forbidden):
        services.entry_submit(actor=world["leader"], indicator=world["i"]["lc-awareness"],
                              committee=world["c_dunhua"], period="2026-02", value="5", evidence=[pdf()])


def test_it_scopes_targets_and_entries_by_persona(world):
    e = services.entry_submit(actor=world["dunhua"], indicator=world["i"]["lc-awareness"],
                              committee=world["c_dunhua"], period="2026-02", value="5", evidence=[pdf()])
    assert selectors.target_progress(user=world["yinxing"]) == []  # another 街道
    assert len(selectors.target_progress(user=world["kongjiang"])) == 14
    with pytest.raises(Http404):
        selectors.entry_get(user=world["kongjiang"], pk=e.pk)
    with pytest.raises(Http404):
        selectors.indicator_get(user=world["yinxing"], pk=world["i"]["lc-awareness"].pk)
    assert selectors.entry_get(user=world["leader"], pk=e.pk) == e
    # A leader of another 街道 may not approve it: it is not found.
    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    other_leader = make_user(Role.LEADER, [world["other_sub"]], username="leader_yx")
    with pytest.raises(ActionNotFound):
        services.entry_approve(actor=other_leader, entry=e)


def test_it_numbers_certificates_and_refuses_a_second_decision(world):
    a, b = _household(world, 1), _household(world, 2)
    assert (a.certificate_no, b.certificate_no) == ("生态〔2026〕第0001号", "生态〔2026〕第0002号")
    with pytest.raises(ConflictError):
        services.eco_certify(actor=world["leader"], household=a)
    with pytest.raises(ConflictError):
        services.eco_propose(actor=world["dunhua"], committee=world["c_dunhua"], kind="eco",
                             name="重复家庭", address="敦化路1号", year=2026)
    with pytest.raises(DomainError) as refused:
        services.eco_propose(actor=world["dunhua"], committee=world["c_kongjiang"], kind="bogus",
                             name="", address="x" * 65, year="abc")
    assert set(refused.value.errors) == {"committee", "kind", "name", "address", "year"}


def test_it_judges_progress_against_the_time_elapsed_for_counts(world):
    indicator = world["i"]["lc-eco-households"]
    # 2026-03-10 is 434 days into the 1,095 of 2025–2027: 39.6 % of 1,000 is due by now.
    assert selectors.light_of(indicator, Decimal("40")) == "green"
    assert selectors.light_of(indicator, Decimal("32")) == "yellow"
    assert selectors.light_of(indicator, Decimal("31")) == "red"
    assert selectors.light_of(indicator, None) == "none"
    lower = world["i"]["grid-rework"]  # target 5 %, lower is better
    assert selectors.progress_of(lower, Decimal(4)) == Decimal("125.0")
    assert selectors.progress_of(lower, Decimal(10)) == Decimal("50.0")
    assert selectors.progress_of(lower, Decimal(0)) == Decimal(100)


def test_it_lets_another_module_declare_a_computer(world):
    if computer_get("test.constant") is None:
        computer(Computer("test.constant", "常数", lambda **kw: Figure(Decimal(1500), {}), cumulative=True))
    Indicator.objects.filter(pk=world["i"]["lc-volunteers"].pk).update(source="computed", computer="test.constant")
    row = code_of(selectors.target_progress(user=world["leader"]), "lc-volunteers")
    assert (row["actual"], row["progress"], row["source"]) == (Decimal(1500), Decimal(75), "computed")
    Indicator.objects.filter(pk=world["i"]["lc-volunteers"].pk).update(computer="not.declared")
    assert code_of(selectors.target_progress(user=world["leader"]), "lc-volunteers")["light"] == "none"


def test_it_reads_a_year_and_refuses_an_unreadable_one(world):
    assert len(selectors.target_progress(user=world["leader"], period=2026)) == 14
    assert len(selectors.target_progress(user=world["leader"], period="2028")) == 0
    with pytest.raises(ValueError):
        selectors.target_progress(user=world["leader"], period="20x6")


def test_it_snapshots_the_trend(world):
    _household(world, 1)
    services.snapshot_take(user=world["leader"], day=dt.date(2026, 2, 28))
    services.snapshot_take(user=world["leader"])
    services.snapshot_take(user=world["leader"])  # twice a day: one row
    indicator = world["i"]["lc-eco-households"]
    assert Snapshot.objects.filter(indicator=indicator, committee__isnull=True).count() == 2
    trend = selectors.indicator_trend(user=world["leader"], indicator=indicator)
    assert trend == [(dt.date(2026, 2, 1), Decimal(0)), (dt.date(2026, 3, 1), Decimal(1))]
    assert selectors.indicator_trend(user=world["dunhua"], indicator=indicator)[-1] == (dt.date(2026, 3, 1),
                                                                                       Decimal(1))


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_approvers_decide(tree, personas):
    from django.db import connection

    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.targets.config import indicators_ensure

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    indicator = indicators_ensure(node=tree["sub"], start_year=2025, grid_year=2026)[0]
    entry = services.entry_submit(actor=personas["dunhua"], indicator=indicator, committee=tree["dunhua"],
                                  period="2026-02", value="50", evidence=[pdf()])
    second = make_user(Role.LEADER, [tree["sub"]], username="leader2")
    results = []

    def decide(user, name):
        from django.db import connections
        try:
            if name == "approve":
                services.entry_approve(actor=user, entry=entry)
            else:
                services.entry_reject(actor=user, entry=entry, reason="数据有误")
            results.append(name)
        except ConflictError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(personas["leader"], "approve")),
               threading.Thread(target=decide, args=(second, "reject"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) in (["approve", "refused"], ["refused", "reject"])
    entry.refresh_from_db()
    assert entry.status in (EntryStatus.APPROVED, EntryStatus.REJECTED)
    assert EcoStatus.CERTIFIED  # the statuses are importable constants
