import json
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shequ.core.choices import NodeKind
from shequ.core.errors import DomainError
from shequ.core.models import Node
from shequ.grid import services, spatial
from shequ.grid.models import SpatialStamp
from shequ.grid.tests.conftest import DUNHUA, KONGJIANG, OUTSIDE

pytestmark = pytest.mark.django_db


def _square(x0, y0, size=0.005):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size],
                                                [x0, y0]]]}


def test_it_finds_the_grid_of_a_point_and_none_outside_every_grid(env):
    assert spatial.locate(*DUNHUA).code == env["grid_dunhua"].code
    assert spatial.locate(*KONGJIANG).code == env["grid_kongjiang"].code
    assert spatial.locate(*OUTSIDE) is None


def test_it_assigns_a_shared_border_point_to_the_smallest_code(env):
    # 121.535 is the border between the 敦化 and 控江 squares.
    assert spatial.locate(31.2775, 121.535).code == env["grid_dunhua"].code


def test_it_gives_the_same_answer_in_batch_as_one_by_one(env):
    rng = random.Random(7)
    points = [(rng.uniform(31.27, 31.285), rng.uniform(121.525, 121.545)) for _ in range(500)]
    index = spatial.get_index()
    batch = index.locate_many([p[1] for p in points], [p[0] for p in points])
    for (lat, lng), i in zip(points, batch):
        single = index.locate(lng, lat)
        assert (single.code if single else None) == (index.hits[i].code if i >= 0 else None)
    assert (batch >= 0).sum() > 30 and (batch < 0).sum() > 300


def test_it_rebuilds_the_index_when_grids_change(env):
    point = (31.2825, 121.5325)  # north of 敦化第1网格: nothing there yet
    assert spatial.locate(*point) is None
    services.grids_import_geojson(actor=env["shiftlead"], data={"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _square(121.530, 31.280), "properties": {
            "code": "31011001500102", "name": "敦化第2网格", "committee": env["node_dunhua"].code}}]})
    assert spatial.locate(*point).code == "31011001500102"


def test_it_imports_geojson_atomically(env):
    good = {"type": "Feature", "geometry": _square(121.530, 31.280),
            "properties": {"code": "31011001500102", "name": "敦化第2网格", "committee": env["node_dunhua"].code}}
    bad = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [121.5, 31.2]},
           "properties": {"code": "31011001500103", "name": "坏网格", "committee": env["node_dunhua"].code}}
    with pytest.raises(DomainError) as exc:
        services.grids_import_geojson(actor=env["shiftlead"], data={"type": "FeatureCollection",
                                                                     "features": [good, bad]})
    assert "第2个要素" in exc.value.message
    assert not Node.objects.filter(code__in=["31011001500102", "31011001500103"]).exists()
    with pytest.raises(DomainError):
        services.grids_import_geojson(actor=env["shiftlead"], data=b"not json")
    other = dict(good, properties={**good["properties"], "committee": env["node_yinxing"].code})
    with pytest.raises(DomainError):  # a committee outside the actor's jurisdiction
        services.grids_import_geojson(actor=env["shiftlead"], data={"type": "FeatureCollection", "features": [other]})


def test_it_exports_and_reimports_grids_through_the_pages(env, client_as):
    client = client_as(env["shiftlead"])
    exported = client.get(reverse("grid:grids-export"))
    data = json.loads(exported.content)
    assert {f["properties"]["code"] for f in data["features"]} == {env["grid_dunhua"].code,
                                                                    env["grid_kongjiang"].code}
    data["features"][0]["properties"]["name"] = "敦化第1网格（调整）"
    upload = SimpleUploadedFile("grids.geojson", json.dumps(data).encode())
    response = client.post(reverse("grid:grids-import"), {"file": upload}, follow=True)
    assert "更新 2 个" in response.content.decode()
    assert Node.objects.filter(kind=NodeKind.GRID, name="敦化第1网格（调整）").exists()
    assert client_as(env["inspector"]).post(reverse("grid:grids-import"), {}).status_code == 403
    features = client.get(reverse("grid:grids-geojson")).json()["features"]
    assert len(features) == 2 and "open_cases" in features[0]["properties"]


