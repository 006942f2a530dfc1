"""The targets and the scoring sheet the seed sets, as data a 街道 starts from (the demo and the tests load them;
an administrator edits them in the admin afterwards).

低碳延吉 (the three-year low-carbon plan): awareness 75 %, eco-practice 70 %, waste sorting 30 %, 2,000
environmental volunteers, satisfaction 75 %, "five savings" 75 %, green travel 70 %, 1,000 eco households, 20,000
participations. 两下降两提高 of the grid mechanism: 返工率 and 延期率 down, 结案率 and 按期结案率 up.

The environmental volunteers and the participations are computed by the volunteers and events modules
(`volunteers.environment`, `events.participations`, declared in their `registry.py`, see `hooks.py`)."""

from __future__ import annotations

from decimal import Decimal

from .choices import Combine, Direction, Measure, Part, PeriodKind, Rule, SheetUse, Source
from .models import Indicator, ScoreSheet, SheetItem, SheetSection

LOW_CARBON = "低碳延吉"
GRID = "两下降两提高"
SERVICES = "民生服务"

# code, name, group, unit, baseline, target, direction, source, computer, combine, owner
INDICATORS = [
    ("lc-awareness", "低碳知识知晓率", LOW_CARBON, "%", "60", "75", Direction.HIGHER, Source.ENTERED, "",
     Combine.MEAN, "自治办"),
    ("lc-practice", "低碳行为践行率", LOW_CARBON, "%", "52", "70", Direction.HIGHER, Source.ENTERED, "",
     Combine.MEAN, "自治办"),
    ("lc-sorting", "生活垃圾分类减量率", LOW_CARBON, "%", "18", "30", Direction.HIGHER, Source.ENTERED, "",
     Combine.MEAN, "管理办"),
    ("lc-volunteers", "环保志愿者人数", LOW_CARBON, "人", "800", "2000", Direction.HIGHER, Source.COMPUTED,
     "volunteers.environment", Combine.SUM, "自治办"),
    ("lc-satisfaction", "居民满意度（受理中心好评率）", LOW_CARBON, "%", "70", "75", Direction.HIGHER,
     Source.COMPUTED, "acceptance.good_rate", Combine.MEAN, "受理中心"),
    ("lc-five-savings", "“五节”行动参与率", LOW_CARBON, "%", "55", "75", Direction.HIGHER, Source.ENTERED, "",
     Combine.MEAN, "自治办"),
    ("lc-green-travel", "绿色出行比例", LOW_CARBON, "%", "58", "70", Direction.HIGHER, Source.ENTERED, "",
     Combine.MEAN, "管理办"),
    ("lc-eco-households", "生态文明户", LOW_CARBON, "户", "300", "1000", Direction.HIGHER, Source.COMPUTED,
     "targets.eco_households", Combine.SUM, "自治办"),
    ("lc-participation", "低碳活动参与人次", LOW_CARBON, "人次", "6000", "20000", Direction.HIGHER, Source.COMPUTED,
     "events.participations", Combine.SUM, "自治办"),
    ("grid-rework", "网格案件返工率", GRID, "%", "8", "5", Direction.LOWER, Source.COMPUTED, "grid.rework_rate",
     Combine.MEAN, "城运中心"),
    ("grid-extension", "网格案件延期率", GRID, "%", "12", "8", Direction.LOWER, Source.COMPUTED,
     "grid.extension_rate", Combine.MEAN, "城运中心"),
    ("grid-close", "网格案件结案率", GRID, "%", "90", "95", Direction.HIGHER, Source.COMPUTED, "grid.close_rate",
     Combine.MEAN, "城运中心"),
    ("grid-on-time", "网格案件按期结案率", GRID, "%", "85", "90", Direction.HIGHER, Source.COMPUTED,
     "grid.on_time_rate", Combine.MEAN, "城运中心"),
    ("svc-family-doctor", "家庭医生签约覆盖率", SERVICES, "%", "35", "45", Direction.HIGHER, Source.COMPUTED,
     "health.coverage", Combine.MEAN, "卫健办"),
]

PILOT_SHEET = "公共机构节能标准化试点验收评分表"
# (part, section, [(item, requirement, points, rule, deduction)])
PILOT_SECTIONS = [
    (Part.BASE, "一、试点基础", [
        ("目标与规划", "试点目标明确，实施方案完整", "5", Rule.POINTS, None),
        ("组织机构", "成立试点领导小组，职责分工明确", "4", Rule.POINTS, None),
        ("管理制度", "建立节能管理制度并发布", "4", Rule.POINTS, None),
        ("保障措施", "经费、人员、设施保障到位", "7", Rule.POINTS, None),
    ]),
    (Part.BASE, "二、试点实施", [
        ("标准体系结构图", "体系结构合理、层次清晰", "3", Rule.POINTS, None),
        ("标准明细表", "标准齐全，附编制说明", "6", Rule.POINTS, None),
        ("体现试点特点", "标准体系体现本单位特点", "6", Rule.POINTS, None),
        ("标准执行", "现场检查，每发现一处未按标准执行扣2分", "20", Rule.DEDUCTION, "2"),
        ("宣贯培训", "开展标准宣贯和岗位培训", "8", Rule.POINTS, None),
        ("实施记录", "能源计量、巡检记录完整可查", "7", Rule.YES_NO, None),
    ]),
    (Part.BASE, "三、试点成效", [
        ("节能指标完成", "单位面积能耗、人均能耗达到目标", "15", Rule.POINTS, None),
        ("社会效益", "干部职工节能意识提高，反映良好", "8", Rule.POINTS, None),
        ("示范推广", "经验做法被推广或报道", "7", Rule.POINTS, None),
    ]),
    (Part.FEATURE, "四、特色创新", [
        ("特色做法", "有创新的节能管理做法", "6", Rule.POINTS, None),
        ("可复制推广", "做法可在同类机构复制", "4", Rule.POINTS, None),
    ]),
]


