from django.db import models
from django.utils.translation import gettext_lazy as _


class NodeKind(models.TextChoices):
    DISTRICT = "district", _("区")
    SUBDISTRICT = "subdistrict", _("街道")
    COMMITTEE = "committee", _("居委会")
    GRID = "grid", _("网格")


# A node may only sit under a node of the kind before it.
NODE_PARENT_KIND = {
    NodeKind.DISTRICT: None,
    NodeKind.SUBDISTRICT: NodeKind.DISTRICT,
    NodeKind.COMMITTEE: NodeKind.SUBDISTRICT,
    NodeKind.GRID: NodeKind.COMMITTEE,
}


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("安全审计员")
    LEADER = "leader", _("街道领导")
    HALL_SUPERVISOR = "hall_supervisor", _("受理大厅主管")
    WINDOW_CLERK = "window_clerk", _("窗口受理员")
    DEPT_OFFICER = "dept_officer", _("部门后台审批员")
    OPS_OPERATOR = "ops_operator", _("城运中心值班员")
    DISPATCHER = "dispatcher", _("派遣员")
    SHIFT_LEADER = "shift_leader", _("值班长")
    PATROL = "patrol", _("联勤队员")
    INSPECTOR = "inspector", _("监督员")
    COMMITTEE_WORKER = "committee_worker", _("居委会社工")
    HOTLINE_OFFICE = "hotline_office", _("区12345热线办")
    FACILITY_OPERATOR = "facility_operator", _("设施运营人员")
    VOLUNTEER = "volunteer", _("志愿者")
    RESIDENT = "resident", _("居民")
    # Outside evaluators (社会监督): they inspect and score departments and see nothing else.
    NPC_DEPUTY = "npc_deputy", _("人大代表")
    ETHICS_MONITOR = "ethics_monitor", _("行风政风监督员")
    INSPECTION_TEAM = "inspection_team", _("督察队员")


# 三权分立: these three roles administer the system and never do business work or each other's work.
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
# Outside evaluators are not office staff: no jurisdiction tree, no workbench, only their inspections.
EVALUATOR_ROLES = frozenset({Role.NPC_DEPUTY, Role.ETHICS_MONITOR, Role.INSPECTION_TEAM})


class AuditAction(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账号锁定")
    LOGOUT = "logout", _("退出")
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    TRANSITION = "transition", _("状态变更")
    VIEW = "view", _("查看")
    SEARCH = "search", _("查询")
    REVEAL = "reveal", _("查看明文")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    PRINT = "print", _("打印")
    PERMISSION = "permission", _("权限变更")
    CONFIG = "config", _("配置变更")
    DENIED = "denied", _("越权访问")


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")
    DENIED = "denied", _("拒绝")


class DepartmentKind(models.TextChoices):
    DISTRICT_BUREAU = "bureau", _("区职能部门")
    SUBDISTRICT_OFFICE = "office", _("街道科室")
    SERVICE_UNIT = "unit", _("事业单位/服务机构")
    WORK_STATION = "station", _("联勤工作站")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class TaskRunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    RETRYING = "retrying", _("等待重试")
    SUCCEEDED = "succeeded", _("成功")
    FAILED = "failed", _("失败")


_LABELS: dict[int, tuple[object, dict]] = {}


def choice_labels(field) -> dict:
    """{value: label} of a model field's choices, built once per field (the labels stay lazy, so each use speaks
    the active language). Django's `get_<field>_display()` rebuilds and hashes the whole choice list on every call:
    a 50-row list showing three choice fields paid for 150 of them."""
    cached = _LABELS.get(id(field))
    if cached is None or cached[0] is not field.choices:  # choices replaced at run time: build again
        cached = (field.choices, dict(field.flatchoices))
        _LABELS[id(field)] = cached
    return cached[1]


def choice_label(obj, name: str) -> str:
    """What `obj.get_<name>_display()` answers, at the cost of one dict lookup."""
    field = obj._meta.get_field(name)
    value = getattr(obj, field.attname)
    return str(choice_labels(field).get(value, value))
