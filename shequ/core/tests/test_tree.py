"""The jurisdiction tree: node rules, grid polygons, scoping, the grids GeoJSON and the tree page."""

import json

import pytest
from django.test import Client

from shequ.core import scoping, services
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.errors import DomainError
from shequ.core.models import AuditLog, Node


def square(x0=121.53, y0=31.28, size=0.004):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size],
                                                 [x0, y0 + size], [x0, y0]]]}


def _refused(field, **kwargs):
    before = Node.objects.count()
    with pytest.raises(DomainError) as exc:
        services.node_create(actor=None, **kwargs)
    assert field in exc.value.errors, exc.value.errors
    assert Node.objects.count() == before
    return exc.value


# --- node rules ------------------------------------------------------------------------------------------------

def test_it_builds_paths_from_the_codes_and_audits_each_node(tree):
    assert tree["district"].path == "/310110000000/"
    assert tree["dunhua"].path == "/310110000000/310110015000/310110015001/"
    assert tree["grid_dunhua"].path.endswith("/310110015001/31011001500101/")
    assert tree["grid_dunhua"].depth == 4
    assert AuditLog.objects.filter(action=AuditAction.CREATE, object_type="core.node").count() == 8


@pytest.mark.parametrize("kind, parent_key", [
    (NodeKind.COMMITTEE, "district"),     # a 居委会 directly under the 区
    (NodeKind.GRID, "sub"),               # a 网格 under a 街道
    (NodeKind.SUBDISTRICT, "dunhua"),     # a 街道 under a 居委会
    (NodeKind.SUBDISTRICT, None),         # a 街道 without parent
    (NodeKind.DISTRICT, "district"),      # a 区 with a parent
    (NodeKind.COMMITTEE, "grid_dunhua"),  # under a grid
])
def test_it_refuses_a_wrong_parent_kind(tree, kind, parent_key):
    error = _refused("parent", kind=kind, code="310110015009" if kind != NodeKind.GRID else "31011001500199",
                     name="错误", parent=tree[parent_key] if parent_key else None)
    assert "必须隶属于" in error.errors["parent"][0]


def test_it_refuses_an_unknown_kind(tree):
    _refused("kind", kind="province", code="310000000000", name="上海市")


@pytest.mark.parametrize("kind, code, parent_key", [
    (NodeKind.COMMITTEE, "31011001500A", "sub"),     # not digits
    (NodeKind.COMMITTEE, "31011001509", "sub"),      # 11 digits
    (NodeKind.COMMITTEE, "3101100150099", "sub"),    # 13 digits
    (NodeKind.COMMITTEE, "310110016009", "sub"),     # another 街道's prefix
    (NodeKind.SUBDISTRICT, "310120015000", "district"),  # another district's prefix
    (NodeKind.GRID, "3101100150019", "dunhua"),      # grid code too short
    (NodeKind.GRID, "3101100150010000001", "dunhua"),  # grid code too long
    (NodeKind.GRID, "31011001500201", "dunhua"),     # a 控江 grid code under 敦化
    (NodeKind.COMMITTEE, " 310110015009", "sub"),    # leading space
    (NodeKind.COMMITTEE, "", "sub"),
])
def test_it_refuses_bad_codes(tree, kind, code, parent_key):
    _refused("code", kind=kind, code=code, name="测试", parent=tree[parent_key],
             geometry=square() if kind == NodeKind.GRID else None)


def test_it_refuses_a_duplicate_code(tree):
    error = _refused("code", kind=NodeKind.COMMITTEE, code="310110015001", name="重复", parent=tree["sub"])
    assert "已被使用" in error.errors["code"][0]


def test_it_creates_a_valid_committee_and_grid(tree):
    committee = services.node_create(actor=None, kind=NodeKind.COMMITTEE, code="310110015003", name="新居委会",
                                     parent=tree["sub"])
    grid = services.node_create(actor=None, kind=NodeKind.GRID, code="310110015003001", name="新网格",
                                parent=committee, geometry=square())
    assert grid.parent == committee and grid.geometry == square()
    multi = {"type": "MultiPolygon", "coordinates": [square()["coordinates"],
                                                     square(121.54, 31.29)["coordinates"]]}
    other = services.node_create(actor=None, kind=NodeKind.GRID, code="310110015003002", name="飞地网格",
                                 parent=committee, geometry=multi)
    assert other.geometry["type"] == "MultiPolygon"


