import datetime as dt

import pytest

from shequ.core.errors import ConflictError, DomainError, PreconditionFailed
from shequ.core.models import AuditLog
from shequ.grid import services
from shequ.grid.choices import CaseAction, CaseStatus, ExtensionStatus
from shequ.grid.workflows import CASE
from shequ.grid.models import Case, CaseEvent, CasePhoto, ExtensionRequest, ParkRequest
from shequ.grid.tests.conftest import DUNHUA, KONGJIANG, OUTSIDE, SH, act, jpeg, report, upload

A, S = CaseAction, CaseStatus
pytestmark = pytest.mark.django_db


def test_it_assigns_a_located_report_to_its_grid(env):
    case = report(env)
    assert case.grid == env["grid_dunhua"]
    assert case.committee == env["node_dunhua"]
    assert case.status == S.REPORTED
    assert case.number.startswith("310110015-20260310-")
    other = report(env, point=KONGJIANG)
    assert other.grid == env["grid_kongjiang"]
    assert case.events.get().action == A.REPORT
    assert AuditLog.objects.filter(object_type="grid.case", object_id=str(case.pk), action="create").exists()


def test_it_refuses_a_point_outside_every_grid_and_saves_nothing(env):
    with pytest.raises(DomainError) as exc:
        report(env, point=OUTSIDE)
    assert "不在任何网格内" in exc.value.message
    assert "location" in exc.value.errors
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_it_refuses_an_unknown_category(env):
    with pytest.raises(DomainError) as exc:
        report(env, category="E9999")
    assert "category" in exc.value.errors
    assert not Case.objects.exists()


def test_it_refuses_invalid_coordinates(env):
    with pytest.raises(DomainError):
        report(env, point=(91, 121.5))
    with pytest.raises(DomainError):
        report(env, point=("abc", "x"))


def test_it_refuses_a_non_image_upload_and_saves_nothing(env):
    fake = upload(b"%PDF-1.4 not an image at all", "photo.jpg")
    with pytest.raises(DomainError) as exc:
        report(env, photos=[fake])
    assert "不是有效的图片" in exc.value.message
    assert not Case.objects.exists() and not CasePhoto.objects.exists()


def test_it_refuses_a_photo_over_the_size_cap(env):
    from shequ.grid import photos

    big = upload(b"\xff\xd8" + b"0" * (photos.MAX_BYTES + 10), "big.jpg")
    with pytest.raises(DomainError) as exc:
        report(env, photos=[big])
    assert "上限" in exc.value.message
    assert not Case.objects.exists()


def test_it_reencodes_photos_with_a_server_name_and_keeps_exif_location_only_when_allowed(env):
    data = jpeg(gps=(31.2775, 121.5325)).getvalue()
    kept = report(env, photos=[upload(data, "../../evil name.jpg")], keep_location=True).photos.get()
    dropped = report(env, photos=[upload(data, "x.jpg")], keep_location=False).photos.get()
    assert kept.exif_lat == pytest.approx(31.2775, abs=1e-3) and kept.exif_lng == pytest.approx(121.5325, abs=1e-3)
    assert dropped.exif_lat is None and dropped.exif_lng is None
    for photo in (kept, dropped):
        assert "evil" not in photo.file.name and photo.file.name.endswith(".jpg")
        from PIL import Image

        with photo.file.open("rb") as fh:
            assert not Image.open(fh).getexif().get_ifd(0x8825)  # no GPS left in the stored file


def test_it_walks_the_full_closed_loop_with_a_failed_check_and_rework(env, clock):
    case = report(env, source="resident", user="operator")
    case = act(env, case, A.SEND_VERIFY, "operator")
    clock.shift(dt.timedelta(minutes=30))
    case = act(env, case, A.VERIFY_OK, "inspector", note="属实")
    case = act(env, case, A.FILE, "shiftlead")
    case = act(env, case, A.DISPATCH, "dispatcher", unit=env["chengguan"])
    assert case.status == S.DISPATCHED and case.dispatched_at and case.deadline > case.dispatched_at
    case = act(env, case, A.SIGN, "cgzf")
    clock.shift(dt.timedelta(hours=1))
    case = act(env, case, A.FEEDBACK, "cgzf", note="已清理")
    case = act(env, case, A.CHECK_FAIL, "inspector", note="仍有残留")
    assert case.status == S.HANDLING and case.rework_count == 1 and case.unit == env["chengguan"]
    case = act(env, case, A.FEEDBACK, "cgzf", note="已返工")
    case = act(env, case, A.CHECK_PASS, "inspector", note="通过")
    case = act(env, case, A.CLOSE, "shiftlead")
    assert case.status == S.CLOSED and case.closed_on_time is True
    case = act(env, case, A.EVALUATE, "operator", satisfaction="satisfied")
    assert case.status == S.EVALUATED
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [A.REPORT, A.SEND_VERIFY, A.VERIFY_OK, A.FILE, A.DISPATCH, A.SIGN, A.FEEDBACK, A.CHECK_FAIL,
                       A.FEEDBACK, A.CHECK_PASS, A.CLOSE, A.EVALUATE]
    assert all(e.actor_id for e in case.events.exclude(action=A.REPORT))
    assert AuditLog.objects.filter(object_type="grid.case", object_id=str(case.pk), action="transition").count() == 11


