from django.utils.translation import gettext_lazy as _

from .choices import EVALUATOR_ROLES, Role
from .hooks import NavItem, PendingCounter, nav, pending, section
from .permissions import grant

STAFF = [r for r in Role.values
         if r not in (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR, Role.RESIDENT) and r not in EVALUATOR_ROLES]

grant([Role.SYSADMIN], "core.manage_config", "core.view_tree")
grant([Role.SECADMIN], "core.manage_users", "core.view_tree")
grant([Role.AUDITOR], "core.read_audit")
# Two-person rule: a reset of an administrator account waits for a second administrator, whichever of the three.
grant([Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR], "core.approve_admin_reset")
grant(Role.values, "core.inbox")
grant(STAFF, "core.view_tree")
grant([Role.LEADER, Role.HALL_SUPERVISOR, Role.OPS_OPERATOR, Role.SHIFT_LEADER, Role.DISPATCHER,
       Role.WINDOW_CLERK, Role.DEPT_OFFICER], "core.view_calendar")
grant([Role.SYSADMIN], "core.view_calendar")
grant([Role.SYSADMIN], "core.operations")  # background tasks and schedule: no business data on the page

section(_("工作台"), 0)
section(_("系统"), 900)

nav(
    NavItem(_("工作台"), _("首页"), "core:home", "core.inbox", "house", 0),
    NavItem(_("工作台"), _("消息"), "core:inbox", "core.inbox", "bell", 1),
    NavItem(_("系统"), _("辖区与部门"), "core:tree", "core.view_tree", "diagram-3", 10),
    NavItem(_("系统"), _("工作日历"), "core:calendar", "core.view_calendar", "calendar3", 20),
    NavItem(_("系统"), _("用户与权限"), "core:user-list", "core.manage_users", "people", 30),
    NavItem(_("系统"), _("账号重置审批"), "core:admin-resets", "core.approve_admin_reset", "shield-check", 35),
    NavItem(_("系统"), _("审计日志"), "core:audit-list", "core.read_audit", "journal-text", 40),
    NavItem(_("系统"), _("后台任务"), "core:operations", "core.operations", "cpu", 45),
    NavItem(_("系统"), _("系统配置"), "core:config-index", "core.manage_config", "gear", 50),
)


def _unread(user):
    return user.notifications.filter(read_at__isnull=True).count()


def _locked_accounts(user):
    from axes.models import AccessAttempt
    from django.conf import settings

    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).count()


def _audit_denied_today(user):
    from django.utils import timezone

    from .models import AuditLog

    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return AuditLog.objects.filter(at__gte=today, result="denied").count()


pending(
    PendingCounter(_("未读消息"), "core.inbox", _unread, "core:inbox", "primary", 0),
    PendingCounter(_("被锁定的账号"), "core.manage_users", _locked_accounts, "core:user-list", "danger", 10),
    PendingCounter(_("今日越权/拒绝事件"), "core.read_audit", _audit_denied_today, "core:audit-list", "warning", 10),
)


def _register_schedule():
    from django.conf import settings

    from .schedule import command_task, periodic

    periodic("core.backup", "0 2 * * *", command_task, label=_("每晚数据库备份"), catch_up_hours=6,
             command="backup_db", args=["--keep-days", str(settings.SHEQU_BACKUP_KEEP_DAYS)])
    periodic("core.db_maintenance", "30 3 * * *", command_task, label=_("数据库统计信息更新"), catch_up_hours=3,
             command="db_maintenance")
    periodic("core.partitions", "20 3 * * *", command_task, label=_("按年分区：预建来年分区"), catch_up_hours=24,
             command="partitions", args=["--ensure"])
    periodic("core.audit_retention", "0 4 * * *", command_task, label=_("审计日志保存期清理"), catch_up_hours=12,
             command="audit_purge", args=["--days", str(settings.SHEQU_AUDIT_RETENTION_DAYS)])
    periodic("core.retention_purge", "15 * * * *", command_task, label=_("导入文件与任务记录清理"),
             command="retention_purge")


_register_schedule()

from . import config_tables  # noqa: E402,F401  (系统配置 tables)
