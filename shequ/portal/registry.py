from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role
from shequ.core.hooks import NavItem, nav, section
from shequ.core.permissions import grant
from shequ.core.schedule import periodic

from .hooks import Tile, tile

grant([Role.RESIDENT], "portal.use")
grant([Role.HALL_SUPERVISOR], "portal.slots")

section(_("受理中心"), 20)
nav(NavItem(_("受理中心"), _("预约时段"), "portal:slots-manage", "portal.slots", "calendar-week", 60))


def _open_appointments(account):
    from .selectors import open_appointments

    return open_appointments(account=account).count() or None


def _open_cases(account):
    from shequ.acceptance.choices import CASE_OPEN

    from .selectors import acceptance_cases

    return acceptance_cases(account=account).filter(status__in=CASE_OPEN).count() or None


def _due(account):
    from .selectors import due_items

    return sum(1 for row in due_items(account=account) if not row["asked"]) or None


def _unread(account):
    from shequ.core.selectors import unread_count

    return unread_count(account.user) or None


tile(
    Tile(_("预约办事"), "portal:book", "calendar-check", 10, badge=_open_appointments,
         description=_("社区事务受理服务中心")),
    Tile(_("随手拍"), "portal:report-new", "camera", 20, description=_("身边问题随手报")),
    Tile(_("我的办件"), "portal:mine", "folder2-open", 30, badge=_open_cases, needs_binding=True,
         description=_("进度、补件、取件")),
    Tile(_("消息通知"), "portal:notices", "bell", 40, badge=_unread, description=_("街道和居委会的通知"),
         cached=False),
    Tile(_("家人代办"), "portal:family", "people", 50, needs_binding=True, description=_("为家中老人预约")),
    Tile(_("办件查询"), "portal:lookup", "search", 60, description=_("凭办件编号查询")),
    Tile(_("到期提醒"), "portal:due", "calendar2-event", 35, badge=_due, needs_binding=True,
         description=_("签约到期、申请续约")),
)


def _register_schedule():
    from .services import appointments_no_show_task

    # Not manual: as each slot's check-in window closes (15 minutes after its start) its unchecked appointments
    # become no-shows and the no-show rule bars repeat offenders. Idempotent, so a late run catches up.
    periodic("portal.no_show", "*/15 * * * *", appointments_no_show_task, label=_("预约爽约标记"), catch_up_hours=24)


_register_schedule()
