import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.socialorgs import services
from shequ.socialorgs.models import Claim, Incubation, Organisation


def test_it_serves_every_page_to_the_officer(so, scoring, client_as, tree):
    client = client_as(so["officer"])
    project = scoring["project"]
    claim_project = services.claim_project_create(actor=so["officer"], node=tree["sub"], title="韵动生活",
                                                  description="轮滑")
    inc = services.incubation_apply(actor=so["officer"], organisation=so["a"])
    for url in (reverse("socialorgs:org-list"), reverse("socialorgs:org-list") + "?q=青年&kind=nonprofit",
                reverse("socialorgs:org-create"), reverse("socialorgs:org-detail", args=[so["a"].pk]),
                reverse("socialorgs:org-edit", args=[so["a"].pk]), reverse("socialorgs:incubation-list"),
                reverse("socialorgs:incubation-detail", args=[inc.pk]), reverse("socialorgs:project-list"),
                reverse("socialorgs:project-create"), reverse("socialorgs:project-detail", args=[project.pk]),
                reverse("socialorgs:claim-list"), reverse("socialorgs:claim-create"),
                reverse("socialorgs:claim-detail", args=[claim_project.pk]), reverse("socialorgs:thanks")):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("socialorgs:org-detail", args=[so["a"].pk])).content.decode()
    assert "139****5678" in page and "13912345678" not in page


def test_it_hides_pages_by_role_and_scope(so, scoring, client_as, personas):
    a, b = so["a"], so["b"]
    dunhua = client_as(personas["dunhua"])
    assert dunhua.get(reverse("socialorgs:org-detail", args=[a.pk])).status_code == 200
    assert dunhua.get(reverse("socialorgs:org-detail", args=[b.pk])).status_code == 404
    assert dunhua.get(reverse("socialorgs:org-create")).status_code == 403
    assert client_as(so["cg"]).get(reverse("socialorgs:org-list")).status_code == 403
    assert client_as(personas["resident"]).get(reverse("socialorgs:org-list")).status_code == 403
    assert client_as(so["other_officer"]).get(reverse("socialorgs:org-detail", args=[a.pk])).status_code == 404
    assert client_as(so["other_officer"]).get(
        reverse("socialorgs:project-detail", args=[scoring["project"].pk])).status_code == 404
    assert client_as(personas["kongjiang"]).get(
        reverse("socialorgs:project-detail", args=[scoring["project"].pk])).status_code == 404
    from django.test import Client

    assert Client().get(reverse("socialorgs:org-list")).status_code == 302
    assert Client().get(reverse("socialorgs:thanks")).status_code == 200


def test_it_registers_and_refuses_bad_input_on_the_form(so, client_as, tree):
    client = client_as(so["officer"])
    response = client.post(reverse("socialorgs:org-create"), {"name": "甲" * 81, "kind": "community"})
    assert response.status_code == 200 and "不能超过80个字符" in response.content.decode()
    response = client.post(reverse("socialorgs:org-create"), {
        "name": "延吉社区书画社", "kind": "community", "contact_phone": "13800001234",
        "committees": [tree["dunhua"].pk]})
    org = Organisation.objects.get(name="延吉社区书画社")
    assert response.status_code == 302 and org.contact_phone_masked == "138****1234"


def test_it_uploads_and_serves_a_document(so, client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_as(so["officer"])
    url = reverse("socialorgs:org-detail", args=[so["a"].pk])
    bad = client.post(url, {"title": "章程", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00")})
    assert "只接受 PDF、JPG 或 PNG 文件" in bad.content.decode()
    assert client.post(url, {"title": "章程", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 ok")}).status_code == 302
    doc = so["a"].documents.get()
    served = client.get(reverse("socialorgs:document", args=[so["a"].pk, doc.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert client_as(so["other_officer"]).get(
        reverse("socialorgs:document", args=[so["a"].pk, doc.pk])).status_code == 404


def test_it_runs_the_incubation_from_its_page(so, client_as):
    client = client_as(so["officer"])
    inc = services.incubation_apply(actor=so["officer"], organisation=so["a"])
    url = reverse("socialorgs:incubation-action", args=[inc.pk, "admit"])
    client.post(url, {"mentor": ""})
    assert Incubation.objects.get(pk=inc.pk).status == "applied"
    client.post(url, {"mentor": "王老师"})
    assert Incubation.objects.get(pk=inc.pk).status == "incubating"
    assert client.post(reverse("socialorgs:incubation-action", args=[inc.pk, "nonsense"])).status_code == 404


def test_experts_score_from_the_page_and_others_cannot(so, scoring, client_as, personas):
    project, pa = scoring["project"], scoring["pa"]
    url = reverse("socialorgs:proposal-score", args=[project.pk, pa.pk])
    page = client_as(so["leader"]).get(reverse("socialorgs:project-detail", args=[project.pk])).content.decode()
    assert "我的评分" in page
    client_as(so["leader"]).post(url, {"score": "88"})
    assert pa.scores.get().score == 88
    assert client_as(so["officer"]).post(url, {"score": "88"}).status_code == 403
    response = client_as(so["leader2"]).post(url, {"score": "120"}, follow=True)
    assert "评分应为0到100之间" in response.content.decode(), response.content.decode()[response.content.decode().find("<main"):][:1500]


def test_a_claim_from_the_page(so, client_as, tree):
    client = client_as(so["officer"])
    project = services.claim_project_create(actor=so["officer"], node=tree["sub"], title="星尚文化",
                                            description="音乐夏令营", event="第八届学习节")
    url = reverse("socialorgs:claim-detail", args=[project.pk])
    client.post(url, {"form": "claim", "claim-claimant": "上海罗兰数字音乐学校", "claim-kind": "skills",
                      "claim-description": "音乐教师", "claim-thank_publicly": "on"})
    claim = Claim.objects.get()
    client.post(url, {"form": "activity", "activity-claim": claim.pk, "activity-title": "音乐夏令营",
                      "activity-held_on": "2026-07-30", "activity-participants": "36"})
    assert claim.activities.get().participants == 36
    assert "上海罗兰数字音乐学校" in client.get(reverse("socialorgs:thanks")).content.decode()


def test_it_shows_the_navigation_to_those_who_may_use_it(so, client_as, personas):
    page = client_as(so["officer"]).get(reverse("socialorgs:org-list")).content.decode()
    assert "三社联动" in page and reverse("socialorgs:project-list") in page
    assert "三社联动" not in client_as(so["cg"]).get("/").content.decode()


def test_the_lists_cost_the_same_queries_for_more_rows(so, scoring, client_as, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(so["officer"])
    urls = [reverse("socialorgs:org-list"), reverse("socialorgs:project-list"), reverse("socialorgs:claim-list"),
            reverse("socialorgs:incubation-list")]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx))
        return result

    def add(i):
        org = services.organisation_create(actor=so["officer"], node=tree["sub"], name=f"组织{i}", kind="community",
                                           committees=[tree["dunhua"], tree["kongjiang"]])
        services.incubation_apply(actor=so["officer"], organisation=org)
        services.project_create(actor=so["officer"], node=tree["sub"], title=f"项目{i}", category="为老服务",
                                need="需求", budget="1000")
        services.claim_project_create(actor=so["officer"], node=tree["sub"], title=f"认领{i}", description="内容")

    add(0)
    counts()  # warms the session and the user's scope
    before = counts()
    for i in range(1, 7):
        add(i)
    assert counts() == before