BOWTIE = {"type": "Polygon", "coordinates": [[[121.53, 31.28], [121.54, 31.29], [121.54, 31.28],
                                               [121.53, 31.29], [121.53, 31.28]]]}


@pytest.mark.parametrize("geometry, message", [
    (BOWTIE, "边界不是有效的多边形"),
    (square(x0=200.0), "坐标超出经纬度范围"),
    (square(y0=95.0), "坐标超出经纬度范围"),
    ({"type": "Point", "coordinates": [121.53, 31.28]}, "Polygon"),
    ("POLYGON((0 0, 1 0, 1 1, 0 0))", "Polygon"),
    ({"type": "Polygon", "coordinates": [[["a", "b"], ["c", "d"], ["e", "f"], ["a", "b"]]]}, ""),
    ({"type": "Polygon", "coordinates": [[[121.53, 31.28], [121.54, 31.28]]]}, ""),
    ({"type": "Polygon", "coordinates": []}, "边界不是有效的多边形"),
    ({"type": "Polygon"}, ""),
])
def test_it_refuses_an_invalid_grid_polygon(tree, geometry, message):
    error = _refused("geometry", kind=NodeKind.GRID, code="31011001500102", name="坏网格", parent=tree["dunhua"],
                     geometry=geometry)
    assert message in error.message


def test_it_updates_a_node_and_refuses_a_bad_polygon_on_update(tree, personas):
    grid = tree["grid_dunhua"]
    with pytest.raises(DomainError):
        services.node_update(actor=personas["sysadmin"], node=grid, geometry=BOWTIE)
    grid.refresh_from_db()
    assert grid.geometry != BOWTIE
    services.node_update(actor=personas["sysadmin"], node=grid, name="敦化一网格", geometry=square(121.531, 31.276))
    grid.refresh_from_db()
    assert grid.name == "敦化一网格"
    row = AuditLog.objects.filter(action=AuditAction.UPDATE, object_type="core.node").get()
    assert row.detail["name"] == ["敦化第1网格", "敦化一网格"]


# --- scoping -----------------------------------------------------------------------------------------------------

def test_it_computes_each_users_scope(personas, tree):
    dunhua, leader, yinxing = personas["dunhua"], personas["leader"], personas["yinxing"]
    assert scoping.scope_node_ids(dunhua) == {tree["dunhua"].pk, tree["grid_dunhua"].pk}
    assert scoping.scope_node_ids(leader, NodeKind.COMMITTEE) == {tree["dunhua"].pk, tree["kongjiang"].pk}
    assert scoping.in_scope(dunhua, tree["grid_dunhua"])
    assert not scoping.in_scope(dunhua, tree["kongjiang"])
    assert not scoping.in_scope(dunhua, tree["sub"])  # the parent is not inside the scope
    assert not scoping.in_scope(yinxing, tree["dunhua"])
    assert scoping.scope_node_ids(personas["sysadmin"]) == set()
    qs = Node.objects.all()
    assert set(scoping.filter_by_scope(qs, dunhua, field="parent")) == {tree["grid_dunhua"]}
    assert not scoping.filter_by_scope(qs, personas["auditor"], field="parent").exists()
    assert list(scoping.scoped_nodes(leader, NodeKind.GRID)) == [tree["grid_dunhua"], tree["grid_kongjiang"]]


def test_it_leaves_an_inactive_node_out_of_the_scope(personas, tree):
    services.node_update(actor=None, node=tree["dunhua"], is_active=False)
    dunhua = type(personas["dunhua"]).objects.get(pk=personas["dunhua"].pk)
    assert scoping.scope_node_ids(dunhua) == set()


# --- grids GeoJSON and the tree page -----------------------------------------------------------------------------

