import datetime as dt

import pytest

from shequ.core.choices import Role
from shequ.core.testing import make_user


@pytest.fixture
def so(tree, personas):
    """A registered organisation serving 敦化路 and one serving 控江路, both of 延吉新村街道; one of 殷行街道; three
    experts (the leader, a second leader, the 敦化 worker) and an officer of 城管 (no 社会组织 work)."""
    from shequ.socialorgs import services

    officer = personas["officer"]
    other_officer = make_user(Role.DEPT_OFFICER, [tree["other_sub"]], tree["minzheng"], username="officer_yx")
    cg = make_user(Role.DEPT_OFFICER, [tree["sub"]], tree["chengguan"], username="cg")
    leader2 = make_user(Role.LEADER, [tree["sub"]], username="leader2")
    a = services.organisation_create(actor=officer, node=tree["sub"], name="青年家园民间组织服务中心", kind="nonprofit",
                                     registration_number="52310110MJ0000001X", rating="4A",
                                     rating_valid_until=dt.date(2029, 12, 31), contact_name="林琳",
                                     contact_phone="13912345678", committees=[tree["dunhua"]])
    b = services.organisation_create(actor=officer, node=tree["sub"], name="上海知行社会工作服务社", kind="nonprofit",
                                     registration_number="52310110MJ0000002X", committees=[tree["kongjiang"]])
    c = services.organisation_create(actor=other_officer, node=tree["other_sub"], name="殷行睦邻互助会",
                                     kind="community", committees=[tree["yinxing"]])
    return {"a": a, "b": b, "c": c, "officer": officer, "other_officer": other_officer, "cg": cg,
            "leader": personas["leader"], "leader2": leader2, "dunhua": personas["dunhua"]}


@pytest.fixture
def scoring(so, tree):
    """A project in expert review with two proposals and a panel of three."""
    from shequ.socialorgs import services

    officer = so["officer"]
    project = services.project_create(actor=officer, node=tree["sub"], title="延吉志愿中心专业管理",
                                      category="志愿服务", need="委托专业机构管理志愿中心。", budget="300000.00")
    services.project_experts_set(actor=officer, project=project,
                                 experts=[so["leader"], so["leader2"], so["dunhua"]])
    services.project_publish(actor=officer, project=project, call_deadline=dt.date.today() + dt.timedelta(days=10))
    pa = services.proposal_submit(actor=officer, project=project, organisation=so["a"], summary="方案甲",
                                  budget="280000.00")
    pb = services.proposal_submit(actor=officer, project=project, organisation=so["b"], summary="方案乙",
                                  budget="260000.00")
    services.project_close_call(actor=officer, project=project)
    project.refresh_from_db()
    return {"project": project, "pa": pa, "pb": pb}
