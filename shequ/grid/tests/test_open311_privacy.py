"""What the public Open311 GET shows: one jurisdiction's requests, no personal data (redacted descriptions, rounded
positions, no reporter), the main case of a merged report, and a public EXIF-free copy of the first photo."""

import io

import pytest
from django.test import Client
from PIL import Image

from shequ.core.testing import make_resident, valid_id_number
from shequ.grid import services
from shequ.grid.choices import CaseAction as A
from shequ.grid.models import Case
from shequ.grid.tests.conftest import DUNHUA, act, jpeg

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
SUB, OTHER = "310110015000", "310110016000"


@pytest.fixture
def key(env):
    return services.open311_client_issue(actor=None, name="测试App", jurisdiction=env["node_sub"])[1]


@pytest.fixture
def http():
    return Client(enforce_csrf_checks=True)


def _post(http, key, **data):
    payload = {"api_key": key, "service_code": "E0102", "lat": DUNHUA[0], "long": DUNHUA[1],
               "description": "路边有暴露垃圾", **data}
    answer = http.post(f"{BASE}/requests.json", payload)
    assert answer.status_code == 200, answer.content
    return answer.json()[0]["service_request_id"]


def test_it_lists_only_the_requested_jurisdictions_requests(env, key, http):
    ours = _post(http, key)
    theirs = _post(http, key, lat="", long="", address_string="殷行路1号", jurisdiction_id=OTHER)
    assert Case.objects.get(number=theirs).node == env["node_other_sub"]

    def listed(**params):
        return {r["service_request_id"] for r in http.get(f"{BASE}/requests.json", params).json()}

    assert listed(jurisdiction_id=SUB) == {ours}
    assert listed(jurisdiction_id=OTHER) == {theirs}
    assert listed() == {ours, theirs}  # a client that names no jurisdiction sees the whole endpoint
    assert listed(jurisdiction_id=SUB, service_request_id=theirs) == set()
    assert http.get(f"{BASE}/requests/{theirs}.json", {"jurisdiction_id": SUB}).status_code == 404
    assert http.get(f"{BASE}/requests/{theirs}.json", {"jurisdiction_id": OTHER}).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_never_shows_personal_data(env, key, http, fmt):
    make_resident(env["clerk"], env["node_dunhua"], name="李建国")
    id_number = valid_id_number()
    number = _post(http, key, first_name="小明", last_name="王", phone="13912345678", email="wang@example.com",
                   description=f"楼下李建国家门口堆满垃圾，我是王小明，电话13812345678，座机021-65432100，"
                               f"身份证{id_number}，请尽快处理", address_string="敦化路100号 王小明收")
    body = http.get(f"{BASE}/requests/{number}.{fmt}").content.decode()
    for secret in ("李建国", "王小明", "小明", "13812345678", "13912345678", "65432100", id_number,
                   "wang@example.com"):
        assert secret not in body, secret
    assert "李某" in body and "王某" in body and "[电话已隐去]" in body and "[身份证号已隐去]" in body
    assert "堆满垃圾" in body  # the rest of the description stays readable
    listed = http.get(f"{BASE}/requests.{fmt}").content.decode()
    assert "李建国" not in listed and "13812345678" not in listed
    # The stored case keeps what the citizen wrote (the staff need it).
    assert "李建国" in Case.objects.get(number=number).description


def test_it_rounds_coordinates_to_the_public_precision(env, key, http, settings):
    number = _post(http, key, lat="31.277512", long="121.532587")
    row = http.get(f"{BASE}/requests/{number}.json").json()[0]
    assert (row["lat"], row["long"]) == (31.278, 121.533)
    settings.SHEQU_GRID_PUBLIC_COORD_DECIMALS = 2
    row = http.get(f"{BASE}/requests/{number}.json").json()[0]
    assert (row["lat"], row["long"]) == (31.28, 121.53)


def test_it_shows_the_patrol_case_a_report_was_merged_into(env, key, http):
    from shequ.grid.testing import report

    main = report(env, user="inspector", description="巡查发现暴露垃圾，监督员张伟 13700001111")
    number = _post(http, key)
    act(env, Case.objects.get(number=number), A.MERGE, "operator", target=main.number)
    merged = http.get(f"{BASE}/requests/{number}.json").json()[0]
    assert merged["status"] == "closed" and main.number in merged["status_notes"]
    shown = http.get(f"{BASE}/requests/{main.number}.json")
    assert shown.status_code == 200
    row = shown.json()[0]
    assert row["service_request_id"] == main.number and row["status"] == "open"
    assert "13700001111" not in shown.content.decode()
    # A patrol case nobody reported from outside stays private.
    private = report(env, user="inspector")
    assert http.get(f"{BASE}/requests/{private.number}.json").status_code == 404
    assert private.number not in {r["service_request_id"] for r in http.get(f"{BASE}/requests.json").json()}


def test_it_links_a_public_exif_free_copy_of_the_first_photo(env, key, http, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = jpeg(gps=(31.2775, 121.5325), size=(2000, 1500))
    photo.name = "photo.jpg"
    answer = http.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "E0102", "lat": DUNHUA[0],
                                                  "long": DUNHUA[1], "description": "路边有暴露垃圾",
                                                  "media": photo})
    assert answer.status_code == 200, answer.content
    number = answer.json()[0]["service_request_id"]
    row = http.get(f"{BASE}/requests/{number}.json").json()[0]
    assert row["media_url"].startswith("http://testserver/open311/v2/media/")
    image = http.get(row["media_url"])  # no login
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    data = b"".join(image.streaming_content)
    picture = Image.open(io.BytesIO(data))
    assert not picture.getexif() and b"Exif" not in data and max(picture.size) <= 1280
    # The copy's name is signed: a neighbouring id or a forged signature is a 404.
    token = row["media_url"].rsplit("/", 1)[1][:-4]
    photo_id, signature = token.split("-")
    assert http.get(f"{BASE}/media/{int(photo_id) + 1}-{signature}.jpg").status_code == 404
    assert http.get(f"{BASE}/media/{photo_id}-{'0' * 20}.jpg").status_code == 404
    # A case without a photo has none.
    assert http.get(f"{BASE}/requests/{_post(http, key)}.json").json()[0]["media_url"] is None
