"""Reads of outside evaluations, scoped: an evaluator sees only the inspections given to him; a department's officer
only the published scores of his department; the 综管委办 (evaluators.manage) every evaluation of its 街道.
Anything else is 404. The department's composite (部门综合考评) combines the grid's 综合指标值 with the evaluators'
scores by the weights kept in `EvaluatorWeight`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shequ.core.choices import EVALUATOR_ROLES
from shequ.core.models import Department, User
from shequ.core.scoping import filter_by_scope, scoped_nodes
from shequ.grid import selectors as grid
from shequ.targets.selectors import SheetUse

from .choices import EvaluationStatus, EvaluatorKind
from .models import Evaluation, EvaluationPhoto, EvaluationScore, EvaluatorWeight

S = EvaluationStatus
# The scores a department sees and that count: a disputed score stands until the dispute is answered.
COUNTED = [S.PUBLISHED, S.DISPUTED]


def evaluation_list(*, user) -> QuerySet:
    qs = Evaluation.objects.select_related("department", "sheet", "evaluator").order_by("-scheduled_for", "-id")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.can("evaluators.manage"):
        return filter_by_scope(qs, user, "node")
    if user.can("evaluators.inspect"):
        return qs.filter(evaluator=user)
    if user.can("evaluators.dispute") and user.department_id:
        return filter_by_scope(qs, user, "node").filter(department_id=user.department_id, status__in=COUNTED)
    return qs.none()


def evaluation_filter(qs: QuerySet, *, status: str = "") -> QuerySet:
    return qs.filter(status=status) if status else qs


def evaluation_get(*, user, pk) -> Evaluation:
    try:
        return evaluation_list(user=user).get(pk=int(pk))
    except (Evaluation.DoesNotExist, ValueError, TypeError):
        raise Http404


def evaluation_visible(*, user, evaluation: Evaluation) -> bool:
    return evaluation_list(user=user).filter(pk=evaluation.pk).exists()


def evaluation_scores(*, evaluation: Evaluation) -> list[EvaluationScore]:
    return list(evaluation.scores.select_related("sheet_item", "sheet_item__section"))


def evaluation_photos(*, evaluation: Evaluation) -> list[EvaluationPhoto]:
    return list(evaluation.photos.all())


def photo_get(*, user, pk) -> EvaluationPhoto:
    try:
        photo = EvaluationPhoto.objects.get(pk=int(pk))
    except (EvaluationPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404
    evaluation_get(user=user, pk=photo.evaluation_id)  # 404 outside the user's evaluations
    return photo


def evaluation_sheets():
    """The active 大联动督查 sheets that score a department: the sheets an outside evaluator works on."""
    return grid.inspection_sheets().filter(use=SheetUse.INSPECT_DEPARTMENT)


def sheet_layout(sheet) -> list:
    return grid.inspection_sheet_layout(sheet)


def evaluators_for(*, user) -> QuerySet:
    """Whom `user` may give an inspection to: himself (an evaluator), or the evaluators of his 街道 (综管委办)."""
    qs = User.objects.filter(role__in=list(EVALUATOR_ROLES), is_active=True)
    if user.can("evaluators.manage"):
        return qs.filter(nodes__in=scoped_nodes(user)).distinct().order_by("role", "full_name")
    return qs.filter(pk=user.pk)


def departments():
    return Department.objects.filter(is_active=True).order_by("name")


# --- the department's composite (部门综合考评) ---------------------------------------------------------------------

def weights() -> dict[str, Decimal]:
    """The weight of each kind of evaluator (points of 100); a kind without a row counts nothing."""
    saved = dict(EvaluatorWeight.objects.values_list("kind", "weight"))
    return {kind: saved.get(kind, Decimal(0)) for kind in EvaluatorKind.values}


def _q(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class CompositeRow:
    department: Department
    grid: Decimal | None  # the grid's 综合指标值 (0–100), None without cases in the period
    parts: dict = field(default_factory=dict)  # kind → (average score rate, number of evaluations)
    weight_used: Decimal = Decimal(0)
    score: Decimal | None = None


def composite(grid_score, parts: dict, kind_weights: dict) -> tuple[Decimal | None, Decimal]:
    """部门综合得分 = 综合指标值 × (100 − W) ÷ 100 + Σ 权重ₖ × 评议平均得分率ₖ ÷ 100, W = the weights of the kinds
    that scored the department in the period. Without grid cases, the evaluators' weighted average alone; without
    either, None. Returns (score, W)."""
    used = {k: kind_weights[k] for k, (rate, n) in parts.items() if n and kind_weights.get(k)}
    total_weight = sum(used.values(), Decimal(0))
    evaluated = sum((used[k] * parts[k][0] for k in used), Decimal(0))
    if grid_score is None:
        return (_q(evaluated / total_weight) if total_weight else None), total_weight
    return _q(Decimal(str(grid_score)) * (100 - total_weight) / 100 + evaluated / 100), total_weight


def department_composites(*, user, start: dt.date, end: dt.date) -> list[CompositeRow]:
    """Each department's composite for the period, best first: every department for the 综管委办, one's own for a
    department officer."""
    kind_weights = weights()
    grid_rows = {r["key"]: r.get("score") for r in grid.evaluation_indicators(user=user, start=start, end=end,
                                                                               by="unit") if r["key"] is not None}
    scores = Evaluation.objects.filter(status__in=COUNTED, submitted_at__date__gte=start,
                                       submitted_at__date__lte=end)
    scores = filter_by_scope(scores, user, "node")
    if not user.can("evaluators.manage"):
        grid_rows = {k: v for k, v in grid_rows.items() if k == user.department_id}
        scores = scores.filter(department_id=user.department_id)
    sums: dict = {}
    for dept_id, kind, total, full in scores.values_list("department_id", "kind", "total", "full"):
        if total is None or not full:
            continue
        acc = sums.setdefault(dept_id, {}).setdefault(kind, [Decimal(0), 0])
        acc[0] += total * 100 / full
        acc[1] += 1
    ids = set(grid_rows) | set(sums)
    rows = []
    for dept in Department.objects.filter(pk__in=ids):
        parts = {k: (_q(s / n), n) for k, (s, n) in sums.get(dept.pk, {}).items()}
        row = CompositeRow(department=dept, grid=grid_rows.get(dept.pk), parts=parts)
        row.score, row.weight_used = composite(row.grid, parts, kind_weights)
        rows.append(row)
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.department.name))
    return rows


def composite_formula(kind_weights: dict | None = None) -> str:
    kind_weights = kind_weights if kind_weights is not None else weights()
    n = lambda v: f"{v.normalize():f}"  # noqa: E731
    terms = " + ".join(_("%(w)s × %(k)s平均得分率") % {"w": n(w), "k": EvaluatorKind(k).label}
                       for k, w in kind_weights.items() if w)
    if not terms:
        return _("部门综合得分 = 综合指标值（未设置社会监督评议权重）。")
    return _("部门综合得分（0–100）= 综合指标值 × (100 − W) ÷ 100 + (%(terms)s) ÷ 100；W 为期间内有评议得分的类别的"
             "权重之和，没有评议的类别不计权重；得分率 = 评议得分 ÷ 评分表满分 × 100%%；部门期间内没有网格案件时，"
             "按评议得分率加权平均。") % {"terms": terms}
