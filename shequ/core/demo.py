"""Demo data for the core: 杨浦区 → 延吉新村街道, its 17 residents' committees, grids, departments and one
login per role. Idempotent: running it twice changes nothing."""

from __future__ import annotations

import contextlib
import random
from unittest import mock

from django.utils import timezone

from . import services, workcal
from .choices import DepartmentKind, NodeKind, Role
from .models import CalendarYear, Department, Node, User

DISTRICT = ("310110000000", "杨浦区")
SUBDISTRICT = ("310110015000", "延吉新村街道", "水丰路387号")
# The 17 residents' committees (2004 list), each with a street for synthetic addresses.
COMMITTEES = [
    ("敦化路", "敦化路"), ("控江路645弄", "控江路645弄"), ("控江七村", "控江路"), ("友谊新村", "延吉东路"),
    ("松花江路", "松花江路"), ("舒兰路", "舒兰路"), ("内江新村", "内江路"), ("长白三村", "长白路"),
    ("延吉一村", "延吉中路"), ("延吉二三村", "延吉西路"), ("延吉四村", "延吉东路"), ("延吉五六村", "延吉中路"),
    ("延吉七村", "延吉东路"), ("控江东三村", "控江路"), ("控江西三村", "控江路"), ("控江五村", "控江路"),
    ("杨家浜", "双阳路"),
]
# Synthetic lattice inside the real extent (WGS84): 31.27–31.29 N, 121.52–121.55 E.
LAT0, LAT1, LNG0, LNG1 = 31.2705, 31.2895, 121.5205, 121.5495
BLOCK_COLS, BLOCK_ROWS, CELLS = 6, 3, 2  # 6×3 blocks of 2×2 grids

DEPARTMENTS = [
    ("CGZF", "杨浦区城市管理行政执法局延吉中队", "城管执法", DepartmentKind.DISTRICT_BUREAU, "021-65010001"),
    ("FG", "杨浦区房屋管理局延吉房管办", "房管", DepartmentKind.DISTRICT_BUREAU, "021-65010002"),
    ("LHSR", "杨浦区绿化和市容管理局", "绿化市容", DepartmentKind.DISTRICT_BUREAU, "021-65010003"),
    ("SCJG", "杨浦区市场监督管理局延吉市场所", "市场监管", DepartmentKind.DISTRICT_BUREAU, "021-65010004"),
    ("PCS", "杨浦公安分局延吉新村派出所", "派出所", DepartmentKind.DISTRICT_BUREAU, "021-65010005"),
    ("RS", "杨浦区人力资源和社会保障局", "人社", DepartmentKind.DISTRICT_BUREAU, "021-65010006"),
    ("YB", "杨浦区医疗保障局", "医保", DepartmentKind.DISTRICT_BUREAU, "021-65010007"),
    ("MZ", "杨浦区民政局", "民政", DepartmentKind.DISTRICT_BUREAU, "021-65010008"),
    ("WJ", "杨浦区卫生健康委员会", "卫健", DepartmentKind.DISTRICT_BUREAU, "021-65010009"),
    ("CL", "杨浦区残疾人联合会", "残联", DepartmentKind.DISTRICT_BUREAU, "021-65010010"),
    ("TYJR", "杨浦区退役军人事务局", "退役军人", DepartmentKind.DISTRICT_BUREAU, "021-65010011"),
    ("DA", "杨浦区档案馆", "档案", DepartmentKind.DISTRICT_BUREAU, "021-65010012"),
    ("GJJ", "上海市公积金管理中心杨浦分中心", "公积金", DepartmentKind.DISTRICT_BUREAU, "021-65010013"),
    ("GH", "杨浦区总工会", "工会", DepartmentKind.DISTRICT_BUREAU, "021-65010014"),
    ("SW", "杨浦区水务局", "水务", DepartmentKind.DISTRICT_BUREAU, "021-65010015"),
    ("SLZX", "延吉新村街道社区事务受理服务中心", "受理中心", DepartmentKind.SUBDISTRICT_OFFICE, "021-65020001"),
    ("CYZX", "延吉新村街道城市运行管理中心", "城运中心", DepartmentKind.SUBDISTRICT_OFFICE, "021-65020002"),
    ("GLB", "延吉新村街道社区管理办公室", "管理办", DepartmentKind.SUBDISTRICT_OFFICE, "021-65020003"),
    ("FWB", "延吉新村街道社区服务办公室", "服务办", DepartmentKind.SUBDISTRICT_OFFICE, "021-65020004"),
    ("PAB", "延吉新村街道社区平安办公室", "平安办", DepartmentKind.SUBDISTRICT_OFFICE, "021-65020005"),
    ("ZZB", "延吉新村街道社区自治办公室", "自治办", DepartmentKind.SUBDISTRICT_OFFICE, "021-65020006"),
]

