"""随手拍 into the grid, my acceptance cases (我的办件), the public lookup and 好差评."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.core.errors import ConflictError, DomainError
from shequ.grid.choices import CaseStatus as GridStatus
from shequ.grid.choices import Source
from shequ.grid.models import Case as GridCase
from shequ.grid.testing import DUNHUA, OUTSIDE
from shequ.grid.tests.conftest import jpeg
from shequ.people.models import Resident
from shequ.portal import selectors, services
from shequ.portal.tests.conftest import intake


@pytest.fixture
def grid(tree):
    from shequ.grid import spatial
    from shequ.grid.taxonomy import ensure_process_limits, ensure_taxonomy

    ensure_taxonomy()
    ensure_process_limits()
    spatial.clear()
    yield
    spatial.clear()


def _report(account, **kw):
    return services.report_create(account=account, category=kw.pop("category", "C0101"),
                                  description=kw.pop("description", "小区门口窨井盖破损，有人差点踩空"),
                                  lat=kw.pop("lat", DUNHUA[0]), lng=kw.pop("lng", DUNHUA[1]), **kw)


def _public_code():
    from shequ.grid.models import Category

    return Category.objects.filter(is_public=True, is_active=True).order_by("code").first().code


@pytest.mark.django_db
def test_it_turns_a_report_into_a_grid_case_of_the_right_grid(grid, me, tree):
    report = _report(me, category=_public_code())
    case = GridCase.objects.get(pk=report.case_id)
    assert case.source == Source.RESIDENT and case.grid == tree["grid_dunhua"] and case.status == GridStatus.REPORTED
    assert case.reporter_name == "王建国"


@pytest.mark.django_db
def test_it_strips_the_photo_location_unless_shared(grid, me):
    data = jpeg(gps=(31.2775, 121.5325)).getvalue()
    dropped = _report(me, category=_public_code(), photos=[SimpleUploadedFile("a.jpg", data, "image/jpeg")])
    kept = _report(me, category=_public_code(), photos=[SimpleUploadedFile("b.jpg", data, "image/jpeg")],
                   share_location=True)
    assert dropped.case.photos.get().exif_lat is None
    assert kept.case.photos.get().exif_lat == pytest.approx(31.2775, abs=1e-3)


@pytest.mark.django_db
def test_it_refuses_a_private_category_no_location_and_a_point_outside_every_grid(grid, me):
    from shequ.grid.models import Category

    private = Category.objects.filter(is_active=True).first()
    private.is_public = False
    private.save()
    with pytest.raises(DomainError) as exc:
        _report(me, category=private.code)
    assert "category" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        _report(me, category=_public_code(), lat=None, lng=None)
    assert "location" in exc.value.errors
    with pytest.raises(DomainError):
        _report(me, category=_public_code(), lat=OUTSIDE[0], lng=OUTSIDE[1])
    assert not GridCase.objects.exists()


@pytest.mark.django_db
def test_it_rates_a_closed_report_once(grid, me, other):
    report = _report(me, category=_public_code())
    with pytest.raises(ConflictError, match="结案后"):
        services.report_rate(account=me, report=report, rating="satisfied")
    # The grid's own workflow closes the case; its steps are tested in shequ/grid.
    GridCase.objects.filter(pk=report.case_id).update(status=GridStatus.CLOSED)
    with pytest.raises(DomainError):
        services.report_rate(account=other, report=report, rating="satisfied")
    with pytest.raises(DomainError, match="原因"):
        services.report_rate(account=me, report=report, rating="unsatisfied")
    services.report_rate(account=me, report=report, rating="basic", note="处理及时")
    with pytest.raises(ConflictError, match="已评价"):
        services.report_rate(account=me, report=report, rating="satisfied")


@pytest.mark.django_db
def test_it_lists_only_my_reports(grid, me, other):
    mine = _report(me, category=_public_code())
    _report(other, category=_public_code())
    assert list(selectors.reports(account=me)) == [mine]


def _applicant(resident):
    r = Resident.objects.get(pk=resident.pk)
    return {"name": r.name, "id_number": r.id_number, "phone": "13800138000"}


@pytest.mark.django_db
def test_it_shows_my_cases_and_my_parents_but_not_my_siblings_or_neighbours(centre, family, me):
    mine = intake(centre, applicant=_applicant(family["head"]))
    fathers = intake(centre, applicant=_applicant(family["father"]))
    sisters = intake(centre, applicant=_applicant(family["sister"]))
    neighbours = intake(centre, applicant=_applicant(family["neighbour"]))
    shown = set(selectors.acceptance_cases(account=me).values_list("pk", flat=True))
    assert {mine.pk, fathers.pk} <= shown and not {sisters.pk, neighbours.pk} & shown
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.acceptance_case_get(account=me, pk=neighbours.pk)


@pytest.mark.django_db
def test_it_looks_a_case_up_by_number_and_the_last_six_id_digits(centre, family):
    case = intake(centre, applicant=_applicant(family["head"]))
    tail = Resident.objects.get(pk=family["head"].pk).id_number[-6:]
    assert selectors.case_public_lookup(number=case.number, id_tail=tail) == case
    assert selectors.case_public_lookup(number=case.number, id_tail="000000" if tail != "000000" else "111111") is None
    assert selectors.case_public_lookup(number=case.number, id_tail=tail[:5]) is None
    assert selectors.case_public_lookup(number="SL000", id_tail=tail) is None


@pytest.mark.django_db
def test_it_reviews_a_finished_case_once_and_a_poor_review_opens_a_rectification(centre, family, me):
    from shequ.acceptance import services as acc

    case = intake(centre, applicant=_applicant(family["head"]), item=centre["instant"])
    case.refresh_from_db()
    if case.status != "completed":
        case = acc.case_complete(actor=centre["clerk"], case=case)
    review = services.case_review(account=me, case=case, score=1, comment="等候太久")
    assert review.channel == "web" and hasattr(review, "rectification")
    with pytest.raises(ConflictError):
        services.case_review(account=me, case=case, score=5)


def _agent(resident, relation="子女"):
    r = Resident.objects.get(pk=resident.pk)
    return {"name": r.name, "id_number": r.id_number, "relation": relation, "authorized": True}


@pytest.mark.django_db
def test_agent_cases_are_the_family_cases_i_handled_as_agent_or_booked(centre, family, me, other, settings,
                                                                        client):
    """我代办的: my father's case where I was the agent; not his case handled by someone else with my name, not
    my own case, not the neighbour's case even with me as agent."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from shequ.acceptance.services.queue import window_call_next
    from shequ.core.testing import valid_id_number

    settings.SHEQU_HALL_HOURS = ""
    as_agent = intake(centre, applicant=_applicant(family["father"]), agent=_agent(family["head"]))
    namesake = intake(centre, applicant=_applicant(family["father"]),
                      agent={"name": family["head"].name, "id_number": valid_id_number(dt.date(1975, 5, 2)),
                             "relation": "子女", "authorized": True})
    own = intake(centre, applicant=_applicant(family["head"]))
    neighbours = intake(centre, applicant=_applicant(family["neighbour"]), agent=_agent(family["head"], "邻居"))
    # An appointment I booked for my father, checked in, whose ticket the clerk registered the case from.
    from shequ.portal.tests.conftest import future_workday

    day = future_workday()
    slot = services.slot_publish(actor=centre["supervisor"], node=centre["sub"], date=day, start=dt.time(9, 0),
                                 end=dt.time(10, 0), category=centre["B"], capacity=3)
    appt = services.appointment_book(account=me, slot_id=slot.pk, item_id=centre["dibao"].pk,
                                     for_resident_id=family["father"].pk)
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(8, 50))), tick=True):
        ticket = services.appointment_check_in(code=appt.code, node=centre["sub"], actor=centre["clerk"]).ticket
        assert window_call_next(actor=centre["clerk"], window=centre["w2"]).pk == ticket.pk
        booked = intake(centre, applicant=_applicant(family["father"]), ticket=ticket.pk)
    shown = [c.pk for c in selectors.agent_cases(account=me)]
    assert set(shown) == {as_agent.pk, booked.pk} and shown == sorted(shown, reverse=True)
    assert namesake.pk not in shown and own.pk not in shown and neighbours.pk not in shown
    # The neighbour (no family he may act for) has none; the page lists them under 我代办的.
    assert selectors.agent_cases(account=other) == []
    client.force_login(me.user)
    body = client.get("/m/mine/").content.decode()
    assert "我代办的" in body and as_agent.number in body and booked.number in body
