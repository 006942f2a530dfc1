import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404

from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.workflow import ActionForbidden, ActionNotFound
from shequ.socialorgs import selectors, services
from shequ.socialorgs.choices import InstalmentStatus, ProjectStatus
from shequ.socialorgs.models import Organisation


# --- registry -------------------------------------------------------------------------------------------------

def test_it_keeps_the_contact_phone_encrypted_and_masked(so):
    org = so["a"]
    assert org.contact_phone_masked == "139****5678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM socialorgs_organisation WHERE id = %s", [org.pk])
        stored = cursor.fetchone()[0]
    assert "13912345678" not in stored
    assert Organisation.objects.get(pk=org.pk).contact_phone == "13912345678"


def test_it_scopes_the_registry(so, personas, tree):
    assert set(selectors.organisation_list(user=so["officer"])) == {so["a"], so["b"]}
    assert set(selectors.organisation_list(user=personas["leader"])) == {so["a"], so["b"]}
    assert set(selectors.organisation_list(user=personas["dunhua"])) == {so["a"]}
    assert set(selectors.organisation_list(user=so["cg"])) == set()  # 城管, not 民政
    assert set(selectors.organisation_list(user=personas["resident"])) == set()
    with pytest.raises(Http404):
        selectors.organisation_get(user=personas["dunhua"], pk=so["b"].pk)


def test_it_refuses_bad_registry_input(so, tree):
    officer = so["officer"]
    with pytest.raises(DomainError) as caught:
        services.organisation_create(actor=officer, node=tree["sub"], name="", kind="nonsense", rating="6A",
                                     contact_phone="12")
    assert {"name", "kind", "rating", "contact_phone"} <= set(caught.value.errors)
    with pytest.raises(DomainError) as caught:
        services.organisation_create(actor=officer, node=tree["sub"], name="甲" * 81, kind="community")
    assert "80" in caught.value.errors["name"][0]
    with pytest.raises(DomainError) as caught:
        services.organisation_create(actor=officer, node=tree["sub"], name="无证社团", kind="association")
    assert "registration_number" in caught.value.errors
    with pytest.raises(DomainError) as caught:
        services.organisation_create(actor=officer, node=tree["sub"], name="越界组织", kind="community",
                                     committees=[tree["yinxing"]])
    assert "committees" in caught.value.errors
    with pytest.raises(ConflictError):
        services.organisation_create(actor=officer, node=tree["sub"], name="青年家园民间组织服务中心", kind="community")


def test_it_lets_only_civil_affairs_manage(so, tree, personas):
    for actor in (so["cg"], personas["leader"], personas["dunhua"], so["other_officer"]):
        with pytest.raises(Forbidden):
            services.organisation_create(actor=actor, node=tree["sub"], name="某组织", kind="community")


def test_it_rates_only_while_the_grade_is_valid(so):
    org = so["a"]
    assert org.rating_current(dt.date(2029, 12, 31)) == "4A"
    assert org.rating_current(dt.date(2030, 1, 1)) == ""


