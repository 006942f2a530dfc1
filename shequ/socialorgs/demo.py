"""Demo data of 三社联动: the 12 social organisations the 街道 brought in or incubated at its 社会组织服务中心
(2011–2012, as the seed page tells; the five it names are real names, the others synthetic), their incubations,
the purchased-service management contracts of 延吉志愿中心 (run by 青年家园民间组织服务中心) and of the 睦邻中心
(run by 上海知行社会工作服务社), and the learning festival's four service projects claimed by eight companies.
The seed lists the four projects and the eight companies in order without pairing them: two companies per project
in that order is our reading. Idempotent: a second run creates nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from shequ.core.choices import NodeKind, Role
from shequ.core.models import Node, User

from . import services
from .models import ClaimProject, Organisation, Project

# (name, kind, registration number, rating, committees by name prefix, contact, description)
ORGANISATIONS = [
    ("青年家园民间组织服务中心", "nonprofit", "52310110MJ4981001A", "5A", [], "林晓雯",
     "市志愿服务专业机构，2011年起以政府购买服务方式管理延吉志愿中心，设计志愿服务项目。"),
    ("上海知行社会工作服务社", "nonprofit", "52310110MJ4981002B", "4A", ["延吉七村", "延吉五六村"], "顾文杰",
     "对社区社会服务中心和睦邻中心开展专业管理。"),
    ("上海慈善教育培训中心", "nonprofit", "52310110MJ4981003C", "4A", [], "沈静",
     "为延吉大学生创业家园提供专业的创业指导。"),
    ("新途健康促进社", "nonprofit", "52310110MJ4981004D", "3A", ["敦化路", "控江五村"], "许明",
     "与社区卫生服务中心共同推出家庭健康顾问。"),
    ("延吉文体俱乐部", "association", "51310110MJ4981005E", "3A", [], "马骏",
     "由专业体育人才组成，以项目化购买服务参与社区体育工作。"),
    ("延吉社区家庭文明建设指导中心", "nonprofit", "52310110MJ4981006F", "", [], "陈红",
     "低碳社区与家庭文明建设，组建志愿者讲师队伍。"),
    ("延吉睦邻读书会", "community", "", "", ["延吉二三村"], "周慧", "社区居民读书分享。"),
    ("延吉邻里调解工作室", "community", "", "", ["延吉四村", "延吉一村"], "李国平", "邻里纠纷调解。"),
    ("控江五村助老服务社", "community", "", "", ["控江五村"], "吴敏", "独居老人探访与助老服务。"),
    ("延吉七村手工编织社", "community", "", "", ["延吉七村"], "杨秀珍", "手工编织义卖，所得捐慈善超市。"),
    ("延吉社区合唱团", "community", "", "", ["舒兰路"], "郭丽", "社区文化团队。"),
    ("松花江路低碳环保志愿服务队", "community", "", "", ["松花江路"], "黄伟", "低碳环保宣传与实践。"),
]

FESTIVAL = "江浦路社区第八届学习节"
CLAIMS = [
    ("星尚文化", "音乐夏令营、电影欣赏等文化活动", [
        ("上海金逸国际影城", "venue", "影厅及公益观影场次", None, ("公益观影专场", 120)),
        ("上海罗兰数字音乐学校", "skills", "音乐夏令营师资", None, ("音乐夏令营", 36))]),
    ("韵动生活", "轮滑、台球等运动体验", [
        ("上海丁俊晖台球俱乐部有限公司", "venue", "球台与场地，白领台球赛", None, ("白领台球赛", 48)),
        ("上海咕噜咕噜体育发展有限公司", "skills", "轮滑教练与护具", None, ("公益轮滑体验", 60))]),
    ("卓·儿·不群", "青少年学习与成长", [
        ("上海标杆教育有限公司", "skills", "青少年学习辅导", None, ("暑期学习辅导", 40)),
        ("上海宝悦教育科技有限公司", "goods", "学习用品与科普器材", None, None)]),
    ("“智汇”港湾", "白领与居民的学习交流空间（白领慧庭、江浦社区创新屋）", [
        ("上海宝地置业有限公司", "money", "学习空间布置经费", "20000.00", None),
        ("上海上实物业管理有限公司", "volunteers", "员工志愿者参与活动保障", None, ("学习节开幕式保障", 25))]),
]


def _festival_day(today: dt.date) -> dt.date:
    day = dt.date(today.year, 7, 25)
    return day if day <= today else dt.date(today.year - 1, 7, 25)


def seed(*, stdout, password: str, rng: random.Random) -> None:
    officer = User.objects.filter(username="officer", role=Role.DEPT_OFFICER).first()
    leader = User.objects.filter(username="leader", role=Role.LEADER).first()
    workers = list(User.objects.filter(username__in=["dunhua", "kongjiang"]).order_by("username"))
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT, name__startswith="延吉").first()
    if officer is None or leader is None or sub is None or len(workers) < 2:
        stdout.write("  社会组织：没有演示账号或延吉新村街道，跳过")
        return
    if Organisation.objects.filter(name=ORGANISATIONS[0][0]).exists():
        stdout.write("  社会组织：已有演示数据")
        return
    today = timezone.localdate()
    committees = list(Node.objects.filter(kind=NodeKind.COMMITTEE, parent=sub))
    orgs = {}
    for name, kind, regno, rating, serves, contact, description in ORGANISATIONS:
        chosen = [c for c in committees if any(c.name.startswith(p) for p in serves)]
        orgs[name] = services.organisation_create(
            actor=officer, node=sub, name=name, kind=kind, registration_number=regno, rating=rating,
            rating_valid_until=dt.date(2028, 12, 31) if rating else None, contact_name=contact,
            contact_phone=f"1391602{rng.randint(1000, 9999)}", description=description, committees=chosen)
    _incubations(officer, orgs, today)
    _purchases(officer, leader, workers, orgs, sub, today)
    _claims(officer, sub, today)
    stdout.write(f"  社会组织：{len(orgs)} 家，购买服务项目 {Project.objects.count()} 个，"
                 f"认领项目 {ClaimProject.objects.count()} 个")


def _incubations(officer, orgs, today):
    for name, outcome in (("延吉睦邻读书会", "graduated"), ("延吉邻里调解工作室", "graduated"),
                          ("控江五村助老服务社", "incubating"), ("松花江路低碳环保志愿服务队", "applied"),
                          ("延吉七村手工编织社", "withdrawn")):
        start = today - dt.timedelta(days=400 if outcome == "graduated" else 90)
        inc = services.incubation_apply(actor=officer, organisation=orgs[name], applied_on=start,
                                        plan="申请入驻社会组织服务中心，获得场地、培训与项目指导。")
        if outcome == "applied":
            continue
        if outcome == "withdrawn":
            services.incubation_withdraw(actor=officer, incubation=inc, reason="骨干成员变动，申请人撤回申请",
                                         on=start + dt.timedelta(days=10))
            continue
        inc = services.incubation_admit(actor=officer, incubation=inc, mentor="顾文杰", note="符合公益性、草根性",
                                        on=start + dt.timedelta(days=5))
        for offset, title in ((60, "完成内部治理制度"), (180, "独立开展三次以上活动"), (300, "完成备案或登记")):
            milestone = services.milestone_add(actor=officer, incubation=inc, title=title,
                                               due_on=start + dt.timedelta(days=offset))
            if outcome == "graduated" or offset == 60:
                services.milestone_complete(actor=officer, milestone=milestone,
                                            on=min(today, start + dt.timedelta(days=offset - 5)))
        if outcome == "graduated":
            services.incubation_graduate(actor=officer, incubation=inc, reason="节点全部完成，能独立运作",
                                         on=start + dt.timedelta(days=330))


def _run(officer, leader, experts, sub, title, category, need, budget, proposals, scores):
    project = services.project_create(actor=officer, node=sub, title=title, category=category, need=need,
                                      budget=budget)
    services.project_experts_set(actor=officer, project=project, experts=experts)
    services.project_publish(actor=officer, project=project, call_deadline=timezone.localdate())
    made = [services.proposal_submit(actor=officer, project=project, organisation=org, summary=summary,
                                     budget=amount) for org, summary, amount in proposals]
    if scores is None:
        return project, made
    services.project_close_call(actor=officer, project=project)
    for expert, row in zip(experts, scores):
        for proposal, value in zip(made, row):
            services.score_submit(actor=expert, proposal=proposal, score=value)
    project = services.project_award(actor=leader, project=project)
    return project, made


def _purchases(officer, leader, workers, orgs, sub, today):
    experts = [leader, *workers]
    youth, zhixing = orgs["青年家园民间组织服务中心"], orgs["上海知行社会工作服务社"]
    last_year = today.year - 1
    # 延吉志愿中心, last year's contract: carried out and appraised; its appraisal is what this year's panel reads.
    project, _made = _run(officer, leader, experts, sub, f"延吉志愿中心专业管理（{last_year}年度）", "志愿服务",
                          "委托专业机构管理延吉志愿中心：设计志愿服务项目，规范志愿者招募、培训和记录。", "300000.00",
                          [(youth, "平安、市容卫生、扶贫帮困三类志愿服务项目设计与运营。", "288000.00"),
                           (orgs["延吉社区家庭文明建设指导中心"], "以低碳家庭为主线的志愿服务运营。", "260000.00")],
                          [["92", "80"], ["90", "78"], ["88", "83"]])
    services.project_sign(actor=officer, project=project, amount="288000.00",
                          signed_on=dt.date(last_year, 1, 10), starts_on=dt.date(last_year, 1, 15),
                          ends_on=dt.date(last_year, 12, 31),
                          instalments=[("115200.00", "signing"), ("115200.00", "midterm"), ("57600.00", "final")])
    services.project_midterm(actor=officer, project=project, passed=True, note="中期报告及活动记录齐全，电话抽查满意。")
    services.project_final(actor=officer, project=project, passed=True, note="全年开展志愿服务项目12个，结项通过。")
    services.project_appraise(actor=officer, project=project, grade="excellent", score="92.50",
                              note="志愿者队伍规范化、常态化，居民满意度高。")
    # 睦邻中心: this year's contract, the mid-term review failed (late report): the second instalment is held.
    project, _made = _run(officer, leader, experts, sub, f"延吉社区睦邻中心专业管理（{today.year}年度）", "社区服务",
                          "委托专业社会组织对延吉社区睦邻中心实施专业化、规范化管理。", "500000.00",
                          [(zhixing, "睦邻中心日常运营、功能室管理和特色活动。", "480000.00"),
                           (orgs["新途健康促进社"], "以健康促进为特色的睦邻中心运营。", "450000.00")],
                          [["90", "85"], ["87", "86"], ["89", "80"]])
    services.project_sign(actor=officer, project=project, amount="480000.00",
                          signed_on=dt.date(today.year, 1, 8), starts_on=dt.date(today.year, 1, 10),
                          ends_on=dt.date(today.year, 12, 31),
                          instalments=[("192000.00", "signing"), ("192000.00", "midterm"), ("96000.00", "final")])
    services.project_midterm(actor=officer, project=project, passed=False,
                             note="中期报告逾期未交，按规定视为不通过，暂停拨付二期款项。")
    # 延吉志愿中心, this year's call: proposals received, the panel will read last year's appraisal.
    _run(officer, leader, experts, sub, f"延吉志愿中心专业管理（{today.year + 1}年度）", "志愿服务",
         "续签延吉志愿中心专业管理，增加为老志愿服务项目。", "320000.00",
         [(youth, "延续三类志愿服务项目，新增助老结对。", "310000.00"),
          (orgs["延吉社区家庭文明建设指导中心"], "低碳家庭与为老服务结合的志愿项目。", "290000.00")], None)


def _claims(officer, sub, today):
    day = _festival_day(today)
    for title, description, claimants in CLAIMS:
        project = services.claim_project_create(actor=officer, node=sub, event=FESTIVAL, title=title,
                                                description=description, needs="资金、场地、物资、技术或志愿者",
                                                published_on=day - dt.timedelta(days=20))
        for claimant, kind, what, amount, activity in claimants:
            claim = services.claim_record(actor=officer, project=project, claimant=claimant, claimed_on=day,
                                          contributions=[{"kind": kind, "description": what, "amount": amount}])
            if activity:
                services.claim_activity_add(actor=officer, claim=claim, title=activity[0],
                                            held_on=min(today, day + dt.timedelta(days=7)),
                                            participants=activity[1])