# (username, full name, role, scope, department code)
DEMO_USERS = [
    ("sysadmin", "系统管理员", Role.SYSADMIN, None, None),
    ("secadmin", "安全管理员", Role.SECADMIN, None, None),
    ("auditor", "安全审计员", Role.AUDITOR, None, None),
    ("leader", "王建国", Role.LEADER, "subdistrict", None),
    ("supervisor", "李敏", Role.HALL_SUPERVISOR, "subdistrict", "SLZX"),
    ("clerk", "陈晓燕", Role.WINDOW_CLERK, "subdistrict", "SLZX"),
    ("officer", "周立群", Role.DEPT_OFFICER, "subdistrict", "MZ"),
    ("operator", "吴海涛", Role.OPS_OPERATOR, "subdistrict", "CYZX"),
    ("dispatcher", "郑志强", Role.DISPATCHER, "subdistrict", "CYZX"),
    ("shiftlead", "孙卫东", Role.SHIFT_LEADER, "subdistrict", "CYZX"),
    ("patrol", "赵勇", Role.PATROL, "subdistrict", "CYZX"),
    ("inspector", "钱伟", Role.INSPECTOR, "subdistrict", "CYZX"),
    ("dunhua", "刘美华", Role.COMMITTEE_WORKER, "敦化路", None),
    ("kongjiang", "黄丽萍", Role.COMMITTEE_WORKER, "控江路645弄", None),
    ("facility", "何静", Role.FACILITY_OPERATOR, "subdistrict", "FWB"),
    ("volunteer", "林志愿", Role.VOLUNTEER, "敦化路", None),
    ("resident", "张居民", Role.RESIDENT, None, None),
    ("renda", "蒋玉梅", Role.NPC_DEPUTY, "subdistrict", None),
    ("xingfeng", "施建国", Role.ETHICS_MONITOR, "subdistrict", None),
    ("ducha", "屠志明", Role.INSPECTION_TEAM, "subdistrict", None),
]


def _lattice():
    """Lattice vertices with a little deterministic jitter on interior points, so the cells tile exactly but
    do not look like a spreadsheet."""
    cols, rows = BLOCK_COLS * CELLS, BLOCK_ROWS * CELLS
    rng = random.Random(15)
    points = {}
    for i in range(cols + 1):
        for j in range(rows + 1):
            lng = LNG0 + (LNG1 - LNG0) * i / cols
            lat = LAT0 + (LAT1 - LAT0) * j / rows
            if 0 < i < cols and 0 < j < rows:
                lng += rng.uniform(-0.25, 0.25) * (LNG1 - LNG0) / cols
                lat += rng.uniform(-0.25, 0.25) * (LAT1 - LAT0) / rows
            points[i, j] = [round(lng, 6), round(lat, 6)]
    return points


def _cell_polygon(points, i, j):
    ring = [points[i, j], points[i + 1, j], points[i + 1, j + 1], points[i, j + 1], points[i, j]]
    return {"type": "Polygon", "coordinates": [ring]}


def seed(*, stdout, password: str, rng: random.Random) -> dict:
    actor = None
    district = Node.objects.filter(code=DISTRICT[0]).first() or services.node_create(
        actor=actor, kind=NodeKind.DISTRICT, code=DISTRICT[0], name=DISTRICT[1])
    sub = Node.objects.filter(code=SUBDISTRICT[0]).first() or services.node_create(
        actor=actor, kind=NodeKind.SUBDISTRICT, code=SUBDISTRICT[0], name=SUBDISTRICT[1], parent=district,
        address=SUBDISTRICT[2])
    points = _lattice()
    committees = []
    for index, (name, _street) in enumerate(COMMITTEES):
        code = f"3101100150{index + 1:02d}"
        committee = Node.objects.filter(code=code).first() or services.node_create(
            actor=actor, kind=NodeKind.COMMITTEE, code=code, name=f"{name}居委会", parent=sub, sort_order=index)
        committees.append(committee)
    blocks = [(bi, bj) for bj in range(BLOCK_ROWS) for bi in range(BLOCK_COLS)]
    for block_index, (bi, bj) in enumerate(blocks):
        committee = committees[min(block_index, len(committees) - 1)]
        serial_base = 0 if block_index < len(committees) else 4
        for k, (di, dj) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)]):
            code = f"{committee.code}{serial_base + k + 1:02d}"
            if Node.objects.filter(code=code).exists():
                continue
            services.node_create(actor=actor, kind=NodeKind.GRID, code=code, parent=committee,
                                 name=f"{committee.name.removesuffix('居委会')}第{serial_base + k + 1}网格",
                                 geometry=_cell_polygon(points, bi * CELLS + di, bj * CELLS + dj),
                                 sort_order=serial_base + k)
    for order, (code, name, short, kind, phone) in enumerate(DEPARTMENTS):
        Department.objects.get_or_create(code=code, defaults={
            "name": name, "short_name": short, "kind": kind, "node": district if kind == DepartmentKind.DISTRICT_BUREAU
            else sub, "phone": phone, "sort_order": order})
    by_name = {c.name.removesuffix("居委会"): c for c in committees}
    created_users = 0
    for username, full_name, role, scope, dept in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        nodes = [] if scope is None else [sub] if scope == "subdistrict" else [by_name[scope]]
        department = Department.objects.get(code=dept) if dept else None
        user = services.user_create(actor=actor, username=username, full_name=full_name, role=role,
                                    password=password, nodes=nodes, department=department,
                                    password_is_temporary=False)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password_changed_at"])
        created_users += 1
    for year in (2025, 2026):
        if not CalendarYear.objects.filter(year=year).exists() and year in workcal.library_years():
            services.calendar_import_year(actor=actor, year=year)
    stdout.write(f"  辖区：{Node.objects.filter(kind=NodeKind.COMMITTEE).count()} 个居委会，"
                 f"{Node.objects.filter(kind=NodeKind.GRID).count()} 个网格；部门 {Department.objects.count()} 个；"
                 f"新建账号 {created_users} 个")
    return {"subdistrict": sub, "committees": committees}


@contextlib.contextmanager
def clock(moment):
    """Run services as if it were `moment`: the modules' demos write their history through the services."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
