"""The pages: the volunteer's phone pages, the organiser's activity page with its code, review, the 志愿中心's
pages, the public certificate check and notice list."""

import pytest

from shequ.volunteers import services

from .conftest import at, publish

pytestmark = pytest.mark.django_db


def test_the_volunteer_login_lands_on_his_volunteer_page(org, vols, client_as):
    answer = client_as(vols[0][0]).get("/")
    assert answer.status_code == 302 and answer["Location"] == "/volunteers/me/"
    page = client_as(vols[0][0]).get("/volunteers/me/")
    assert page.status_code == 200 and "认定服务时长" in page.content.decode()


def test_a_volunteer_signs_up_and_checks_in_on_the_phone_page(org, vols, client_as, clock):
    activity = publish(org)
    c = client_as(vols[0][0])
    assert c.post(f"/volunteers/m/activities/{activity.pk}/signup/").status_code == 302
    clock.move_to(at(9, 29, 9))
    c = client_as(vols[0][0])
    page = c.post(f"/volunteers/m/activities/{activity.pk}/checkin/", {"code": "12"}, follow=True)
    assert "6位数字" in page.content.decode()
    code = services.activity_code(activity=activity)
    page = c.post(f"/volunteers/m/activities/{activity.pk}/checkin/", {"code": code}, follow=True)
    assert "签到成功" in page.content.decode()


def test_the_organiser_sees_the_code_and_others_do_not(org, vols, client_as):
    activity = publish(org)
    code = services.activity_code(activity=activity)
    assert code in client_as(org["vcenter"]).get(f"/volunteers/activities/{activity.pk}/").content.decode()
    assert code not in client_as(vols[0][0]).get(f"/volunteers/activities/{activity.pk}/").content.decode()
    assert client_as(vols[0][0]).get(f"/volunteers/activities/{activity.pk}/code/").status_code == 404


def test_a_resident_registers_himself_from_the_phone(org, personas, client_as, tree):
    from .conftest import valid_id

    c = client_as(personas["resident"])
    page = c.post("/volunteers/m/register/", {"name": "张居民", "id_number": "123", "phone": "13912345678",
                                              "committee": tree["dunhua"].pk, "consent": "on"})
    assert page.status_code == 200 and "身份证号" in page.content.decode()
    page = c.post("/volunteers/m/register/", {"name": "张居民", "id_number": valid_id(90), "phone": "13912345678",
                                              "committee": tree["dunhua"].pk, "consent": "on"})
    assert page.status_code == 302
    assert personas["resident"].volunteer.name == "张居民"


def test_the_public_pages_show_only_the_masked_name(org, vols, clock, client):
    user, volunteer = vols[0]
    activity = publish(org)
    services.signup_create(actor=user, activity=activity)
    clock.move_to(at(9, 29, 9))
    services.record_check_in(actor=user, activity=activity, code=services.activity_code(activity=activity))
    clock.move_to(at(9, 29, 11))
    record = services.record_check_out(actor=user, activity=activity, code=services.activity_code(activity=activity))
    services.record_approve(actor=org["vcenter"], record=record)
    cert = services.certificate_issue(actor=user, volunteer=volunteer)
    text = client.get(f"/volunteers/verify/?number={cert.number}").content.decode()
    assert "志*" in text and volunteer.name not in text and volunteer.id_masked not in text
    assert "2 小时" in text
    assert "未找到" in client.get("/volunteers/verify/?number=ZYZM000").content.decode()
    assert client.get("/volunteers/notices/").status_code == 200


@pytest.mark.parametrize("who,status", [("vcenter", 200), ("dunhua", 200), ("resident", 403), ("clerk", 403)])
def test_the_staff_pages_by_persona(org, vols, personas, client_as, who, status):
    user = org["vcenter"] if who == "vcenter" else personas[who]
    assert client_as(user).get("/volunteers/volunteers/").status_code == status


def test_the_certificate_pdf_holds_the_four_blocks(org, vols, clock, client_as):
    import shutil
    import subprocess
    import tempfile

    user, volunteer = vols[0]
    activity = publish(org)
    services.signup_create(actor=user, activity=activity)
    clock.move_to(at(9, 29, 9))
    services.record_check_in(actor=user, activity=activity, code=services.activity_code(activity=activity))
    clock.move_to(at(9, 29, 11))
    services.record_approve(actor=org["vcenter"], record=services.record_check_out(
        actor=user, activity=activity, code=services.activity_code(activity=activity)))
    cert = services.certificate_issue(actor=user, volunteer=volunteer)
    answer = client_as(user).get(f"/volunteers/certificates/{cert.pk}/pdf/")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert client_as(vols[1][0]).get(f"/volunteers/certificates/{cert.pk}/pdf/").status_code == 404
    if shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(answer.content)
            f.flush()
            text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True).stdout
        for block in ("志愿者身份信息", "志愿服务信息", "出具组织信息", "其他", cert.number, "王中心"):
            assert block in text
