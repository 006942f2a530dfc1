from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, PendingCounter, nav, pending, section
from shequ.core.permissions import grant

from . import excel  # noqa: F401  (registers the import job handler)

grant([Role.LEADER, Role.HALL_SUPERVISOR, Role.WINDOW_CLERK, Role.COMMITTEE_WORKER, Role.FACILITY_OPERATOR],
      "people.view")
grant([Role.HALL_SUPERVISOR, Role.WINDOW_CLERK, Role.COMMITTEE_WORKER], "people.edit", "people.reveal")
grant([Role.COMMITTEE_WORKER], "people.import")
grant([Role.COMMITTEE_WORKER, Role.LEADER], "people.export")

section(_("人口"), 10)
nav(
    NavItem(_("人口"), _("居民信息"), "people:resident-list", "people.view", "person-vcard", 0),
    NavItem(_("人口"), _("登记居民"), "people:resident-create", "people.edit", "person-plus", 1),
    NavItem(_("人口"), _("批量导入"), "people:resident-import", "people.import", "upload", 2),
)


def _running_imports(user):
    from shequ.core.choices import JobStatus
    from shequ.core.models import Job

    return Job.objects.filter(kind=excel.IMPORT_KIND, created_by=user,
                              status__in=[JobStatus.PENDING, JobStatus.RUNNING]).count()


def _residents_in_scope(user):
    from . import selectors

    return selectors.resident_list(user=user).count()


pending(
    PendingCounter(_("辖区在册居民"), "people.view", _residents_in_scope, "people:resident-list", "secondary", 50),
    PendingCounter(_("进行中的导入"), "people.import", _running_imports, "people:resident-import", "info", 40),
)

from . import config_tables  # noqa: E402,F401  (系统配置 tables)