# --- every transition, allowed and refused ------------------------------------------------------------------

ACTOR = {
    A.SEND_VERIFY: "operator", A.VERIFY_OK: "inspector", A.VERIFY_FALSE: "inspector", A.FILE: "shiftlead",
    A.VOID: "operator", A.MERGE: "operator", A.DISPATCH: "dispatcher", A.REDISPATCH: "dispatcher", A.SIGN: "cgzf",
    A.REQUEST_RETURN: "cgzf", A.APPROVE_RETURN: "shiftlead", A.REJECT_RETURN: "shiftlead", A.ESCALATE: "dunhua",
    A.FEEDBACK: "cgzf", A.CHECK_PASS: "inspector", A.CHECK_FAIL: "inspector", A.CLOSE: "shiftlead",
    A.EVALUATE: "operator", A.REQUEST_EXTENSION: "cgzf", A.APPROVE_EXTENSION: "shiftlead",
    A.REJECT_EXTENSION: "shiftlead", A.REQUEST_PARK: "cgzf", A.APPROVE_PARK: "leader", A.REJECT_PARK: "leader",
    A.UNPARK: "shiftlead", A.SELF_HANDLE: "dunhua",
    A.NOTE: "operator",
}
PARAMS = {A.MERGE: "target", A.DISPATCH: "unit", A.REDISPATCH: "unit", A.EVALUATE: "satisfied",
          A.REQUEST_EXTENSION: "hours"}


def _case_in(env, status, action):
    """A case put directly in `status`, with the unit the action's actor belongs to."""
    station = action in (A.ESCALATE, A.SELF_HANDLE)
    case = report(env, user="dunhua" if station else "inspector", source="station" if station else "patrol")
    now = case.reported_at
    unit = env["station"] if station else env["chengguan"]
    fields = dict(status=status, unit=unit if status not in (S.REPORTED, S.VERIFYING, S.VERIFIED, S.FILED) else None,
                  dispatched_at=now, deadline=now + dt.timedelta(hours=4), warn_at=now + dt.timedelta(hours=3),
                  limit_hours=4, limit_unit="work_hours", parked_at=now if status == S.PARKED else None,
                  fed_back_at=now if status in (S.FED_BACK, S.CHECKED, S.CLOSED, S.EVALUATED) else None)
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    if action in (A.APPROVE_EXTENSION, A.REJECT_EXTENSION):
        ExtensionRequest.objects.create(case=case, unit=env["chengguan"], hours=8, reason="需协调",
                                        requested_by=env["cgzf"])
    if action in (A.APPROVE_PARK, A.REJECT_PARK):
        ParkRequest.objects.create(case=case, unit=env["chengguan"], reason="季节性工程", requested_by=env["cgzf"])
    return case


def _kwargs(env, action, case):
    kw = {"note": "说明理由"}
    if action == A.MERGE:
        kw["target"] = report(env, description="另一件同样的问题").pk
    if action in (A.DISPATCH,):
        kw["unit"] = env["chengguan"]
    if action == A.REDISPATCH:
        kw["unit"] = env["mz"]
    if action == A.EVALUATE:
        kw["satisfaction"] = "satisfied"
    if action == A.REQUEST_EXTENSION:
        kw["hours"] = 8
    if action == A.APPROVE_PARK:
        kw["review_on"] = dt.date(2026, 4, 1)
    return kw


CASES = [(action, status) for action in CASE.names for status in CaseStatus.values]


@pytest.mark.parametrize("action,status", CASES, ids=[f"{a}-{s}" for a, s in CASES])
def test_it_allows_exactly_the_transitions_of_the_map(env, action, status):
    case = _case_in(env, status, action)
    sources, to = CASE.action(action).sources, CASE.action(action).target
    kwargs = _kwargs(env, action, case)
    if status in sources:
        result = services.case_transition(actor=env[ACTOR[action]], case=case, action=action, **kwargs)
        assert result.status == (to or status)
        assert result.events.filter(action=action).exists()
    else:
        events = CaseEvent.objects.count()
        with pytest.raises(ConflictError):
            services.case_transition(actor=env[ACTOR[action]], case=case, action=action, **kwargs)
        case.refresh_from_db()
        assert case.status == status and CaseEvent.objects.count() == events