def _grid_codes(response):
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    for feature in body["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"
    return [f["properties"]["code"] for f in body["features"]]


@pytest.mark.parametrize("who, codes", [
    ("dunhua", ["31011001500101"]),
    ("kongjiang", ["31011001500201"]),
    ("yinxing", []),
    ("leader", ["31011001500101", "31011001500201"]),
    ("sysadmin", ["31011001500101", "31011001500201"]),
])
def test_it_returns_only_the_grids_in_the_users_scope(client_as, personas, who, codes):
    assert _grid_codes(client_as(personas[who]).get("/tree/grids.geojson")) == codes


def test_it_names_the_committee_of_each_grid(client_as, personas):
    body = client_as(personas["dunhua"]).get("/tree/grids.geojson").json()
    assert body["features"][0]["properties"]["committee"] == "敦化路居委会"
    assert body["features"][0]["properties"]["name"] == "敦化第1网格"


@pytest.mark.parametrize("who", ["auditor", "resident"])
def test_it_refuses_the_tree_to_roles_without_it(client_as, personas, who):
    c = client_as(personas[who])
    assert c.get("/tree/").status_code == 403
    assert c.get("/tree/grids.geojson").status_code == 403


def test_it_sends_anonymous_visitors_of_the_tree_to_login(tree):
    response = Client().get("/tree/grids.geojson")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_renders_the_tree_page_within_the_scope(client_as, personas):
    response = client_as(personas["dunhua"]).get("/tree/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "敦化路居委会" in html
    assert "延吉新村街道" in html and "杨浦区" in html  # ancestors, so the tree reads from the top
    assert "控江路645弄居委会" not in html and "殷行" not in html
    assert "/tree/grids.geojson" in html
    assert "杨浦区民政局" in html  # departments


def test_it_renders_the_whole_tree_for_the_sysadmin(client_as, personas):
    html = client_as(personas["sysadmin"]).get("/tree/").content.decode()
    for name in ("杨浦区", "延吉新村街道", "殷行街道", "敦化路居委会", "控江路645弄居委会", "殷行一村居委会"):
        assert name in html


# --- the config admin applies the same rules ------------------------------------------------------------------

def _admin_add(c, **data):
    payload = {"kind": "", "code": "", "name": "新节点", "parent": "", "geometry": "", "address": "",
               "sort_order": 0, "is_active": "on", **data}
    return c.post("/system/core/node/add/", payload)


@pytest.mark.parametrize("data, field", [
    ({"kind": "committee", "code": "310110000009", "parent": "district"}, "parent"),
    ({"kind": "committee", "code": "31011001500X", "parent": "sub"}, "code"),
    ({"kind": "committee", "code": "310110016009", "parent": "sub"}, "code"),
    ({"kind": "committee", "code": "310110015001", "parent": "sub"}, "code"),
    ({"kind": "grid", "code": "31011001500102", "parent": "dunhua", "geometry": json.dumps(BOWTIE)}, "geometry"),
    ({"kind": "grid", "code": "31011001500102", "parent": "dunhua",
      "geometry": json.dumps(square(x0=500.0))}, "geometry"),
])
def test_it_applies_the_node_rules_in_the_config_admin(client_as, personas, tree, data, field):
    data = {**data, "parent": tree[data["parent"]].pk}
    before = Node.objects.count()
    response = _admin_add(client_as(personas["sysadmin"]), **data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    assert Node.objects.count() == before


def test_it_creates_a_valid_node_in_the_config_admin(client_as, personas, tree):
    response = _admin_add(client_as(personas["sysadmin"]), kind="grid", code="31011001500102", name="敦化第2网格",
                          parent=tree["dunhua"].pk, geometry=json.dumps(square(121.536, 31.28)))
    assert response.status_code == 302
    node = Node.objects.get(code="31011001500102")
    assert node.path == tree["dunhua"].path + "31011001500102/"
    assert AuditLog.objects.filter(action=AuditAction.CONFIG, object_type="core.node",
                                   object_id=str(node.pk)).exists()


def test_it_refuses_an_invalid_polygon_when_editing_a_grid_in_the_config_admin(client_as, personas, tree):
    grid = tree["grid_dunhua"]
    response = client_as(personas["sysadmin"]).post(f"/system/core/node/{grid.pk}/change/", {
        "name": grid.name, "geometry": json.dumps(BOWTIE), "address": "", "sort_order": 0, "is_active": "on"})
    assert response.status_code == 200
    assert "geometry" in response.context["adminform"].form.errors
    grid.refresh_from_db()
    assert grid.geometry["coordinates"] != BOWTIE["coordinates"]