def indicators_ensure(*, node, start_year: int, grid_year: int) -> list[Indicator]:
    """The seed's targets for the 街道 `node` (idempotent): 低碳延吉 as a three-year plan from `start_year`,
    两下降两提高 and the family-doctor coverage for `grid_year`."""
    rows = []
    for order, (code, name, group, unit, baseline, target, direction, source, computer, combine, owner) in \
            enumerate(INDICATORS):
        plan = group == LOW_CARBON
        indicator, _created = Indicator.objects.get_or_create(node=node, code=code, defaults=dict(
            name=name, group=group, unit=unit, baseline=Decimal(baseline), target=Decimal(target),
            period_kind=PeriodKind.PLAN if plan else PeriodKind.YEAR,
            start_year=start_year if plan else grid_year, end_year=start_year + 2 if plan else grid_year,
            direction=direction, source=source, computer=computer, combine=combine, owner_name=owner,
            sort_order=order))
        rows.append(indicator)
    return rows


def pilot_sheet_ensure() -> ScoreSheet:
    sheet, created = ScoreSheet.objects.get_or_create(name=PILOT_SHEET, defaults=dict(
        pass_line=Decimal(80), description="基本分100分（合格线80分），特色分10分"))
    if created:
        for order, (part, title, items) in enumerate(PILOT_SECTIONS):
            section = SheetSection.objects.create(sheet=sheet, part=part, title=title, order=order)
            SheetItem.objects.bulk_create([
                SheetItem(section=section, title=t, requirement=r, max_points=Decimal(p), rule=rule,
                          deduction=Decimal(d) if d else None, order=i)
                for i, (t, r, p, rule, d) in enumerate(items)])
    return sheet


def marks_losing(layout, *, base_loss, feature_loss) -> dict[int, str]:
    """Marks for the whole sheet that fall short of full points by `base_loss` and `feature_loss`: one occurrence
    on each deduction item, every yes/no item met, the rest taken off the points items in order."""
    marks: dict[int, str] = {}
    loss = {Part.BASE: Decimal(base_loss), Part.FEATURE: Decimal(feature_loss)}
    for section, items in layout:
        for item in items:
            if item.rule == Rule.DEDUCTION:
                occurrences = 1 if loss[section.part] >= item.deduction else 0
                loss[section.part] -= occurrences * item.deduction
                marks[item.pk] = str(occurrences)
            elif item.rule == Rule.YES_NO:
                marks[item.pk] = "1"
    points = [(section.part, item) for section, items in layout for item in items if item.rule == Rule.POINTS]
    given = {item.pk: item.max_points for _part, item in points}
    # Half a point at a time round the items, so the shortfall is spread as experts spread it.
    step = Decimal("0.5")
    while any(loss.values()):
        moved = False
        for part, item in points:
            if loss[part] >= step and given[item.pk] - step >= item.max_points / 2:
                given[item.pk] -= step
                loss[part] -= step
                moved = True
        if not moved:
            break
    marks.update({pk: str(value) for pk, value in given.items()})
    return marks


# The acceptance centre's monthly clerk score as a sheet scored from data (扣分制): today's rule, 100 − 5 per case
# still overdue − 2 per 差评, floored at 0; attendance and 一次告知 errors counted with a deduction of 0 until the
# centre sets one.
CLERK_SHEET = "受理员月度考核表"
# section, item, requirement, max points, deduction, measure
CLERK_ITEMS = [
    ("一、办件时效", "超期未办结", "统计日仍在办且已过承诺办结期限的办件，每件扣5分", "40", "5", Measure.OVERDUE),
    ("二、服务评价", "差评", "当月收到的差评（一星、二星），申诉成立的不计，每个扣2分", "30", "2", Measure.POOR),
    ("三、劳动纪律", "排班未到岗", "排班的半天内没有任何叫号记录，每半天扣分（默认0分）", "15", "0", Measure.ABSENT),
    ("四、一次告知", "一次告知差错", "受理后被部门退回补正的办件，每件扣分（默认0分）", "15", "0", Measure.NOTICE_ERROR),
]


def clerk_sheet_ensure() -> ScoreSheet:
    """The clerk sheet (idempotent): the migration creates it; the tests call this after a flush."""
    sheet = ScoreSheet.objects.filter(use=SheetUse.CLERK_MONTH, is_active=True).first()
    if sheet is not None:
        return sheet
    sheet = ScoreSheet.objects.create(name=CLERK_SHEET, use=SheetUse.CLERK_MONTH, deduct_from_total=True,
                                      pass_line=Decimal(60), description="满分100分，按月从数据扣分，最低0分")
    for order, (title, item, requirement, points, deduction, measure) in enumerate(CLERK_ITEMS):
        section = SheetSection.objects.create(sheet=sheet, part=Part.BASE, title=title, order=order)
        SheetItem.objects.create(section=section, title=item, requirement=requirement, max_points=Decimal(points),
                                 rule=Rule.DEDUCTION, deduction=Decimal(deduction), measure=measure, order=0)
    return sheet