def test_it_answers_409_for_an_out_of_order_transition_with_a_clear_message(env):
    case = report(env)
    with pytest.raises(ConflictError) as exc:
        act(env, case, A.CLOSE, "shiftlead")
    assert "待受理" in exc.value.message and "结案" in exc.value.message


def test_it_refuses_a_department_acting_on_another_departments_case(env):
    case = report(env)
    case = act(env, case, A.FILE, "shiftlead")
    case = act(env, case, A.DISPATCH, "dispatcher", unit=env["chengguan"])
    with pytest.raises(services.ActionForbidden) as exc:
        services.case_transition(actor=env["officer"], case=case, action=A.SIGN)
    assert exc.value.status_code == 403 and "城管执法" in exc.value.message
    case.refresh_from_db()
    assert case.status == S.DISPATCHED


def test_it_refuses_a_role_without_the_capability(env):
    case = act(env, report(env), A.FILE, "shiftlead")
    with pytest.raises(services.ActionForbidden):
        services.case_transition(actor=env["patrol"], case=case, action=A.DISPATCH, unit=env["chengguan"])
    with pytest.raises(services.ActionForbidden):
        services.case_transition(actor=env["dispatcher"], case=case, action=A.CLOSE)


def test_it_hides_a_case_from_staff_of_another_subdistrict(env):
    case = act(env, report(env, source="resident", user="operator"), A.SEND_VERIFY, "operator")
    with pytest.raises(services.CaseNotFound):
        services.case_transition(actor=env["other_inspector"], case=case, action=A.VERIFY_OK)


def test_it_requires_on_site_verification_before_filing_a_public_report(env):
    case = report(env, source="resident", user="operator")
    with pytest.raises(ConflictError) as exc:
        act(env, case, A.FILE, "shiftlead")
    assert "核实" in exc.value.message


def test_it_requires_a_reason_to_void_and_to_fail_a_check(env):
    case = report(env)
    with pytest.raises(DomainError) as exc:
        act(env, case, A.VOID, "operator", note="")
    assert "note" in exc.value.errors


def test_it_refuses_a_stale_version(env):
    case = report(env)
    act(env, case, A.FILE, "shiftlead", expected_version=1)
    with pytest.raises(PreconditionFailed):
        act(env, case, A.DISPATCH, "dispatcher", unit=env["chengguan"], expected_version=1)


def test_it_starts_the_clock_at_dispatch_and_counts_working_hours(env, clock):
    case = act(env, report(env, category="E0102"), A.FILE, "shiftlead")  # 暴露垃圾: 4 工作时
    clock.move_to(dt.datetime(2026, 3, 13, 16, 0, tzinfo=SH))  # Friday 16:00
    case = act(env, case, A.DISPATCH, "dispatcher", unit=env["chengguan"])
    assert case.limit_hours == 4
    # 1 h on Friday (16:00–17:00), 3 h on Monday from 08:30: Monday 11:30.
    assert case.deadline.astimezone(SH) == dt.datetime(2026, 3, 16, 11, 30, tzinfo=SH)
    # 80 % = 3.2 h: Friday 1 h + 2.2 h on Monday = 10:42.
    assert case.warn_at.astimezone(SH) == dt.datetime(2026, 3, 16, 10, 42, tzinfo=SH)


def test_it_runs_urgent_cases_in_clock_hours(env, clock):
    case = act(env, report(env, category="E0404", urgency="urgent"), A.FILE, "shiftlead")  # 井盖缺失: 0.5 h
    clock.move_to(dt.datetime(2026, 3, 13, 22, 0, tzinfo=SH))
    case = act(env, case, A.DISPATCH, "dispatcher", unit=env["chengguan"])
    assert case.deadline - case.dispatched_at == dt.timedelta(minutes=30)


def test_it_turns_the_light_yellow_at_80_and_red_at_100_percent(env, clock):
    case = act(env, act(env, report(env), A.FILE, "shiftlead"), A.DISPATCH, "dispatcher", unit=env["chengguan"])
    assert case.light() == "green"
    clock.move_to(case.warn_at + dt.timedelta(minutes=1))
    assert case.light() == "yellow"
    clock.move_to(case.deadline + dt.timedelta(minutes=1))
    assert case.light() == "red"
    from shequ.grid import selectors

    assert list(selectors.case_list(user=env["shiftlead"], light="red")) == [case]


