"""Builders for tests of the 大联动 module (unit, reliability and browser tests). State is built through the same
code the product uses."""

from __future__ import annotations

# A point inside 敦化第1网格 (121.530–121.535 E, 31.275–31.280 N) of the test tree, one in 控江第1网格, one outside.
DUNHUA = (31.2775, 121.5325)
KONGJIANG = (31.2775, 121.5375)
OUTSIDE = (31.3500, 121.6000)

def build_grid_centre(tree: dict, *, prefix: str = "") -> tuple:
    """The operations centre of the test tree's 街道: the case catalogue and process limits, the 敦化路 work station,
    one user per centre role and a 城管 unit handler (usernames `<prefix><role key>`, `<prefix>cgzf`).
    Returns (work station department, {role key: user})."""
    from shequ.core.choices import DepartmentKind, Role
    from shequ.core.models import Department
    from shequ.core.testing import make_user

    from .models import WorkStation
    from .taxonomy import ensure_process_limits, ensure_taxonomy

    ensure_taxonomy()
    ensure_process_limits()
    station = Department.objects.create(code="GZZ01", name="敦化路居民区网格工作站", short_name="敦化路工作站",
                                        kind=DepartmentKind.WORK_STATION, node=tree["dunhua"])
    WorkStation.objects.create(department=station, committee=tree["dunhua"])
    sub = tree["sub"]
    roles = {"operator": Role.OPS_OPERATOR, "shiftlead": Role.SHIFT_LEADER, "dispatcher": Role.DISPATCHER,
             "inspector": Role.INSPECTOR}
    users = {key: make_user(role, [sub], username=prefix + key) for key, role in roles.items()}
    users["cgzf"] = make_user(Role.DEPT_OFFICER, [sub], tree["chengguan"], username=prefix + "cgzf")
    return station, users


def report(env, *, user="inspector", category="E0102", point=DUNHUA, source=None, **kw):
    """A case reported by `env[user]` through the service (a report of 暴露垃圾 in 敦化路 by default, from the
    reporter's own channel: a patrol's patrol, a work station's station)."""
    from . import services

    actor = env[user]
    source = source or services.report_sources(actor)[0]
    return services.case_report(actor=actor, category=category, source=source,
                                description=kw.pop("description", "绿化带边有暴露垃圾"), lat=point[0], lng=point[1],
                                address=kw.pop("address", "敦化路100号"), **kw)


def inspection_sheet(name: str = "居民区督查", target: str = "area", items=(("处置", "处置到位", 30),)):
    """A supervision sheet (a targets scoring sheet of use 大联动督查) with points items: (section, title, points)."""
    from shequ.targets import services as targets
    from shequ.targets.selectors import Rule, SheetUse

    use = SheetUse.INSPECT_DEPARTMENT if target == "department" else SheetUse.INSPECT_AREA
    return targets.sheet_ensure(name=name, use=use, pass_line=0, sections=[
        (section, [(title, "", points, Rule.POINTS, None)]) for section, title, points in items])


def sheet_items(sheet) -> list:
    from shequ.targets import selectors as targets

    return [item for _s, items in targets.sheet_layout(sheet=sheet) for item in items]
