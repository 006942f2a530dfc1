import pytest
from django.urls import reverse

from shequ.grid.choices import CaseAction as A
from shequ.grid.choices import CaseStatus as S
from shequ.grid.models import Case
from shequ.grid.testing import inspection_sheet, sheet_items
from shequ.grid.tests.conftest import DUNHUA, OUTSIDE, act, jpeg, report

pytestmark = pytest.mark.django_db

PAGES = {
    "operator": ["grid:desk", "grid:case-list", "grid:map", "grid:hotline-list", "grid:roster", "grid:stats",
                 "grid:taxonomy", "grid:report"],
    "shiftlead": ["grid:desk", "grid:dispatch", "grid:inspection-list", "grid:inspection-create"],
    "dispatcher": ["grid:dispatch", "grid:case-list"],
    "inspector": ["grid:tasks", "grid:report", "grid:patrol", "grid:map"],
    "cgzf": ["grid:unit", "grid:case-list", "grid:roster"],
    "dunhua": ["grid:unit", "grid:report", "grid:case-list"],
    "leader": ["grid:stats", "grid:inspection-list", "grid:case-list"],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_it_renders_every_page_of_each_role(env, client_as, role):
    case = report(env)
    act(env, case, A.FILE, "shiftlead")
    client = client_as(env[role])
    for name in PAGES[role]:
        response = client.get(reverse(name))
        assert response.status_code == 200, (role, name)
        assert "<html" in response.content.decode()
    assert client.get(reverse("grid:home")).status_code == 302


def test_it_refuses_pages_without_the_capability(env, client_as):
    assert client_as(env["cgzf"]).get(reverse("grid:dispatch")).status_code == 403
    assert client_as(env["inspector"]).get(reverse("grid:desk")).status_code == 403
    assert client_as(env["clerk"]).get(reverse("grid:case-list")).status_code == 403


def test_it_reports_from_the_phone_page_with_a_photo(env, client_as):
    client = client_as(env["inspector"])
    response = client.post(reverse("grid:report"), {"category": "E0102", "description": "路边有暴露垃圾",
                                                    "lat": DUNHUA[0], "lng": DUNHUA[1], "source": "patrol",
                                                    "photos": [jpeg()]})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("grid:case-detail", args=[case.pk])
    photo = case.photos.get()
    image = client.get(reverse("grid:photo", args=[photo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert client_as(env["kongjiang"]).get(reverse("grid:photo", args=[photo.pk])).status_code == 404


def test_it_shows_clear_messages_for_bad_reports_and_saves_nothing(env, client_as):
    client = client_as(env["inspector"])
    outside = client.post(reverse("grid:report"), {"category": "E0102", "description": "路边有暴露垃圾",
                                                   "lat": OUTSIDE[0], "lng": OUTSIDE[1]})
    assert outside.status_code == 200 and "不在任何网格内" in outside.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("a.jpg", b"MZ\x90\x00 executable", content_type="image/jpeg")
    bad = client.post(reverse("grid:report"), {"category": "E0102", "description": "路边有暴露垃圾",
                                               "lat": DUNHUA[0], "lng": DUNHUA[1], "photos": [fake]})
    assert "不是有效的图片" in bad.content.decode()
    unknown = client.post(reverse("grid:report"), {"category": "E9999", "description": "路边有暴露垃圾",
                                                   "lat": DUNHUA[0], "lng": DUNHUA[1]})
    assert unknown.status_code == 200 and not Case.objects.exists()


def test_it_takes_actions_from_the_pages_and_refuses_them_clearly(env, client_as):
    case = report(env)
    shift = client_as(env["shiftlead"])
    wrong = shift.post(reverse("grid:case-act", args=[case.pk, "close"]), {"version": case.version})
    assert wrong.status_code == 400 and "不能执行“结案”" in wrong.content.decode()
    ok = shift.post(reverse("grid:case-act", args=[case.pk, "file"]),
                    {"version": case.version, "next": reverse("grid:desk")})
    assert ok.status_code == 302 and ok["Location"] == reverse("grid:desk")
    case.refresh_from_db()
    dispatch = client_as(env["dispatcher"]).post(reverse("grid:case-act", args=[case.pk, "dispatch"]),
                                                 {"version": case.version, "unit": env["chengguan"].pk})
    assert dispatch.status_code == 302
    case.refresh_from_db()
    assert case.status == S.DISPATCHED
    page = client_as(env["cgzf"]).get(reverse("grid:case-detail", args=[case.pk])).content.decode()
    assert "签收" in page and "申请回退" in page
    stale = client_as(env["cgzf"]).post(reverse("grid:case-act", args=[case.pk, "sign"]), {"version": 1})
    assert stale.status_code == 400 and "已被他人处理" in stale.content.decode()
    bogus = shift.post(reverse("grid:case-act", args=[case.pk, "explode"]), {})
    assert bogus.status_code == 404
    dispatch_page = client_as(env["dispatcher"]).get(reverse("grid:dispatch")).content.decode()
    assert case.number not in dispatch_page


def test_it_suggests_the_default_unit_and_the_work_station_to_the_dispatcher(env, client_as):
    act(env, report(env), A.FILE, "shiftlead")
    page = client_as(env["dispatcher"]).get(reverse("grid:dispatch")).content.decode()
    assert "默认责任单位" in page and "属地工作站" in page


def test_it_records_an_inspection_with_a_score_sheet(env, client_as):
    template = inspection_sheet("部门督查", "department")
    item = sheet_items(template)[0]
    client = client_as(env["leader"])
    too_high = client.post(reverse("grid:inspection-create"), {
        "sheet": template.pk, "title": "3月督查", "date": "2026-03-10", "department": env["chengguan"].pk,
        f"item_{item.pk}": "35"})
    assert too_high.status_code == 200 and "0到30" in too_high.content.decode()
    ok = client.post(reverse("grid:inspection-create"), {
        "sheet": template.pk, "title": "3月督查", "date": "2026-03-10", "department": env["chengguan"].pk,
        f"item_{item.pk}": "27.5"})
    assert ok.status_code == 302
    detail = client.get(ok["Location"]).content.decode()
    assert "27.5" in detail


def test_it_exports_the_case_list(env, client_as):
    report(env)
    response = client_as(env["operator"]).get(reverse("grid:case-export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_it_serves_the_case_list_fragment_to_htmx(env, client_as):
    report(env)
    response = client_as(env["operator"]).get(reverse("grid:case-list"), {"status": "reported"},
                                              HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text and 'id="case-table"' in text


def test_it_counts_pending_work_on_the_home_page(env, client_as):
    report(env)
    home = client_as(env["operator"]).get("/").content.decode()
    assert "待受理/立案/结案" in home


def test_it_lets_the_system_administrator_edit_the_catalogue_and_issue_open311_keys(env, client_as):
    from shequ.grid.models import Category, Open311Client

    admin = client_as(env["sysadmin"])
    assert admin.get("/system/grid/category/").status_code == 200
    category = Category.objects.get(code="E0102")
    assert admin.get(f"/system/grid/category/{category.pk}/change/").status_code == 200
    response = admin.post("/system/grid/open311client/add/", {
        "name": "第三方App", "jurisdiction": env["node_sub"].pk, "contact": "", "is_active": "on"}, follow=True)
    assert response.status_code == 200 and "只显示这一次" in response.content.decode()
    client = Open311Client.objects.get(name="第三方App")
    assert client.key_hash and client.key_prefix
    assert client_as(env["operator"]).get("/system/grid/category/").status_code in (302, 403)