def test_it_stops_the_clock_while_parked(env, clock):
    case = act(env, act(env, report(env), A.FILE, "shiftlead"), A.DISPATCH, "dispatcher", unit=env["chengguan"])
    deadline = case.deadline
    case = act(env, case, A.REQUEST_PARK, "cgzf", note="季节性工程")
    assert case.status == S.DISPATCHED and case.deadline == deadline
    case = act(env, case, A.APPROVE_PARK, "leader", review_on="2026-04-01")
    assert case.status == S.PARKED and case.park_review_on == dt.date(2026, 4, 1)
    clock.move_to(dt.datetime(2026, 3, 12, 9, 0, tzinfo=SH))  # two working days later (2 × 7 working hours)
    case = act(env, case, A.UNPARK, "shiftlead")
    assert case.status == S.HANDLING and case.was_parked
    assert case.events.get(action=A.UNPARK).data["paused_hours"] == 14.0
    assert case.deadline > deadline + dt.timedelta(days=1)


def test_it_extends_the_deadline_only_after_approval(env):
    case = act(env, act(env, report(env), A.FILE, "shiftlead"), A.DISPATCH, "dispatcher", unit=env["chengguan"])
    case = act(env, case, A.SIGN, "cgzf")
    deadline = case.deadline
    case = act(env, case, A.REQUEST_EXTENSION, "cgzf", hours=8, note="需协调产权单位")
    assert case.deadline == deadline
    with pytest.raises(ConflictError):
        act(env, case, A.REQUEST_EXTENSION, "cgzf", hours=8, note="再次申请")
    with pytest.raises(services.ActionForbidden):
        act(env, case, A.APPROVE_EXTENSION, "cgzf")
    case = act(env, case, A.APPROVE_EXTENSION, "shiftlead", note="同意")
    assert case.deadline > deadline and case.extension_count == 1
    assert case.extensions.get().status == ExtensionStatus.APPROVED


def test_it_counts_an_approved_return_as_a_wrong_dispatch_and_redispatches(env):
    case = act(env, act(env, report(env), A.FILE, "shiftlead"), A.DISPATCH, "dispatcher", unit=env["mz"])
    case = act(env, case, A.REQUEST_RETURN, "officer", note="不属于民政职责")
    assert case.status == S.RETURNED
    case = act(env, case, A.APPROVE_RETURN, "shiftlead")
    assert case.status == S.FILED and case.unit is None and case.return_count == 1
    assert case.events.get(action=A.DISPATCH).wrong is True
    case = act(env, case, A.DISPATCH, "dispatcher", unit=env["chengguan"])
    assert case.unit == env["chengguan"]


def test_it_redispatches_before_signing_and_marks_the_first_dispatch_wrong(env):
    case = act(env, act(env, report(env), A.FILE, "shiftlead"), A.DISPATCH, "dispatcher", unit=env["mz"])
    case = act(env, case, A.REDISPATCH, "dispatcher", unit=env["chengguan"])
    assert case.unit == env["chengguan"] and case.events.filter(wrong=True).count() == 1
    with pytest.raises(DomainError):
        act(env, case, A.REDISPATCH, "dispatcher", unit=env["chengguan"])


def test_it_lets_a_work_station_escalate_and_self_handle(env):
    case = act(env, act(env, report(env), A.FILE, "shiftlead"), A.DISPATCH, "dispatcher", unit=env["station"])
    with pytest.raises(services.ActionForbidden):
        act(env, case, A.ESCALATE, "cgzf", note="x")
    case = act(env, case, A.ESCALATE, "dunhua", note="需执法部门处理")
    assert case.status == S.FILED and case.unit is None
    local = report(env, user="dunhua", source="station")
    with pytest.raises(services.ActionForbidden):
        act(env, local, A.SELF_HANDLE, "kongjiang", note="x")
    local = act(env, local, A.SELF_HANDLE, "dunhua", note="联系物业当场清理")
    assert local.status == S.CLOSED and local.self_handled and local.unit == env["station"]


def test_it_suggests_duplicates_by_distance_category_and_time_and_merges(env, clock):
    first = report(env)
    near = report(env, point=(DUNHUA[0] + 0.0001, DUNHUA[1]))  # ~11 m
    far = report(env, point=(DUNHUA[0] + 0.002, DUNHUA[1]))  # ~220 m
    other_kind = report(env, category="E0502")
    found = services.suggest_duplicates(category=near.category, lat=near.lat, lng=near.lng, exclude_id=near.pk)
    assert [c for c, _d in found] == [first]
    clock.shift(dt.timedelta(days=4))
    assert services.suggest_duplicates(category=first.category, lat=first.lat, lng=first.lng,
                                       exclude_id=first.pk) == []
    near = act(env, near, A.MERGE, "operator", target=first.number)
    assert near.status == S.MERGED and near.duplicate_of == first
    assert far.status == other_kind.status == S.REPORTED


def test_it_refuses_a_report_outside_the_reporters_jurisdiction(env):
    with pytest.raises(DomainError) as exc:
        report(env, user="kongjiang", source="station")  # the 敦化 grid is not 控江's
    assert "管辖范围" in exc.value.message
