"""Demo data of 社会监督评议 for 延吉新村街道: the 人大代表 (蒋玉梅), the 行风政风监督员 (施建国) and the 督察队员
(屠志明) inspect the district departments' local units and the 街道's offices on two department sheets (the grid's
职能部门案件处置督查评分表 and a 窗口服务与行风测评表); two months of published scores, a dispute answered and one
waiting, and the coming week's inspections. Idempotent: a second run creates nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from shequ.core.demo import clock as _clock
from shequ.core.models import Department, User
from shequ.targets import services as targets
from shequ.targets.selectors import Rule, SheetUse

from . import selectors, services
from .models import Evaluation

WINDOW_SHEET = "窗口服务与行风测评表"
# (evaluator, department, topic, place, days ago (negative: to come), sheet, dispute)
PLAN = [
    ("renda", "CGZF", "人大代表视察：市容执法与窗口接待", "延吉中路城管执法中队接待室", 48, WINDOW_SHEET, None),
    ("ducha", "CGZF", "延吉中路菜场周边案件处置督察", "延吉中路菜场及周边", 40, "case", None),
    ("xingfeng", "SCJG", "行风暗访：食品安全投诉处理", "延吉市场监管所投诉受理窗口", 33, WINDOW_SHEET,
     ("暗访当日投诉系统故障，已于次日全部回复，请求不扣办事效率分。", "reject",
      "现场记录显示两件投诉超过承诺时限且未告知当事人，维持原分。")),
    ("ducha", "LHSR", "绿化养护与垃圾清运督察", "控江路645弄、延吉七村", 26, "case", None),
    ("renda", "FG", "老旧小区综合修缮投诉处理", "延吉房管办接待窗口", 19, WINDOW_SHEET,
     ("扣分的两件报修已在规定时限内上门，系居民不在家改约，附上门记录。", "uphold",
      "核实上门记录属实，办事效率项不扣分。")),
    ("xingfeng", "SLZX", "窗口服务行风测评", "延吉新村街道社区事务受理服务中心", 12, WINDOW_SHEET, None),
    ("xingfeng", "MZ", "养老服务补贴办理暗访", "民政科接待窗口", 8, WINDOW_SHEET,
     ("窗口当日系临时替岗人员，已加强培训。", None, "")),
    ("ducha", "PCS", "户籍窗口秩序与案件协同督察", "延吉新村派出所户籍窗口", 5, "case", None),
    ("renda", "MZ", "为老服务窗口视察", "民政科接待窗口", -3, WINDOW_SHEET, None),
    ("renda", "PCS", "社区警务与户籍窗口视察", "延吉新村派出所", -7, WINDOW_SHEET, None),
    ("xingfeng", "FG", "房屋维修资金使用公开情况暗访", "延吉房管办", -5, WINDOW_SHEET, None),
    ("ducha", "CGZF", "占道经营整治回头看", "延吉中路菜场门口", -1, "case", None),
]


def _window_sheet():
    return targets.sheet_ensure(name=WINDOW_SHEET, use=SheetUse.INSPECT_DEPARTMENT, pass_line=80, sections=[
        ("服务态度", [("首问负责、文明用语、耐心解答", "按表现给分", 20, Rule.POINTS, None)]),
        ("办事效率", [("按承诺时限办结，无推诿扯皮", "每发现一件超期或推诿扣5分", 25, Rule.DEDUCTION, 5)]),
        ("政务公开", [("办事指南、收费标准、投诉电话公示", "公示齐全得满分", 15, Rule.YES_NO, None)]),
        ("廉洁自律", [("无吃拿卡要、无违规收费", "发现一次不得分", 20, Rule.YES_NO, None)]),
        ("环境秩序", [("窗口整洁、标识清楚、秩序良好", "按现场情况给分", 20, Rule.POINTS, None)])])


def _marks(rng, sheet) -> dict:
    marks = {}
    for _s, items in selectors.sheet_layout(sheet):
        for item in items:
            if item.rule == Rule.YES_NO:
                marks[item.pk] = rng.choice([1, 1, 1, 1, 0])
            elif item.rule == Rule.DEDUCTION:
                marks[item.pk] = rng.choice([0, 0, 1, 1, 2])
            else:
                marks[item.pk] = max(0, int(item.max_points) - rng.choice([0, 1, 2, 3, 4]))
    return marks


def _at(day: dt.date, hour: int):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def seed(*, stdout, password: str, rng: random.Random) -> None:
    rng = random.Random(20261203)
    users = {u.username: u for u in User.objects.filter(username__in=[
        "leader", "shiftlead", "renda", "xingfeng", "ducha", "officer", "cgzf", "lhsr", "fg", "scjg",
        "pcs"])}
    if not all(k in users for k in ("leader", "renda", "xingfeng", "ducha")):
        stdout.write("  社会监督评议：缺少演示账号，跳过")
        return
    if Evaluation.objects.exists():
        return
    sheets = {WINDOW_SHEET: _window_sheet(), "case": selectors.evaluation_sheets().filter(
        name="职能部门案件处置督查评分表").first()}
    sheets["case"] = sheets["case"] or sheets[WINDOW_SHEET]
    depts = {d.code: d for d in Department.objects.filter(code__in={row[1] for row in PLAN})}
    officers = {u.department.code: u for u in users.values() if u.department_id and u.role == "dept_officer"}
    leader = users["leader"]
    today = timezone.localdate()
    made = 0
    for username, code, topic, place, days_ago, sheet_key, dispute in PLAN:
        department = depts.get(code)
        if department is None:
            continue
        day = today - dt.timedelta(days=days_ago)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1) if days_ago < 0 else -dt.timedelta(days=1)
        evaluator, sheet = users[username], sheets[sheet_key]
        scheduled_on = min(day - dt.timedelta(days=4), today) if days_ago > 0 else today
        with _clock(_at(scheduled_on, 9)):
            evaluation = services.evaluation_schedule(actor=leader, evaluator=evaluator, sheet=sheet,
                                                      department=department, topic=topic, place=place, date=day)
        made += 1
        if days_ago <= 0:
            continue
        with _clock(_at(day, 10)):
            services.evaluation_submit(actor=evaluator, evaluation=evaluation, marks=_marks(rng, sheet),
                                       note=rng.choice(["窗口整洁有序，个别办件超过承诺时限。", "总体情况良好，公示内容需及时更新。",
                                                        "现场问题已当场反馈，请限期整改。"]))
        officer = officers.get(code)
        if dispute is None or officer is None:
            continue
        reason, outcome, answer = dispute
        with _clock(_at(day + dt.timedelta(days=2), 14)):
            services.evaluation_dispute(actor=officer, evaluation=evaluation, reason=reason)
        if outcome is None:
            continue
        evaluation.refresh_from_db()
        with _clock(_at(day + dt.timedelta(days=4), 16)):
            if outcome == "uphold":
                services.evaluation_uphold(actor=users.get("shiftlead", leader), evaluation=evaluation, answer=answer,
                                           total=min(evaluation.full, evaluation.total + 10))
            else:
                services.evaluation_reject(actor=leader, evaluation=evaluation, answer=answer)
    stdout.write(f"  社会监督评议：测评 {made} 次（人大代表、行风政风监督员、督察队员）")
