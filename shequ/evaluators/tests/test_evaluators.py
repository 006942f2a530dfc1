"""Outside evaluators (issue 19): 人大代表, 行风政风监督员 and 督察队员 see only their own inspections and the object
inspected, score them on the 大联动督查 sheets (published to the department), the department disputes once and the
综管委办 answers; the scores enter the department's composite by the weights kept as data."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shequ.core.choices import Role
from shequ.core.errors import ConflictError, DomainError, Forbidden, NotFound
from shequ.core.models import AuditLog
from shequ.core.permissions import capabilities_of
from shequ.core.testing import make_resident, make_user
from shequ.evaluators import selectors, services
from shequ.evaluators.choices import EvaluationStatus, EvaluatorKind
from shequ.evaluators.models import Evaluation, EvaluatorWeight
from shequ.evaluators.workflows import EVALUATION
from shequ.targets import services as targets
from shequ.targets.selectors import Rule, SheetUse

TODAY = dt.date(2026, 11, 16)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


@pytest.fixture
def env(tree, personas):
    sheet = targets.sheet_ensure(name="窗口服务行风测评表", use=SheetUse.INSPECT_DEPARTMENT, pass_line=80, sections=[
        ("服务态度", [("首问负责、文明用语", "", 40, Rule.POINTS, None)]),
        ("办事效率", [("按承诺时限办结", "每发现一件超期扣5分", 40, Rule.DEDUCTION, 5)]),
        ("廉洁自律", [("无吃拿卡要", "", 20, Rule.YES_NO, None)])])
    items = {i.title: i for _s, rows in selectors.sheet_layout(sheet) for i in rows}
    npc = make_user(Role.NPC_DEPUTY, [tree["sub"]], username="npc_rep")
    ethics = make_user(Role.ETHICS_MONITOR, [tree["sub"]], username="ethics_monitor")
    team = make_user(Role.INSPECTION_TEAM, [tree["sub"]], username="inspector_team")
    other_npc = make_user(Role.NPC_DEPUTY, [tree["other_sub"]], username="npc_yinxing")
    shift = make_user(Role.SHIFT_LEADER, [tree["sub"]], username="shiftlead")
    cg_officer = make_user(Role.DEPT_OFFICER, [tree["sub"]], tree["chengguan"], username="cg_officer")
    return {**tree, **personas, "node_dunhua": tree["dunhua"], "sheet": sheet, "items": items, "npc": npc, "ethics": ethics, "team": team,
            "other_npc": other_npc, "shift": shift, "cg_officer": cg_officer}


def _schedule(env, evaluator=None, actor=None, department=None, **kw):
    evaluator = evaluator or env["npc"]
    return services.evaluation_schedule(actor=actor or env["leader"], evaluator=evaluator, sheet=env["sheet"],
                                        department=department or env["minzheng"], topic=kw.get("topic", "窗口服务"),
                                        place=kw.get("place", "民政科接待窗口"), date=kw.get("date", TODAY))


def _marks(env, points="36", overdue="1", clean="1"):
    items = env["items"]
    return {items["首问负责、文明用语"].pk: points, items["按承诺时限办结"].pk: overdue, items["无吃拿卡要"].pk: clean}


def _published(env, evaluator=None, department=None, **marks):
    evaluation = _schedule(env, evaluator=evaluator, department=department)
    return services.evaluation_submit(actor=evaluator or env["npc"], evaluation=evaluation, marks=_marks(env, **marks),
                                      note="窗口整洁，个别办件超期")


def _jpeg_with_exif() -> SimpleUploadedFile:
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 17.0, 0.0), 3: "E", 4: (121.0, 31.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("site.jpg", buffer.getvalue(), content_type="image/jpeg")


# --- roles and scope -----------------------------------------------------------------------------------------------

def test_it_grants_the_evaluator_roles_only_their_inspections():
    for role in (Role.NPC_DEPUTY, Role.ETHICS_MONITOR, Role.INSPECTION_TEAM):
        assert capabilities_of(role) == {"core.inbox", "evaluators.view", "evaluators.schedule",
                                         "evaluators.inspect"}


def test_it_lands_an_evaluator_on_his_inspections_and_keeps_him_out_of_staff_pages(env, client_as):
    client = client_as(env["npc"])
    assert client.get("/").url == reverse("evaluators:home")
    for path in ("/people/", "/grid/cases/", "/grid/inspections/", "/governance/tasks/", "/inspect/composite/"):
        assert client.get(path).status_code == 403, path


def test_it_shows_an_evaluator_only_his_own_inspections(env, client_as):
    mine = _schedule(env)
    theirs = _schedule(env, evaluator=env["ethics"], topic="行风暗访")
    client = client_as(env["npc"])
    page = client.get(reverse("evaluators:home")).content.decode()
    assert "窗口服务" in page and "行风暗访" not in page
    assert client.get(reverse("evaluators:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("evaluators:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("evaluators:score", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("evaluators:act", args=[theirs.pk, "cancel"]), {"reason": "改期"}).status_code == 404


def test_it_shows_the_object_inspected_and_no_personal_data(env, client_as):
    resident = make_resident(env["dunhua"], env["node_dunhua"], name="张阿姨", phone="13800138001")
    evaluation = _schedule(env)
    page = client_as(env["npc"]).get(reverse("evaluators:detail", args=[evaluation.pk])).content.decode()
    assert "杨浦区民政局" in page and "民政科接待窗口" in page and "窗口服务行风测评表" in page
    assert resident.name not in page and "13800138001" not in page


def test_it_hides_another_districts_evaluations_from_the_office(env, client_as):
    other_leader = make_user(Role.LEADER, [env["other_sub"]], username="leader_yx")
    away = services.evaluation_schedule(actor=other_leader, evaluator=env["other_npc"], sheet=env["sheet"],
                                        department=env["minzheng"], topic="殷行测评", place="殷行窗口", date=TODAY)
    assert client_as(env["leader"]).get(reverse("evaluators:detail", args=[away.pk])).status_code == 404
    assert client_as(env["officer"]).get(reverse("evaluators:detail", args=[away.pk])).status_code == 404


def test_it_shows_a_department_only_its_published_scores(env, client_as):
    scheduled = _schedule(env)
    published = _published(env)
    other_dept = _published(env, department=env["chengguan"])
    client = client_as(env["officer"])
    assert client.get(reverse("evaluators:detail", args=[scheduled.pk])).status_code == 404
    assert client.get(reverse("evaluators:detail", args=[other_dept.pk])).status_code == 404
    page = client.get(reverse("evaluators:detail", args=[published.pk])).content.decode()
    assert "人大代表" in page and env["npc"].display_name not in page  # the kind, not the evaluator's name


def test_it_refuses_residents_and_anonymous_visitors(env, client, client_as):
    evaluation = _schedule(env)
    assert client.get(reverse("evaluators:detail", args=[evaluation.pk])).status_code == 302
    assert client_as(env["resident"]).get(reverse("evaluators:detail", args=[evaluation.pk])).status_code == 403
    assert client_as(env["dunhua"]).get(reverse("evaluators:home")).status_code == 403


# --- scheduling ----------------------------------------------------------------------------------------------------

def test_it_lets_an_evaluator_schedule_only_for_himself(env):
    mine = _schedule(env, actor=env["npc"])
    assert mine.status == EvaluationStatus.SCHEDULED and mine.kind == EvaluatorKind.NPC
    with pytest.raises(Forbidden):
        _schedule(env, actor=env["npc"], evaluator=env["ethics"])
    by_office = _schedule(env, actor=env["shift"], evaluator=env["team"])
    assert by_office.kind == EvaluatorKind.TEAM and by_office.scheduled_by == env["shift"]


@pytest.mark.parametrize("change,field", [
    ({"topic": ""}, "topic"), ({"place": "x" * 101}, "place"), ({"date": TODAY - dt.timedelta(days=1)}, "date"),
    ({"date": TODAY + dt.timedelta(days=400)}, "date")])
def test_it_refuses_a_bad_schedule_with_a_chinese_message(env, change, field):
    with pytest.raises(DomainError) as exc:
        _schedule(env, **change)
    assert field in exc.value.errors


def test_it_refuses_a_staff_member_as_evaluator_and_one_of_another_district(env):
    with pytest.raises(DomainError) as exc:
        _schedule(env, evaluator=env["patrol"])
    assert "evaluator" in exc.value.errors
    with pytest.raises(DomainError):
        _schedule(env, evaluator=env["other_npc"])


def test_it_refuses_an_area_sheet(env):
    area = targets.sheet_ensure(name="居民区考评表", use=SheetUse.INSPECT_AREA, pass_line=80, sections=[
        ("市容", [("整洁", "", 10, Rule.POINTS, None)])])
    with pytest.raises(DomainError) as exc:
        services.evaluation_schedule(actor=env["leader"], evaluator=env["npc"], sheet=area, department=env["minzheng"],
                                     topic="测评", place="窗口", date=TODAY)
    assert "sheet" in exc.value.errors


def test_the_schedule_page_shows_errors_instead_of_failing(env, client_as):
    response = client_as(env["npc"]).post(reverse("evaluators:schedule"), {
        "evaluator": env["npc"].pk, "department": env["minzheng"].pk, "sheet": env["sheet"].pk, "topic": "窗口服务",
        "place": "", "date": "2026-13-40"})
    assert response.status_code == 200 and Evaluation.objects.count() == 0
    assert "invalid-feedback" in response.content.decode()


# --- carrying it out ------------------------------------------------------------------------------------------------

def test_it_scores_an_inspection_by_the_sheet_and_publishes_it(env, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = _published(env)
    assert evaluation.status == EvaluationStatus.PUBLISHED
    assert evaluation.total == Decimal("91") and evaluation.full == Decimal("100")  # 36 + (40 − 5) + 20
    assert evaluation.rate == Decimal("91.0")
    assert env["officer"].notifications.filter(title__contains="91").exists()
    assert AuditLog.objects.filter(action="transition", object_type="evaluators.evaluation").exists()


def test_it_scores_from_the_phone_page_with_notes_and_a_photo_without_exif(env, client_as):
    evaluation = _schedule(env)
    items = env["items"]
    response = client_as(env["npc"]).post(reverse("evaluators:score", args=[evaluation.pk]), {
        f"item_{items['首问负责、文明用语'].pk}": "30", f"item_{items['按承诺时限办结'].pk}": "2",
        f"item_{items['无吃拿卡要'].pk}": "1", f"note_{items['按承诺时限办结'].pk}": "两件低保复核超期",
        "note": "整体良好", "photos": [_jpeg_with_exif()]})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.total == Decimal("80")
    photo = evaluation.photos.get()
    with photo.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert not stored.getexif()
    notes = {s.sheet_item.title: s.note for s in evaluation.scores.select_related("sheet_item")}
    assert notes["按承诺时限办结"] == "两件低保复核超期"
    assert client_as(env["officer"]).get(reverse("evaluators:photo", args=[photo.pk])).status_code == 200
    assert client_as(env["ethics"]).get(reverse("evaluators:photo", args=[photo.pk])).status_code == 404


def test_it_refuses_bad_marks_and_keeps_the_inspection_scheduled(env, client_as):
    evaluation = _schedule(env)
    items = env["items"]
    response = client_as(env["npc"]).post(reverse("evaluators:score", args=[evaluation.pk]), {
        f"item_{items['首问负责、文明用语'].pk}": "55", f"item_{items['按承诺时限办结'].pk}": "abc",
        f"item_{items['无吃拿卡要'].pk}": "1", f"note_{items['无吃拿卡要'].pk}": "长" * 201})
    assert response.status_code == 400
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SCHEDULED and not evaluation.scores.exists()
    with pytest.raises(DomainError) as exc:
        services.evaluation_submit(actor=env["npc"], evaluation=evaluation, marks=_marks(env),
                                   item_notes={items["无吃拿卡要"].pk: "长" * 201})
    assert f"note_{items['无吃拿卡要'].pk}" in exc.value.errors


def test_it_refuses_a_file_that_is_not_a_photo(env):
    evaluation = _schedule(env)
    with pytest.raises(DomainError):
        services.evaluation_submit(actor=env["npc"], evaluation=evaluation, marks=_marks(env),
                                   photos=[SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")])
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SCHEDULED


def test_only_the_evaluator_scores_and_only_once(env):
    evaluation = _schedule(env)
    with pytest.raises(Forbidden):
        services.evaluation_submit(actor=env["leader"], evaluation=evaluation, marks=_marks(env))
    with pytest.raises(NotFound):
        services.evaluation_submit(actor=env["ethics"], evaluation=evaluation, marks=_marks(env))
    services.evaluation_submit(actor=env["npc"], evaluation=evaluation, marks=_marks(env))
    with pytest.raises(ConflictError):
        services.evaluation_submit(actor=env["npc"], evaluation=evaluation, marks=_marks(env))


def test_it_cancels_a_scheduled_inspection_with_a_reason(env):
    evaluation = _schedule(env)
    with pytest.raises(DomainError):
        services.evaluation_cancel(actor=env["npc"], evaluation=evaluation, reason=" ")
    with pytest.raises(Forbidden):
        services.evaluation_cancel(actor=env["officer"], evaluation=evaluation, reason="改期")
    services.evaluation_cancel(actor=env["npc"], evaluation=evaluation, reason="部门搬迁，改期")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.CANCELLED
    with pytest.raises(ConflictError):
        services.evaluation_submit(actor=env["npc"], evaluation=evaluation, marks=_marks(env))


# --- disputes --------------------------------------------------------------------------------------------------------

def test_a_department_disputes_once_and_an_upheld_dispute_adjusts_the_score(env, client_as):
    evaluation = _published(env)
    with pytest.raises(NotFound):
        services.evaluation_dispute(actor=env["cg_officer"], evaluation=evaluation, reason="不是我们")
    with pytest.raises(DomainError):
        services.evaluation_dispute(actor=env["officer"], evaluation=evaluation, reason="")
    response = client_as(env["officer"]).post(reverse("evaluators:act", args=[evaluation.pk, "dispute"]),
                                              {"reason": "超期办件系系统故障所致，已附说明"})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DISPUTED
    with pytest.raises(Forbidden):
        services.evaluation_uphold(actor=env["officer"], evaluation=evaluation, answer="同意", total="95")
    with pytest.raises(DomainError) as exc:
        services.evaluation_uphold(actor=env["leader"], evaluation=evaluation, answer="核实属实", total="101")
    assert "total" in exc.value.errors
    services.evaluation_uphold(actor=env["leader"], evaluation=evaluation, answer="核实属实，不扣分", total="96")
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.total, evaluation.original_total) == (
        EvaluationStatus.PUBLISHED, Decimal("96"), Decimal("91"))
    assert evaluation.dispute_outcome == "upheld"
    assert AuditLog.objects.filter(action="transition", detail__action="uphold").exists()
    with pytest.raises(ConflictError):
        services.evaluation_dispute(actor=env["officer"], evaluation=evaluation, reason="再次申诉")


def test_a_rejected_dispute_keeps_the_score_and_gives_the_reason(env, client_as):
    evaluation = _published(env)
    services.evaluation_dispute(actor=env["officer"], evaluation=evaluation, reason="扣分过重")
    with pytest.raises(DomainError):
        services.evaluation_reject(actor=env["shift"], evaluation=evaluation, answer="")
    services.evaluation_reject(actor=env["shift"], evaluation=evaluation, answer="现场照片显示确有超期，维持原分")
    evaluation.refresh_from_db()
    assert evaluation.total == Decimal("91") and evaluation.dispute_outcome == "rejected"
    page = client_as(env["officer"]).get(reverse("evaluators:detail", args=[evaluation.pk])).content.decode()
    assert "维持原分" in page and "申诉驳回" in page


def test_the_page_offers_exactly_what_the_services_accept(env):
    """Offered (`available`) equals accepted (`refusal` is None) for every persona and status."""
    evaluation = _published(env)
    for actor in (env["npc"], env["ethics"], env["officer"], env["cg_officer"], env["leader"], env["resident"]):
        for name in EVALUATION.names:
            if name == "schedule":
                continue
            offered = name in [a.name for a in EVALUATION.available(actor, evaluation)]
            assert offered == (EVALUATION.refusal(actor, evaluation, name) is None)
    assert [a.name for a in EVALUATION.available(env["officer"], evaluation)] == ["dispute"]
    assert [a.name for a in EVALUATION.available(env["leader"], evaluation)] == []


# --- the composite ---------------------------------------------------------------------------------------------------

def test_the_composite_formula_mixes_the_grid_score_and_the_weighted_evaluations():
    weights = {"npc": Decimal(20), "ethics": Decimal(10), "team": Decimal(0)}
    score, used = selectors.composite(80.0, {"npc": (Decimal(90), 2), "team": (Decimal(50), 1)}, weights)
    assert used == Decimal(20) and score == Decimal("82.0")  # 80 × 0.8 + 20 × 90 ÷ 100
    assert selectors.composite(None, {"npc": (Decimal(90), 1), "ethics": (Decimal(60), 1)}, weights)[0] == Decimal("80.0")
    assert selectors.composite(75.0, {}, weights) == (Decimal("75.0"), Decimal(0))
    assert selectors.composite(None, {}, weights)[0] is None


def test_the_departments_composite_changes_with_the_scores_and_the_weight(env, client_as):
    EvaluatorWeight.objects.update_or_create(kind="npc", defaults={"weight": 20})
    EvaluatorWeight.objects.update_or_create(kind="ethics", defaults={"weight": 10})
    _published(env)  # 民政 91
    _published(env, evaluator=env["ethics"], points="16", overdue="4", clean="0")  # 16 + 20 + 0 = 36
    rows = {r.department.code: r for r in selectors.department_composites(user=env["leader"], start=TODAY,
                                                                           end=TODAY)}
    assert rows["MZ"].score == Decimal("72.7")  # (20 × 91 + 10 × 36) ÷ 30
    EvaluatorWeight.objects.filter(kind="ethics").update(weight=Decimal(30))
    rows = {r.department.code: r for r in selectors.department_composites(user=env["leader"], start=TODAY,
                                                                           end=TODAY)}
    assert rows["MZ"].score == Decimal("58.0")  # (20 × 91 + 30 × 36) ÷ 50
    page = client_as(env["leader"]).get(reverse("evaluators:composite")).content.decode()
    assert "58" in page and "综合指标值 × (100 − W)" in page


def test_the_composite_reads_the_grids_unit_score_of_the_department(env, monkeypatch):
    """The grid's 综合指标值 of the unit (责任单位 = department) takes the weight the evaluators leave."""
    EvaluatorWeight.objects.update_or_create(kind="npc", defaults={"weight": 20})
    asked = {}

    def unit_rows(*, user, start, end, by):
        asked["by"] = by
        return [{"key": env["minzheng"].pk, "score": 80.0}, {"key": env["chengguan"].pk, "score": 70.0},
                {"key": None, "score": 50.0}]

    monkeypatch.setattr(selectors.grid, "evaluation_indicators", unit_rows)
    _published(env)  # 91
    rows = {r.department.code: r for r in selectors.department_composites(user=env["leader"], start=TODAY, end=TODAY)}
    assert asked["by"] == "unit"
    assert rows["MZ"].score == Decimal("82.2")  # 80 × 0.8 + 20 × 91 ÷ 100
    assert rows["CGZF"].score == Decimal("70.0") and rows["CGZF"].weight_used == 0


