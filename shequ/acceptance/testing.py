"""Builders for tests of the acceptance centre (unit tests and browser tests). State is built through the same
services the product uses."""

from __future__ import annotations


def build_centre(tree: dict, personas: dict) -> dict:
    """A small centre in 延吉新村街道: categories A/B, windows 1–3 (and window 1 of 殷行街道), a 承诺件 with key and
    acceptable-missing materials, a 30-working-day item, two 即办件 (one personal only) and a 城管 item."""
    from shequ.core.choices import Role
    from shequ.core.models import Department
    from shequ.core.testing import make_user

    from . import services
    from .models import ItemMaterial, QueueCategory, ServiceItem

    sub = tree["sub"]
    a = QueueCategory.objects.create(letter="A", name="社保医保", default_service_minutes=10, sort_order=1)
    b = QueueCategory.objects.create(letter="B", name="民政救助", default_service_minutes=15, sort_order=2)
    supervisor = make_user(Role.HALL_SUPERVISOR, [sub], username="supervisor")
    clerk2 = make_user(Role.WINDOW_CLERK, [sub], username="clerk2")
    other_clerk = make_user(Role.WINDOW_CLERK, [tree["other_sub"]], username="otherclerk")
    officer_other = make_user(Role.DEPT_OFFICER, [sub], tree["chengguan"], username="officer_cg")
    w1 = services.window_save(actor=supervisor, node=sub, number=1, name="综合受理", categories=[a, b])
    w2 = services.window_save(actor=supervisor, node=sub, number=2, name="综合受理", categories=[b, a])
    w3 = services.window_save(actor=supervisor, node=sub, number=3, name="社保", categories=[a])
    services.window_save(actor=supervisor, node=tree["other_sub"], number=1, name="综合受理", categories=[a, b])
    mz = tree["minzheng"]
    dibao = ServiceItem.objects.create(code="MZ-JZ-01", name="城乡居民最低生活保障申请", department=mz, category="社会救助",
                                       queue_category=b, mode="promise", limit_days=5, legal_limit_days=10)
    for i, (name, key) in enumerate([("居民身份证", True), ("户口簿", True), ("家庭成员收入证明", False)]):
        ItemMaterial.objects.create(item=dibao, name=name, is_key=key, original_required=key, sort_order=i)
    long_item = ServiceItem.objects.create(code="MZ-LN-01", name="敬老卡申领", department=mz, category="老年",
                                           queue_category=b, mode="promise", limit_days=30)
    ItemMaterial.objects.create(item=long_item, name="居民身份证", is_key=True)
    instant = ServiceItem.objects.create(code="MZ-CX-01", name="救助政策咨询", department=mz, category="咨询",
                                         queue_category=a, mode="instant", limit_days=0)
    ItemMaterial.objects.create(item=instant, name="居民身份证", is_key=True)
    personal = ServiceItem.objects.create(code="MZ-GS-01", name="证件挂失", department=mz, category="证件",
                                          queue_category=a, mode="instant", limit_days=0, agent_allowed=False)
    cg_item = ServiceItem.objects.create(code="CG-01", name="城管事项", department=tree["chengguan"], category="其他",
                                         queue_category=a, mode="promise", limit_days=5)
    Department.objects.create(code="DA", name="杨浦区档案馆", short_name="档案", node=tree["district"])
    certify(supervisor, sub, [personas["clerk"], clerk2, supervisor], [dibao, long_item, instant, personal, cg_item])
    return {"sub": sub, "A": a, "B": b, "w1": w1, "w2": w2, "w3": w3, "dibao": dibao, "long": long_item,
            "instant": instant, "personal": personal, "cg_item": cg_item, "supervisor": supervisor,
            "clerk": personas["clerk"], "clerk2": clerk2, "other_clerk": other_clerk, "officer": personas["officer"],
            "officer_other": officer_other, "materials": list(dibao.materials.all())}


def certify(actor, node, clerks, items, *, date=None, topic="全岗通综合业务培训", valid_months=60):
    """Certify clerks for items through a passed training (the rota seats only certified clerks)."""
    import datetime as dt

    from . import services

    session = services.training_save(actor=actor, node=node, topic=topic, date=date or dt.date(2025, 1, 6),
                                     hours=4, items=items, trainer="中心业务骨干", valid_months=valid_months)
    services.training_record(actor=actor, session=session,
                             results=[{"user": c, "present": True, "passed": True, "score": 90} for c in clerks])
    return session
