"""Scoring sheets and assessments: experts score alone, the panel is combined by trimmed mean or average, the
result is signed off into a PDF; the pilot of the seed comes out at 88 + 8."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.scoring import Combination
from shequ.core.workflow import ActionForbidden
from shequ.targets import selectors, services
from shequ.targets.config import marks_losing
from shequ.targets.models import SheetItem

pytestmark = pytest.mark.django_db


def _pilot(w, method=Combination.TRIMMED_MEAN, experts=("leader", "officer", "expert")):
    return services.assessment_create(actor=w["leader"], sheet=w["sheet"], subject_kind="pilot",
                                      subject="杨浦区政府办公大楼", title="节能标准化试点验收",
                                      held_on=dt.date(2026, 3, 9), method=method,
                                      experts=[w[e] for e in experts])


def _score(w, a, who, base, feature):
    layout = selectors.sheet_layout(sheet=w["sheet"])
    return services.assessment_score(actor=w[who], assessment=a,
                                     marks=marks_losing(layout, base_loss=100 - base, feature_loss=10 - feature))


def test_it_scores_the_pilot_to_88_plus_8_with_a_trimmed_mean(world):
    a = _pilot(world)
    for who, base, feature in (("leader", 86, 7), ("officer", 88, 8), ("expert", 91, 9)):
        member = _score(world, a, who, base, feature)
        assert (member.base_total, member.feature_total) == (Decimal(base), Decimal(feature))
    signed = services.assessment_sign(actor=world["leader"], assessment=a, conclusion="同意通过验收。")
    assert (signed.base_score, signed.feature_score, signed.passed) == (Decimal(88), Decimal(8), True)
    assert signed.status == "signed"
    pdf = services.assessment_report(actor=world["leader"], assessment=signed)
    assert pdf.startswith(b"%PDF")


def test_it_averages_when_asked_and_fails_below_the_pass_line(world):
    a = _pilot(world, method=Combination.AVERAGE, experts=("leader", "officer"))
    _score(world, a, "leader", 70, 5)
    _score(world, a, "officer", 85, 6)
    signed = services.assessment_sign(actor=world["leader"], assessment=a)
    assert (signed.base_score, signed.feature_score, signed.passed) == (Decimal("77.5"), Decimal("5.5"), False)


def test_it_applies_each_items_rule(world):
    items = {i.title: i for i in SheetItem.objects.filter(section__sheet=world["sheet"])}
    assert services.item_score(items["标准执行"], Decimal(3)) == Decimal(14)  # 20 − 3 × 2
    assert services.item_score(items["标准执行"], Decimal(15)) == Decimal(0)  # never below zero
    assert services.item_score(items["实施记录"], Decimal(0)) == Decimal(0)
    assert services.item_score(items["实施记录"], Decimal(1)) == Decimal(7)
    assert services.item_score(items["目标与规划"], Decimal("4.5")) == Decimal("4.5")


def test_it_keeps_experts_apart_and_their_sheet_final(world):
    a = _pilot(world)
    _score(world, a, "leader", 90, 8)
    with pytest.raises(ConflictError):
        _score(world, a, "leader", 80, 8)
    with pytest.raises(Forbidden):  # not on the panel
        _score(world, a, "clerk", 80, 8)
    with pytest.raises(ConflictError) as early:  # two experts have not handed in
        services.assessment_sign(actor=world["leader"], assessment=a)
    assert "panel" in early.value.errors
    with pytest.raises(ActionForbidden):  # an expert who is not the organiser cannot sign
        services.assessment_sign(actor=world["officer"], assessment=a)
    with pytest.raises(ConflictError):
        services.assessment_report(actor=world["leader"], assessment=a)


@pytest.mark.parametrize("bad", ["abc", "-1", "99", "", "1e3", "Infinity"])
def test_it_refuses_marks_outside_an_items_range(world, bad):
    a = _pilot(world)
    layout = selectors.sheet_layout(sheet=world["sheet"])
    marks = marks_losing(layout, base_loss=10, feature_loss=1)
    item = next(i for _s, items in layout for i in items if i.title == "目标与规划")
    marks[item.pk] = bad
    with pytest.raises(DomainError) as refused:
        services.assessment_score(actor=world["leader"], assessment=a, marks=marks)
    assert f"item_{item.pk}" in refused.value.errors
    assert selectors.panel_member(assessment=a, user=world["leader"]).submitted_at is None


def test_it_checks_the_panel_and_the_subject(world):
    with pytest.raises(DomainError) as refused:
        services.assessment_create(actor=world["leader"], sheet=world["sheet"], subject_kind="x", subject="",
                                   title="t" * 81, held_on=None, method=Combination.TRIMMED_MEAN,
                                   experts=[world["leader"], world["officer"]])
    assert set(refused.value.errors) == {"subject_kind", "subject", "title", "held_on", "experts"}
    with pytest.raises(DomainError) as refused:  # a window clerk may not sit on a panel
        _pilot(world, experts=("leader", "officer", "clerk"))
    assert "experts" in refused.value.errors
    with pytest.raises(Forbidden):
        services.assessment_create(actor=world["officer"], sheet=world["sheet"], subject_kind="pilot", subject="x",
                                   title="x", held_on=dt.date(2026, 3, 1), experts=[world["leader"]])


def test_it_shows_an_assessment_to_its_街道_and_its_panel_only(world):
    a = _pilot(world)
    assert selectors.assessment_get(user=world["expert"], pk=a.pk) == a
    assert selectors.assessment_get(user=world["leader"], pk=a.pk) == a
    with pytest.raises(Http404):  # a committee worker is not 街道 staff (an assessment may be of a person)
        selectors.assessment_get(user=world["dunhua"], pk=a.pk)
    with pytest.raises(Http404):
        selectors.assessment_get(user=world["yinxing"], pk=a.pk)
    with pytest.raises(Http404):
        services.assessment_score(actor=world["yinxing"], assessment=a, marks={})


def test_it_takes_evidence_files_checked_by_content(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import pdf

    a = _pilot(world)
    saved = services.assessment_add_evidence(actor=world["leader"], assessment=a, files=[pdf("总结.pdf")])
    assert saved[0].content_type == "application/pdf" and saved[0].size > 0
    exe = SimpleUploadedFile("总结.pdf", b"MZ\x90\x00", content_type="application/pdf")
    with pytest.raises(DomainError):
        services.assessment_add_evidence(actor=world["leader"], assessment=a, files=[exe])
    with pytest.raises(Forbidden):
        services.assessment_add_evidence(actor=world["officer"], assessment=a, files=[pdf()])