def test_it_checks_uploaded_documents_by_content(so, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer, org = so["officer"], so["a"]
    pdf = SimpleUploadedFile("证书.exe", b"%PDF-1.4 test", content_type="application/x-msdownload")
    doc = services.document_upload(actor=officer, organisation=org, title="登记证书", upload=pdf)
    assert doc.content_type == "application/pdf" and doc.file.name.endswith(".pdf") and "证书" not in doc.file.name
    for bad in (SimpleUploadedFile("a.pdf", b"<html>", content_type="application/pdf"),
                SimpleUploadedFile("b.pdf", b"", content_type="application/pdf")):
        with pytest.raises(DomainError) as caught:
            services.document_upload(actor=officer, organisation=org, title="章程", upload=bad)
        assert "file" in caught.value.errors


# --- incubation -----------------------------------------------------------------------------------------------

def test_it_incubates_to_graduation(so):
    officer = so["officer"]
    inc = services.incubation_apply(actor=officer, organisation=so["b"], applied_on=dt.date(2026, 3, 1))
    with pytest.raises(ConflictError):
        services.incubation_apply(actor=officer, organisation=so["b"])
    with pytest.raises(DomainError) as caught:
        services.incubation_admit(actor=officer, incubation=inc, mentor="")
    assert "mentor" in caught.value.errors
    with pytest.raises(ConflictError):
        services.incubation_graduate(actor=officer, incubation=inc, reason="能力成熟")
    inc = services.incubation_admit(actor=officer, incubation=inc, mentor="王老师", on=dt.date(2026, 3, 5))
    assert inc.status == "incubating" and inc.reviewed_on == dt.date(2026, 3, 5)
    milestone = services.milestone_add(actor=officer, incubation=inc, title="完成登记注册", due_on=dt.date(2026, 9, 1))
    with pytest.raises(ConflictError):  # a milestone still open
        services.incubation_graduate(actor=officer, incubation=inc, reason="能力成熟")
    services.milestone_complete(actor=officer, milestone=milestone)
    with pytest.raises(DomainError):
        services.incubation_graduate(actor=officer, incubation=inc, reason="")
    inc = services.incubation_graduate(actor=officer, incubation=inc, reason="能力成熟，已独立承接项目")
    assert inc.status == "graduated" and inc.ended_on and inc.end_reason
    with pytest.raises(ConflictError):
        services.incubation_withdraw(actor=officer, incubation=inc, reason="x")


def test_it_refuses_incubation_actions_to_others(so, personas):
    inc = services.incubation_apply(actor=so["officer"], organisation=so["a"])
    with pytest.raises(ActionForbidden):
        services.incubation_admit(actor=personas["leader"], incubation=inc, mentor="王老师")
    with pytest.raises(ActionForbidden):
        services.incubation_admit(actor=so["cg"], incubation=inc, mentor="王老师")
    with pytest.raises(ActionNotFound):
        services.incubation_admit(actor=so["other_officer"], incubation=inc, mentor="王老师")
    inc = services.incubation_withdraw(actor=so["officer"], incubation=inc, reason="申请人撤回")
    assert inc.status == "withdrawn"
    services.incubation_apply(actor=so["officer"], organisation=so["a"])  # may apply again after withdrawing


def test_it_rejects_at_entry_review_with_a_reason(so):
    inc = services.incubation_apply(actor=so["officer"], organisation=so["a"])
    inc = services.incubation_reject(actor=so["officer"], incubation=inc, reason="不属于公益类")
    assert inc.status == "rejected" and inc.review_note == "不属于公益类"


# --- purchase of services -------------------------------------------------------------------------------------

def test_each_expert_scores_alone_and_only_on_his_panel(so, scoring, personas):
    pa = scoring["pa"]
    services.score_submit(actor=so["leader"], proposal=pa, score="90")
    services.score_submit(actor=so["leader"], proposal=pa, score="91.5")  # changes his own score
    assert pa.scores.get(expert=so["leader"]).score == Decimal("91.50")
    assert selectors.my_scores(user=so["leader2"], project=scoring["project"]) == {}
    with pytest.raises(Forbidden):
        services.score_submit(actor=so["officer"], proposal=pa, score="80")  # not on the panel
    with pytest.raises(Forbidden):
        services.score_submit(actor=personas["kongjiang"], proposal=pa, score="80")
    for bad in ("101", "-1", "abc", "NaN", "80.123"):
        with pytest.raises(DomainError) as caught:
            services.score_submit(actor=so["leader2"], proposal=pa, score=bad)
        assert "score" in caught.value.errors


def _score_all(so, scoring, a_scores, b_scores):
    experts = [so["leader"], so["leader2"], so["dunhua"]]
    for expert, a, b in zip(experts, a_scores, b_scores):
        services.score_submit(actor=expert, proposal=scoring["pa"], score=a)
        services.score_submit(actor=expert, proposal=scoring["pb"], score=b)


def test_it_awards_by_the_trimmed_mean(so, scoring):
    project = scoring["project"]
    services.score_submit(actor=so["leader"], proposal=scoring["pa"], score="90")
    with pytest.raises(ConflictError):  # scores missing
        services.project_award(actor=so["leader"], project=project)
    # 甲: 90, 88, 40 → trimmed mean 88 (average 72.67); 乙: 80, 79, 78 → 79 (average 79).
    _score_all(so, scoring, ["90", "88", "40"], ["80", "79", "78"])
    with pytest.raises(ActionForbidden):  # the award is the leader's
        services.project_award(actor=so["officer"], project=project)
    project = services.project_award(actor=so["leader"], project=project)
    scoring["pa"].refresh_from_db(), scoring["pb"].refresh_from_db()
    assert scoring["pa"].result == Decimal("88.00") and scoring["pb"].result == Decimal("79.00")
    assert project.awarded == scoring["pa"] and project.status == ProjectStatus.AWARDED


def test_it_awards_by_the_average_when_the_project_says_so(so, scoring):
    project = scoring["project"]
    project.combination = "average"
    project.save()
    _score_all(so, scoring, ["90", "88", "40"], ["80", "79", "78"])
    project = services.project_award(actor=so["leader"], project=project)
    assert project.awarded == scoring["pb"]


def test_it_needs_three_experts_for_a_trimmed_mean(so, tree):
    officer = so["officer"]
    project = services.project_create(actor=officer, node=tree["sub"], title="睦邻中心管理", category="社区服务",
                                      need="委托管理睦邻中心。", budget="500000")
    services.project_experts_set(actor=officer, project=project, experts=[so["leader"], so["leader2"]])
    services.project_publish(actor=officer, project=project, call_deadline=dt.date.today())
    services.proposal_submit(actor=officer, project=project, organisation=so["b"], summary="方案", budget="1")
    with pytest.raises(ConflictError) as caught:
        services.project_close_call(actor=officer, project=project)
    assert "experts" in caught.value.errors


def _awarded(so, scoring):
    _score_all(so, scoring, ["90", "88", "85"], ["80", "79", "78"])
    return services.project_award(actor=so["leader"], project=scoring["project"])


def test_it_takes_a_project_to_appraisal_with_an_instalment_held(so, scoring):
    officer = so["officer"]
    project = _awarded(so, scoring)
    with pytest.raises(DomainError) as caught:  # the instalments do not add up
        services.project_sign(actor=officer, project=project, amount="280000", signed_on=dt.date(2026, 4, 1),
                              starts_on=dt.date(2026, 4, 1), ends_on=dt.date(2027, 3, 31),
                              instalments=[("100000", "signing"), ("100000", "midterm")])
    assert "instalments" in caught.value.errors
    contract = services.project_sign(
        actor=officer, project=project, amount="280000", signed_on=dt.date(2026, 4, 1),
        starts_on=dt.date(2026, 4, 1), ends_on=dt.date(2027, 3, 31),
        instalments=[("112000", "signing"), ("112000", "midterm"), ("56000", "final")])
    first, second, third = contract.instalments.order_by("seq")
    assert (first.status, second.status, third.status) == ("released", "pending", "pending")
    project.refresh_from_db()
    services.project_midterm(actor=officer, project=project, passed=False, note="中期报告逾期未交")
    second.refresh_from_db()
    assert second.status == InstalmentStatus.HELD and second.reason == "中期报告逾期未交"
    services.project_final(actor=officer, project=project, passed=True, note="结项材料齐全，服务达标")
    third.refresh_from_db()
    assert third.status == InstalmentStatus.RELEASED
    second.refresh_from_db()
    assert second.status == InstalmentStatus.HELD  # the final review does not release the mid-term's money
    with pytest.raises(DomainError):
        services.project_appraise(actor=officer, project=project, grade="excellent", score="101", note="x")
    project = services.project_appraise(actor=officer, project=project, grade="good", score="86.5",
                                        note="服务覆盖面广，中期材料迟交")
    assert project.status == ProjectStatus.APPRAISED
    assert list(selectors.past_appraisals(organisation=so["a"])) == [project]


def test_it_refuses_out_of_order_transitions(so, scoring):
    officer, project = so["officer"], scoring["project"]
    with pytest.raises(ConflictError):
        services.project_midterm(actor=officer, project=project, passed=True, note="x")
    with pytest.raises(ConflictError):
        services.project_publish(actor=officer, project=project, call_deadline=dt.date.today())
    with pytest.raises(ConflictError):
        services.proposal_submit(actor=officer, project=project, organisation=so["a"], summary="x", budget="1")
    project = services.project_terminate(actor=officer, project=project, reason="预算调整")
    assert project.status == ProjectStatus.TERMINATED
    with pytest.raises(ConflictError):
        services.project_terminate(actor=officer, project=project, reason="再次")


def test_it_hides_projects_outside_scope(so, scoring, personas):
    project = scoring["project"]
    assert selectors.project_list(user=so["other_officer"]).filter(pk=project.pk).count() == 0
    assert selectors.project_list(user=personas["dunhua"]).filter(pk=project.pk).count() == 1  # on the panel
    assert selectors.project_list(user=personas["kongjiang"]).filter(pk=project.pk).count() == 0
    with pytest.raises(ActionNotFound):
        services.project_terminate(actor=so["other_officer"], project=project, reason="x")


# --- claiming -------------------------------------------------------------------------------------------------

def test_a_company_claims_a_project_and_is_thanked(so, tree, personas):
    officer = so["officer"]
    project = services.claim_project_create(actor=officer, node=tree["sub"], event="第八届学习节", title="韵动生活",
                                            description="公益轮滑体验", needs="场地、教练")
    claim = services.claim_record(actor=officer, project=project, claimant="上海咕噜咕噜体育发展有限公司",
                                  contact_phone="13800001111",
                                  contributions=[{"kind": "skills", "description": "轮滑教练4名"},
                                                 {"kind": "money", "description": "活动经费", "amount": "5000"}])
    services.claim_record(actor=officer, project=project, claimant="某匿名企业", thank_publicly=False,
                          contributions=[{"kind": "goods", "description": "护具20套"}])
    services.claim_activity_add(actor=officer, claim=claim, title="公益轮滑体验", held_on=dt.date(2026, 7, 28),
                                participants=45)
    with pytest.raises(ConflictError):
        services.claim_record(actor=officer, project=project, claimant="上海咕噜咕噜体育发展有限公司",
                              contributions=[{"kind": "venue", "description": "场地"}])
    with pytest.raises(DomainError) as caught:
        services.claim_record(actor=officer, project=project, claimant="另一家",
                              contributions=[{"kind": "money", "description": "经费"}])  # money without amount
    assert "contributions" in caught.value.errors
    with pytest.raises(DomainError):
        services.claim_activity_add(actor=officer, claim=claim, title="x", held_on=dt.date(2026, 7, 1),
                                    participants="-3")
    thanks = selectors.thanks_list()
    assert [c["claimant"] for c in thanks[0]["claims"]] == ["上海咕噜咕噜体育发展有限公司"]
    assert thanks[0]["claims"][0]["kinds"] == ["技术与专业服务", "资金"]
    with pytest.raises(Forbidden):  # the leader reads; 民政 and the committees record claims
        services.claim_record(actor=personas["leader"], project=project, claimant="X",
                              contributions=[{"kind": "goods", "description": "物资"}])
    with pytest.raises(Forbidden):  # a 街道 project is not the committee's
        services.claim_record(actor=personas["dunhua"], project=project, claimant="X",
                              contributions=[{"kind": "goods", "description": "物资"}])
    services.claim_project_close(actor=officer, project=project)
    with pytest.raises(ConflictError):
        services.claim_record(actor=officer, project=project, claimant="迟到企业",
                              contributions=[{"kind": "goods", "description": "物资"}])
