"""The supermarket's pages: personas, bad input, the receipt PDF."""

import shutil
import subprocess

import pytest

from shequ.charity.models import Distribution, Donation

pytestmark = pytest.mark.django_db


def url(m, tail=""):
    return f"/charity/{m['supermarket'].pk}/{tail}"


def test_it_shows_every_page_to_the_operator(market, client_as):
    c = client_as(market["op"])
    assert c.get("/charity/").status_code == 302
    for tail in ("", "donations/", "donations/new/", "counter/", "counter/?q=王秀英", "report/",
                 f"goods/{market['rice'].pk}/", f"counter/{market['household'].pk}/", "report/?month=2026-11"):
        response = c.get(url(market, tail))
        assert response.status_code == 200, tail
    assert "王秀英" in c.get(url(market, "counter/?q=王秀英")).content.decode()
    page = c.get(url(market, f"counter/{market['household'].pk}/")).content.decode()
    assert "低保" in page and "100" in page


def test_it_hands_out_at_the_counter(market, client_as):
    c = client_as(market["op"])
    target = url(market, f"counter/{market['household'].pk}/")
    response = c.post(target, {"recipient": market["spouse"].pk, f"q_{market['rice'].pk}": "3"})
    assert response.status_code == 302
    assert Distribution.objects.get().points == 60
    response = c.post(target, {"recipient": market["head"].pk, f"q_{market['oil'].pk}": "2"})
    assert response.status_code == 400 and "超出本月额度" in response.content.decode()
    for bad in ({"recipient": "x", f"q_{market['rice'].pk}": "1"}, {"recipient": market["head"].pk},
                {"recipient": market["head"].pk, f"q_{market['rice'].pk}": "-3"},
                {"recipient": market["plain"].pk, f"q_{market['rice'].pk}": "1"}):
        assert c.post(target, bad).status_code == 400
    assert Distribution.objects.count() == 1


def test_it_registers_a_donation_and_prints_its_receipt(market, client_as, tmp_path):
    c = client_as(market["op"])
    response = c.post(url(market, "donations/new/"), {
        "kind": "goods", "donor_kind": "company", "donor_name": "上海延吉商贸有限公司", "donor_phone": "13912345678",
        "received_on": "2026-12-01", f"q_{market['rice'].pk}": "12", "amount": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    d = Donation.objects.get()
    page = c.get(response["Location"]).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    pdf = c.get(url(market, f"donations/{d.pk}/receipt.pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "r.pdf"
        path.write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
        assert text.count("\f") == 1  # one page
        flat = text.replace(" ", "")
        for expected in ("捐赠收据", d.number, "上海延吉商贸有限公司", "大米", "12 袋", "139****5678", "2026年12月1日"):
            assert expected.replace(" ", "") in flat, expected
        assert "13912345678" not in text


def test_it_refuses_bad_donation_input_with_a_form(market, client_as):
    c = client_as(market["op"])
    for data in ({"kind": "money", "donor_kind": "person", "donor_name": "陈美华", "received_on": "2026-12-01",
                  "amount": "abc"},
                 {"kind": "money", "donor_kind": "person", "donor_name": "陈美华", "received_on": "2026-12-01",
                  "amount": "0"},
                 {"kind": "goods", "donor_kind": "person", "donor_name": "陈美华", "received_on": "2026-12-01"},
                 {"kind": "goods", "donor_kind": "x", "donor_name": "", "received_on": "99999-1-1"}):
        assert c.post(url(market, "donations/new/"), data).status_code == 400
    assert not Donation.objects.exists()
    assert c.get(url(market, "report/?month=abc")).status_code == 400
    assert c.post(url(market, ""), {"m-goods": "999", "m-kind": "loss", "m-quantity": "1"}).status_code == 400
    assert c.post(url(market, ""), {"g-name": "", "g-unit": "袋", "g-points": "-1"}).status_code == 400


def test_it_scopes_pages_to_personas(market, client_as, personas, client):
    for user in (market["op2"], personas["kongjiang"], personas["yinxing"]):
        assert client_as(user).get(url(market)).status_code == 404
    dunhua = client_as(personas["dunhua"])
    assert dunhua.get(url(market)).status_code == 200
    assert dunhua.get(url(market, "counter/")).status_code == 403
    assert dunhua.post(url(market, f"counter/{market['household'].pk}/"),
                       {"recipient": market["head"].pk, f"q_{market['rice'].pk}": "1"}).status_code == 403
    assert client_as(personas["leader"]).get(url(market, "report/")).status_code == 200
    assert client_as(personas["resident"]).get(url(market)).status_code in (302, 403)
    assert client.get(url(market)).status_code == 302
    assert client_as(market["op"]).get(url(market, "counter/999999/")).status_code == 404
    assert client_as(market["op"]).get(url(market, "donations/999999/")).status_code == 404
