"""Demo staff files and trainings of 延吉新村街道's 社区事务受理服务中心 (统一招聘、统一培训、持证上岗).

Eleven generalist clerks were hired over the years as 社区工作者 (two through a 劳务派遣 agency), each trained on
every ticket category the windows 1–11 open with (A–E), so the seeded rota stays valid; the 综合咨询 (F) desk is
certified for some only. The 民生档案 certifications of the first intake expire within the coming weeks, and a
trainee hired last month holds only the 社保医保 items: the rota offers her for the windows that open with A.
Training dates are relative to the day of seeding, so the certifications are valid whenever the demo is built.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shequ.core import idcard
from shequ.core.choices import Role
from shequ.core.models import Department, User

from . import services
from .choices import ContractType, PostLevel
from .models import ClerkFile, ServiceItem, TrainingSession

LEVELS = [PostLevel.LEAD, PostLevel.SENIOR, PostLevel.SENIOR, PostLevel.MIDDLE, PostLevel.MIDDLE, PostLevel.MIDDLE,
          PostLevel.MIDDLE, PostLevel.JUNIOR, PostLevel.JUNIOR, PostLevel.JUNIOR, PostLevel.JUNIOR]
HIRED = ["2013-09-02", "2015-03-16", "2016-07-01", "2017-11-20", "2018-05-07", "2019-03-11", "2020-09-14",
         "2021-06-21", "2022-10-10", "2023-04-03", "2024-08-19"]
BIRTHS = ["19790614", "19830921", "19860305", "19880117", "19900728", "19911203", "19930410", "19941126",
          "19960302", "19970815", "19990521"]
# topic, category letters, hours, months before today, validity in months, trainer
TRAININGS = [
    ("全岗通岗前培训：社保医保类事项受理规范", "A", 6, 16, 36, "区社保中心 业务科"),
    ("民政救助类事项政策解读与受理要点", "B", 4, 15, 36, "街道社区服务办"),
    ("证件户籍类事项：居住证申领与户籍证明", "C", 3, 14, 36, "延吉新村派出所 户籍组"),
    ("民生档案查询出证与个人信息保护", "D", 3, 23, 24, "区档案馆 利用科"),
    ("住房保障与租赁备案受理", "E", 3, 13, 36, "区房管局 住房保障科"),
    ("综合咨询与绿色通道：代办帮办服务", "F", 2, 6, 24, "中心业务骨干 李敏"),
]
TRAINEE = ("clerk12", "沈佳怡", "20010909")


def _id_number(birth: str, seq: int) -> str:
    body = f"310110{birth}{seq:03d}"
    return body + idcard.check_char(body)


def _months_before(today: dt.date, months: int) -> dt.date:
    return services.training.add_months(today, -months)


def _term(hired: dt.date, today: dt.date, months: int) -> dt.date:
    """The start of the contract term running today (contracts renewed every `months` since hiring)."""
    start = hired
    while services.training.add_months(start, months) <= today:
        start = services.training.add_months(start, months)
    return start


def seed_staff(*, sub, clerks: list[User], supervisor: User, password: str, created: list) -> str:
    if TrainingSession.objects.filter(node=sub).exists():
        return ""
    from shequ.core.services import user_create

    today = timezone.localdate()
    slzx = Department.objects.filter(code="SLZX").first()
    trainee = User.objects.filter(username=TRAINEE[0]).first()
    if trainee is None:
        trainee = user_create(actor=None, username=TRAINEE[0], full_name=TRAINEE[1], role=Role.WINDOW_CLERK,
                              password=password, nodes=[sub], department=slzx, password_is_temporary=False)
        trainee.password_changed_at = timezone.now()
        trainee.save(update_fields=["password_changed_at"])
        created.append(trainee)
    for i, clerk in enumerate(clerks):
        hired = dt.date.fromisoformat(HIRED[i % len(HIRED)])
        dispatch = i in (7, 10)
        services.clerk_file_save(
            actor=None, node=sub, user=clerk, hired_on=hired,
            contract_type=ContractType.DISPATCH if dispatch else ContractType.LABOUR,
            post_level=LEVELS[i % len(LEVELS)],
            contract_number=f"YJXC-{'PQ' if dispatch else 'SG'}-{hired.year}-{i + 1:03d}",
            contract_start=_term(hired, today, 12 if dispatch else 36),
            contract_end=services.training.add_months(_term(hired, today, 12 if dispatch else 36),
                                                      12 if dispatch else 36) - dt.timedelta(days=1),
            id_number=_id_number(BIRTHS[i % len(BIRTHS)], 20 + i * 2 + (1 if i % 2 else 0)),
            note="窗口组长，负责新人带教" if i == 0 else "")
    hired_trainee = today - dt.timedelta(days=30)
    services.clerk_file_save(actor=None, node=sub, user=trainee, hired_on=hired_trainee,
                             contract_type=ContractType.LABOUR, post_level=PostLevel.TRAINEE,
                             contract_number=f"YJXC-SG-{hired_trainee.year}-012", contract_start=hired_trainee,
                             contract_end=services.training.add_months(hired_trainee, 36) - dt.timedelta(days=1),
                             id_number=_id_number(TRAINEE[2], 48), note="见习期六个月，由陈晓燕带教")
    items = {}
    for item in ServiceItem.objects.filter(is_active=True).select_related("queue_category"):
        items.setdefault(item.queue_category.letter, []).append(item)
    passed = 0
    for topic, letters, hours, before, valid, trainer in TRAININGS:
        covered = [i for letter in letters for i in items.get(letter, [])]
        if not covered:
            continue
        session = services.training_save(actor=supervisor, node=sub, topic=topic, date=_months_before(today, before),
                                         hours=hours, items=covered, trainer=trainer, valid_months=valid)
        results = []
        for i, clerk in enumerate(clerks):
            ok = letters != "F" or i % 3 == 0
            results.append({"user": clerk, "present": ok or i % 2 == 0, "passed": ok,
                            "score": 78 + (i * 7 + len(topic)) % 20 if ok else 55 + i})
        services.training_record(actor=supervisor, session=session, results=results)
        passed += sum(1 for r in results if r["passed"])
    induction = services.training_save(
        actor=supervisor, node=sub, topic="新进人员岗前培训：社保医保类事项", date=today - dt.timedelta(days=21),
        hours=8, items=items.get("A", []), trainer="窗口组长 陈晓燕", valid_months=24)
    services.training_record(actor=supervisor, session=induction,
                             results=[{"user": trainee, "present": True, "passed": True, "score": 86}])
    services.training_save(actor=supervisor, node=sub, topic="民政救助类事项（新人跟岗）",
                           date=today + dt.timedelta(days=14), hours=4, items=items.get("B", []),
                           trainer="街道社区服务办", valid_months=36)
    return f"；人员档案 {ClerkFile.objects.filter(node=sub).count()} 份，培训 {len(TRAININGS) + 2} 场"
