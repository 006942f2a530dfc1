"""The default meal subsidy table: Putuo District's published example (Dec 2025), see the tier table's help."""

from decimal import Decimal as D

PUTUO_DEFAULT = [
    # name, min_age, max_age, tag, shanghai_hukou_only, discount %, subsidy, threshold, dine_in_only, sort
    ("60–79岁九折", 60, 79, "", False, D("10"), D("0"), D("0"), False, 10),
    ("80岁以上八五折", 80, None, "", False, D("15"), D("0"), D("0"), False, 20),
    ("A 低保老人补贴", 60, None, "dibao", True, D("0"), D("5.00"), D("8.00"), True, 30),
    ("B 60–79岁补贴", 60, 79, "", True, D("0"), D("2.00"), D("15.00"), True, 40),
    ("C 80岁以上补贴", 80, None, "", True, D("0"), D("3.00"), D("15.00"), True, 50),
]


def ensure_default_tiers(model) -> int:
    """Create the default rows when the table is empty (never overwrites the administrator's table)."""
    if model.objects.exists():
        return 0
    model.objects.bulk_create([
        model(name=n, min_age=lo, max_age=hi, tag=tag, shanghai_hukou_only=hk, discount_percent=pct, subsidy=sub,
              subsidy_threshold=th, dine_in_only=dine, sort_order=order)
        for n, lo, hi, tag, hk, pct, sub, th, dine, order in PUTUO_DEFAULT])
    return len(PUTUO_DEFAULT)
