"""The public claim form (认领申请): a company claims a published project without a login; the claim waits as
pending until the publishing unit's staff confirm it (then it is a claim on the thank-you list) or decline it with
a reason. Bad input, a closed project, duplicates and staff of another 街道 are refused."""

import pytest
from django.urls import reverse

from shequ.core.audit import AuditLog
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.socialorgs import selectors, services
from shequ.socialorgs.models import Claim, ClaimRequest

pytestmark = pytest.mark.django_db


def credit_code(body: str) -> str:
    chars, weights = services.CREDIT_CODE_CHARS, services.CREDIT_CODE_WEIGHTS
    total = sum(chars.index(c) * w for c, w in zip(body, weights))
    return body + chars[(31 - total % 31) % 31]


@pytest.fixture
def project(so, tree):
    return services.claim_project_create(actor=so["officer"], node=tree["sub"], event="第八届学习节", title="韵动生活",
                                         description="社区体育活动", needs="场地、志愿者")


FORM = {"claimant": "上海咕噜咕噜体育发展有限公司", "contact_name": "张经理", "contact_phone": "13912345678",
        "kind": "volunteers", "description": "10名员工志愿者", "amount": "", "kind_2": "money",
        "description_2": "活动经费", "amount_2": "5000", "note": "希望参加周末场次", "thank_publicly": "on"}


def test_a_company_claims_on_the_public_form_and_staff_confirm(so, project, client):
    url = reverse("socialorgs:claim-public", args=[project.pk])
    assert "我要认领" in client.get(reverse("socialorgs:thanks")).content.decode()
    page = client.post(url, {**FORM, "credit_code": credit_code("91310110MA1G8000" + "1")[:18]})
    text = page.content.decode()
    assert page.status_code == 200 and "认领申请已提交" in text
    request = ClaimRequest.objects.get()
    assert request.status == "pending" and request.contact_phone == "13912345678"
    assert request.contact_phone_masked != "13912345678"
    assert [c["kind"] for c in request.contributions] == ["volunteers", "money"]
    assert not Claim.objects.exists()  # not a claim until confirmed
    assert AuditLog.objects.filter(object_type="socialorgs.claimrequest", action="create").exists()
    claim = services.claim_request_confirm(actor=so["officer"], request=request)
    request.refresh_from_db()
    assert request.status == "confirmed" and request.claim == claim
    assert sorted(claim.contributions.values_list("kind", flat=True)) == ["money", "volunteers"]
    thanks = selectors.thanks_list()
    assert [c["claimant"] for c in thanks[0]["claims"]] == ["上海咕噜咕噜体育发展有限公司"]


def test_the_form_refuses_bad_input_with_field_messages(project, client):
    url = reverse("socialorgs:claim-public", args=[project.pk])
    page = client.post(url, {**FORM, "contact_phone": "123", "credit_code": "91310110MA1G800010",
                             "amount_2": "abc"}).content.decode()
    assert "统一社会信用代码应为18位" in page and "金额应为数字" in page
    assert "手机" in page or "电话" in page
    page = client.post(url, {**FORM, "claimant": " ", "contact_name": ""}).content.decode()
    assert "必填" in page or "请填写" in page
    assert not ClaimRequest.objects.exists()


@pytest.mark.parametrize("change, field", [
    ({"contact_phone": ""}, "contact_phone"),
    ({"contact_name": ""}, "contact_name"),
    ({"credit_code": "X" * 18}, "credit_code"),
    ({"contributions": []}, "contributions"),
    ({"contributions": [{"kind": "money", "description": "经费", "amount": None}]}, "contributions"),
    ({"contributions": [{"kind": "cash", "description": "经费"}]}, "contributions"),
    ({"claimant": "长" * 65}, "claimant"),
])
def test_the_service_refuses_bad_input(project, change, field):
    data = {"claimant": "某公司", "contact_name": "李", "contact_phone": "13912345678",
            "contributions": [{"kind": "goods", "description": "矿泉水20箱"}], **change}
    with pytest.raises(DomainError) as refused:
        services.claim_request_submit(project=project, **data)
    assert field in refused.value.errors


def test_duplicates_and_a_closed_project_are_refused(so, project, client):
    data = {"claimant": "某公司", "contact_name": "李", "contact_phone": "13912345678",
            "contributions": [{"kind": "goods", "description": "矿泉水20箱"}]}
    services.claim_request_submit(project=project, **data)
    with pytest.raises(ConflictError, match="等待确认"):
        services.claim_request_submit(project=project, **data)
    services.claim_record(actor=so["officer"], project=project, claimant="已认领公司",
                          contributions=[{"kind": "venue", "description": "会议室"}])
    with pytest.raises(ConflictError, match="已认领"):
        services.claim_request_submit(project=project, **{**data, "claimant": "已认领公司"})
    services.claim_project_close(actor=so["officer"], project=project)
    with pytest.raises(ConflictError, match="结束认领"):
        services.claim_request_submit(project=project, **{**data, "claimant": "第三家"})
    assert client.get(reverse("socialorgs:claim-public", args=[project.pk])).status_code == 404
    assert client.get(reverse("socialorgs:claim-public", args=[999999])).status_code == 404


def test_staff_decline_with_a_reason_and_others_may_not_decide(so, project, personas, client_as):
    request = services.claim_request_submit(project=project, claimant="某公司", contact_name="李",
                                            contact_phone="13912345678",
                                            contributions=[{"kind": "goods", "description": "矿泉水"}])
    with pytest.raises(Forbidden):
        services.claim_request_confirm(actor=so["other_officer"], request=request)  # another 街道
    with pytest.raises(Forbidden):
        services.claim_request_confirm(actor=so["cg"], request=request)  # no claiming work
    with pytest.raises(DomainError, match="理由"):
        services.claim_request_decline(actor=so["officer"], request=request, reason=" ")
    detail = client_as(so["officer"]).get(reverse("socialorgs:claim-detail", args=[project.pk])).content.decode()
    assert "待确认的认领申请" in detail and "某公司" in detail and "139****5678" in detail
    url = reverse("socialorgs:claim-request-act", args=[project.pk, request.pk, "decline"])
    page = client_as(so["officer"]).post(url, {"reason": "重复提交"}, follow=True).content.decode()
    assert "已不予采纳" in page
    request.refresh_from_db()
    assert request.status == "declined" and request.reason == "重复提交"
    with pytest.raises(ConflictError):
        services.claim_request_confirm(actor=so["officer"], request=request)
    assert not Claim.objects.exists()
    assert client_as(personas["resident"]).post(url, {"reason": "x"}).status_code == 403


def test_staff_confirm_on_the_page(so, project, client_as):
    request = services.claim_request_submit(project=project, claimant="某公司", contact_name="李",
                                            contact_phone="13912345678",
                                            contributions=[{"kind": "money", "description": "经费", "amount": "800"}])
    url = reverse("socialorgs:claim-request-act", args=[project.pk, request.pk, "confirm"])
    page = client_as(so["officer"]).post(url, follow=True).content.decode()
    assert "已确认 某公司 的认领" in page
    assert Claim.objects.get().contributions.get().amount == 800
