"""The portal's 到期提醒 fed by the family-doctor contracts: what runs out for me and the members I act for, from the modules that have end dates (family-doctor
contracts), and 申请续约 — once, only for my own people, told to the committee's workers."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from shequ.core.errors import ConflictError, DomainError
from shequ.core.models import AuditLog
from shequ.health import services as health_services
from shequ.portal import selectors, services


def make_account(username, resident=None):
    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.people.models import Resident

    account = services.account_for(make_user(Role.RESIDENT, username=username))
    if resident is not None:
        r = Resident.objects.get(pk=resident.pk)
        account = services.account_bind(account=account, name=r.name, id_number=r.id_number, consent=True)
    return account


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def family(people):
    # 李阿婆 lives alone in another household of the same committee: not someone 王建国 may act for.
    return {"head": people["head"], "father": people["father"], "sister": people["alone"],
            "neighbour": people["kj"]}


@pytest.fixture
def me(family):
    return make_account("me", family["head"])


@pytest.fixture
def other(family):
    return make_account("other", family["neighbour"])


@pytest.fixture
def contracts(tree, personas, family, health):
    """Contracts signed eleven months ago for one year: the head's and his father's are due in about a month,
    the neighbour's too; 李阿婆's was signed today (not due)."""
    doctors = health
    today = timezone.localdate()
    start = today - dt.timedelta(days=335)
    out = {}
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(start, dt.time(10, 0))), tick=False):
        for key in ("head", "father"):
            out[key] = health_services.contract_sign(actor=personas["dunhua"], resident=family[key], doctor=doctors["shen"],
                                            start_date=start, end_date=start.replace(year=start.year + 1))
        out["neighbour"] = health_services.contract_sign(actor=personas["kongjiang"], resident=family["neighbour"],
                                                doctor=doctors["shen"], start_date=start,
                                                end_date=start.replace(year=start.year + 1))
    out["sister"] = health_services.contract_sign(actor=personas["dunhua"], resident=family["sister"], doctor=doctors["shen"],
                                         start_date=today, end_date=today.replace(year=today.year + 1))
    return out


@pytest.mark.django_db
def test_it_lists_what_is_due_for_me_and_my_parent_but_not_my_sister_or_neighbour(me, contracts):
    keys = [row["due"].key for row in selectors.due_items(account=me)]
    assert sorted(keys) == sorted(f"health.contract:{contracts[k].pk}" for k in ("head", "father"))
    assert all(not row["asked"] and 0 < row["days"] <= 60 for row in selectors.due_items(account=me))
    assert selectors.due_items(account=make_account("unbound")) == []


@pytest.mark.django_db
def test_a_renewal_request_is_recorded_once_told_to_the_committee_and_says_who_acted(
        me, other, contracts, personas, family, django_capture_on_commit_callbacks):
    father = f"health.contract:{contracts['father'].pk}"
    with django_capture_on_commit_callbacks(execute=True):
        request = services.renewal_request(account=me, key=father)
    assert request.for_resident_id == family["father"].pk
    log = AuditLog.objects.get(object_type="portal.renewalrequest", object_id=str(request.pk))
    assert log.detail["acting_for"] == family["father"].pk and log.detail["acting_by"] == family["head"].pk
    assert contracts["father"].events.filter(action="renew_request").exists()
    assert personas["dunhua"].notifications.filter(title__contains="续约").exists()
    assert not personas["kongjiang"].notifications.filter(title__contains="续约").exists()
    assert me.user.notifications.filter(title__contains="已提交续约申请").exists()
    with pytest.raises(ConflictError):
        services.renewal_request(account=me, key=father)
    assert [row["asked"] for row in selectors.due_items(account=me) if row["due"].key == father] == [True]
    # Another resident's contract, my sister's (not one I act for), a made-up key: all the same refusal.
    for key in (f"health.contract:{contracts['neighbour'].pk}", f"health.contract:{contracts['sister'].pk}",
                "health.contract:999999", "", "x" * 500):
        with pytest.raises(DomainError, match="没有找到可续约的事项"):
            services.renewal_request(account=me, key=key)
    assert AuditLog.objects.filter(object_type="portal.renewalrequest").count() == 1


@pytest.mark.django_db
def test_the_due_page_and_tile(me, other, contracts, client):
    client.force_login(me.user)
    body = client.get("/m/").content.decode()
    assert "到期提醒" in body
    page = client.get("/m/due/").content.decode()
    assert "家庭医生签约" in page and "申请续约" in page and "王老伯" in page
    response = client.post("/m/due/", {"key": f"health.contract:{contracts['head'].pk}"}, follow=True)
    assert "续约申请已提交" in response.content.decode() and "已申请续约" in response.content.decode()
    response = client.post("/m/due/", {"key": f"health.contract:{contracts['neighbour'].pk}"}, follow=True)
    assert response.status_code == 200 and "没有找到可续约的事项" in response.content.decode()
    assert "家庭医生签约" in client.get("/m/notices/").content.decode()
    client.force_login(other.user)
    assert "王老伯" not in client.get("/m/due/").content.decode()