def test_it_manages_responsible_persons_and_buildings(env, client_as):
    grid = env["grid_dunhua"]
    client = client_as(env["shiftlead"])
    client.post(reverse("grid:grid-detail", args=[grid.pk]), {"form": "responsible", "name": "李网格",
                                                              "duty": "网格长", "phone": "13900000000"})
    response = client.post(reverse("grid:grid-detail", args=[grid.pk]), {
        "form": "building", "name": "1号楼", "kind": "住宅", "lat": KONGJIANG[0], "lng": KONGJIANG[1]})
    assert "坐标不在该网格内" in response.content.decode() or "不在该网格内" in response.content.decode()
    client.post(reverse("grid:grid-detail", args=[grid.pk]), {"form": "building", "name": "1号楼", "kind": "住宅",
                                                              "floors": 6, "lat": DUNHUA[0], "lng": DUNHUA[1]})
    assert grid.responsibles.get().name == "李网格" and grid.buildings.get().floors == 6
    page = client_as(env["dunhua"]).get(reverse("grid:grid-detail", args=[grid.pk]))
    assert page.status_code == 200 and "李网格" in page.content.decode()
    assert client_as(env["kongjiang"]).get(reverse("grid:grid-detail", args=[grid.pk])).status_code == 404


def test_it_reassigns_open_cases_in_one_batch_when_grids_change(env):
    from shequ.grid.tests.conftest import report

    case = report(env)
    closed_case = report(env)
    from shequ.grid.models import Case

    Case.objects.filter(pk=closed_case.pk).update(status="closed")
    result = services.grids_import_geojson(actor=env["shiftlead"], data={"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _square(121.531, 31.276, 0.002), "properties": {
            "code": "31011001500100", "name": "敦化第0网格", "committee": env["node_dunhua"].code}}]})
    assert result["moved"] == 1
    case.refresh_from_db()
    closed_case.refresh_from_db()
    assert case.grid.code == "31011001500100" and closed_case.grid == env["grid_dunhua"]
    assert case.events.filter(note__contains="敦化第0网格").exists()


def test_another_nodes_grid_change_is_seen_once_the_recheck_interval_has_passed(env, settings, monkeypatch):
    """A process reads the stamp of the last grid change at most every SHEQU_SPATIAL_RECHECK_SECONDS; a change
    another node made (the stamp moved, nothing cleared here) is picked up on the first lookup after that."""
    settings.SHEQU_SPATIAL_RECHECK_SECONDS = 2
    clock = [1000.0]
    monkeypatch.setattr(spatial.time, "monotonic", lambda: clock[0])
    spatial.clear()
    before = spatial.get_index()
    assert spatial.get_index() is before
    # Another node moves 敦化's square away and touches the stamp: this process's own signal does not fire.
    Node.objects.filter(pk=env["grid_dunhua"].pk).update(geometry=_square(121.60, 31.30))
    SpatialStamp.objects.update_or_create(pk=SpatialStamp.objects.order_by("-id").values_list("pk", flat=True)
                                          .first(), defaults={"changed_at": timezone.now()})
    clock[0] += 1.5
    assert spatial.get_index() is before  # within the interval: no read of the stamp
    assert spatial.locate(*DUNHUA).code == env["grid_dunhua"].code
    clock[0] += 1.0
    assert spatial.get_index() is not before  # past it: the stamp read again, the index rebuilt
    hit = spatial.locate(*DUNHUA)
    assert hit is None or hit.code != env["grid_dunhua"].code


def test_a_lookup_within_the_interval_sends_no_statement(env, settings, django_assert_num_queries):
    settings.SHEQU_SPATIAL_RECHECK_SECONDS = 60
    spatial.clear()
    spatial.get_index()
    with django_assert_num_queries(0):
        spatial.locate(*DUNHUA)
