"""A 全市通办 transfer (收受分离) end to end in a browser: the clerk of 延吉新村街道 accepts a 低保 application for an
applicant whose 户籍 is in another district (浦东新区), the case page shows the transfer; the clerk puts its paper
in a batch with a courier and downloads the hand-over sheet (a real PDF naming the batch); then, as the outside
centre reports each step, records 签收, 审核 and 回传结果, and the case is ready to 办结 here with its due date
unchanged. A non-通办 item for the same applicant is refused at intake with the reason. Screenshots at 1366 and
390 px go to /tmp/shots/transfer/."""

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from shequ.core.testing import PASSWORD, valid_id_number

from .conftest import login_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/transfer")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
OUTSIDE = "浦东新区潍坊新村街道社区事务受理服务中心"


@pytest.fixture
def centre(settings, tree, personas):
    # The browser runs in real time while the server is frozen on a Tuesday morning: session-scoped cookies.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        from shequ.acceptance.testing import build_centre

        centre = build_centre(tree, personas)
        dibao = centre["dibao"]
        dibao.tongban, dibao.separated = True, True
        dibao.save()
        yield centre


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fill_intake(page, base, item, *, outside=True):
    page.goto(f"{base}/acceptance/cases/new/?item={item.pk}")
    page.fill("input[name=applicant_name]", "赵卫东")
    page.fill("input[name=applicant_id_number]", valid_id_number(seed=77))
    page.fill("input[name=applicant_phone]", "13916007788")
    for box in page.locator("#item-materials input[name=materials]").all():
        box.check()
    if outside:
        page.locator("summary:has-text('户籍地/居住地')").click()
        page.select_option("select[name=home_centre]", value="outside")
        page.fill("input[name=home_outside]", OUTSIDE)


def test_a_tongban_transfer_goes_from_intake_to_result_returned(page, browser, live_server, centre):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    login_page(page, live_server, "clerk", PASSWORD)

    # A non-通办 item for the same applicant is refused with the reason.
    _fill_intake(page, base, centre["long"])
    page.click("button:has-text('提交')")
    expect(page.locator(".alert-danger").first).to_contain_text("不是全市通办事项")
    expect(page.locator(".alert-danger").first).to_contain_text("浦东新区潍坊新村街道")
    _shot(page, "01_intake_refused_1366")

    # The 通办 item of the 收受分离 mode: accepted, and the transfer opened to the home centre.
    _fill_intake(page, base, centre["dibao"])
    expect(page.locator("#item-materials")).to_contain_text("收受分离")
    _shot(page, "02_intake_1366")
    page.click("button:has-text('提交')")
    page.wait_for_url(re.compile(r".*/acceptance/cases/\d+/$"))
    case_url = page.url
    card = page.locator("#case-transfer")
    expect(card).to_contain_text(OUTSIDE)
    expect(card).to_contain_text("待寄送")
    number = page.locator("h1 .sq-mono").inner_text()
    from shequ.acceptance.models import Case

    due = Case.objects.get(number=number).due_date
    _shot(page, "03_case_1366")

    # The transfer page: scanned materials listed, the paper still to send.
    card.get_by_role("link", name="转递详情与操作").click()
    expect(page.get_by_text("已转出的材料扫描件")).to_be_visible()
    expect(page.get_by_text("家庭成员收入证明")).to_be_visible()
    transfer_url = page.url
    page.get_by_role("link", name="寄送纸质材料").click()

    # The batch: the case is ticked, a wrong phone is refused, then the batch is sent.
    expect(page.locator(f"label:has-text('{number}')")).to_be_visible()
    expect(page.locator("input[name=transfers]").first).to_be_checked()
    page.fill("input[name=courier_name]", "区机要交换站 顾师傅")
    page.fill("input[name=courier_phone]", "1376")
    page.click("button:has-text('登记寄出')")
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    page.fill("input[name=courier_phone]", "13761820517")
    _shot(page, "04_batch_new_1366")
    page.click("button:has-text('登记寄出')")
    page.wait_for_url(re.compile(r".*/acceptance/transfers/batches/\d+/$"))
    batch_no = page.locator("h1 .sq-mono").inner_text()
    assert batch_no.startswith("ZB260310")
    expect(page.get_by_text("137****0517")).to_be_visible()
    assert "13761820517" not in page.content()
    _shot(page, "05_batch_1366")

    # The hand-over sheet is a real PDF naming the batch and the case.
    href = page.get_by_role("link", name="交接单（PDF）").get_attribute("href")
    pdf = page.request.get(f"{base}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(body)
            f.flush()
            text = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True,
                                  check=True).stdout.decode()
        assert batch_no in text and number in text and "纸质材料交接单" in text

    # The outside centre's steps, recorded here as it reports them.
    page.goto(transfer_url)
    expect(page.locator("h1")).to_contain_text("已寄出")
    page.fill("form:has(button[value=receive]) textarea[name=note]", "对方中心电话告知已签收")
    page.click("button[value=receive]")
    expect(page.locator(".alert-success")).to_contain_text("签收材料")
    page.click("button[value=review]")  # no outcome chosen: refused on the form
    expect(page.locator(".invalid-feedback").first).to_contain_text("审核结果")
    page.goto(transfer_url)
    page.select_option("form:has(button[value=review]) select[name=outcome]", value="approved")
    page.click("button[value=review]")
    expect(page.locator("h1")).to_contain_text("户籍地中心已审核")
    page.fill("form:has(button[value=return_result]) input[name=result_note]", "核准低保，自4月起发放")
    _shot(page, "06_transfer_reviewed_1366")
    page.click("button[value=return_result]")
    expect(page.locator("h1")).to_contain_text("结果已回传")
    expect(page.get_by_text("核准低保，自4月起发放", exact=True)).to_be_visible()
    _shot(page, "07_transfer_returned_1366")

    # The case here takes the home centre's decision; its due date never moved.
    page.goto(case_url)
    expect(page.locator("h1")).to_contain_text("审核通过")
    assert Case.objects.get(number=number).due_date == due

    # The list, filtered by status, and the pages at 390 px.
    page.goto(f"{base}/acceptance/transfers/?status=returned")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    _shot(page, "08_list_1366")
    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    login_page(phone, live_server, "clerk", PASSWORD)
    for name, url in (("list", "/acceptance/transfers/"), ("transfer", transfer_url.replace(base, "")),
                      ("batch_new", "/acceptance/transfers/batches/new/"), ("case", case_url.replace(base, "")),
                      ("intake", f"/acceptance/cases/new/?item={centre['dibao'].pk}")):
        phone.goto(f"{base}{url}")
        _shot(phone, f"09_{name}_390")
    phone.goto(f"{base}/acceptance/transfers/")
    expect(phone.get_by_role("link", name=number)).to_be_visible()
    phone.context.close()