def test_a_department_officer_sees_only_his_departments_composite(env, client_as):
    EvaluatorWeight.objects.update_or_create(kind="npc", defaults={"weight": 20})
    _published(env)
    _published(env, department=env["chengguan"])
    assert [r.department.code for r in selectors.department_composites(user=env["officer"], start=TODAY,
                                                                        end=TODAY)] == ["MZ"]
    assert client_as(env["npc"]).get(reverse("evaluators:composite")).status_code == 403


def test_the_weights_are_refused_above_one_hundred_points(env):
    from django.core.exceptions import ValidationError

    EvaluatorWeight.objects.update_or_create(kind="npc", defaults={"weight": 60})
    EvaluatorWeight.objects.update_or_create(kind="ethics", defaults={"weight": 30})
    row = EvaluatorWeight.objects.filter(kind="team").first() or EvaluatorWeight(kind="team")
    row.weight = Decimal(20)
    with pytest.raises(ValidationError):
        row.full_clean()


def test_the_composite_page_refuses_a_bad_period_with_its_message(env, client_as):
    response = client_as(env["leader"]).get(reverse("evaluators:composite"), {"start": "2026-11-10",
                                                                              "end": "2026-11-01"})
    assert response.status_code == 200 and "止日不得早于起日" in response.content.decode()


# --- demo ----------------------------------------------------------------------------------------------------------

def test_it_seeds_the_demo_once(db):
    import random as _random

    from shequ.core import demo as core_demo
    from shequ.evaluators import demo

    out = io.StringIO()
    core_demo.seed(stdout=out, password="Shequ#2026demo", rng=_random.Random(1))
    demo.seed(stdout=out, password="Shequ#2026demo", rng=_random.Random(1))
    count = Evaluation.objects.count()
    assert count >= 8
    assert Evaluation.objects.filter(status=EvaluationStatus.SCHEDULED).exists()
    assert Evaluation.objects.filter(status=EvaluationStatus.DISPUTED, department__code="MZ").exists()
    assert set(Evaluation.objects.values_list("kind", flat=True)) == set(EvaluatorKind.values)
    demo.seed(stdout=out, password="Shequ#2026demo", rng=_random.Random(1))
    assert Evaluation.objects.count() == count
