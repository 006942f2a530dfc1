"""The bookings as Excel: masked (a resident booker by surname only), capped at SHEQU_EXPORT_MAX_ROWS and audited,
like the other exports."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import Role
from shequ.core.excel import new_workbook, workbook_bytes

from . import services


def masked_name(user) -> str:
    """Staff by name; a resident by the first character of the name and a star per further one (张**)."""
    name = (user.full_name or "").strip()
    if user.role != Role.RESIDENT:
        return name or user.username
    if not name or name[0].isdigit():  # an unbound resident login is named by its masked mobile
        return _("居民")
    return _("居民 %(n)s") % {"n": name[0] + "*" * max(len(name) - 1, 1)}


def export_bookings(*, actor, queryset, filters: dict) -> tuple[bytes, int, bool]:
    """The bookings of `queryset` (already scoped and filtered) as an .xlsx; (content, rows, truncated)."""
    cap = settings.SHEQU_EXPORT_MAX_ROWS
    rows = list(queryset.select_related("room__facility", "booked_by")[:cap + 1])
    truncated = len(rows) > cap
    rows = rows[:cap]
    wb = new_workbook(write_only=True)
    ws = wb.create_sheet(_("场地预约"))
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    ws.append([_("导出人：%(u)s　时间：%(t)s　本表已脱敏，仅限工作使用，不得外传。") % {"u": actor.display_name, "t": stamp}])
    if truncated:
        ws.append([_("仅导出前 %(n)s 条，请缩小筛选范围后再导出其余记录。") % {"n": cap}])
    ws.append([_("设施"), _("活动室"), _("日期"), _("开始"), _("结束"), _("用途"), _("团队"), _("预计人数"), _("主要人群"),
               _("状态"), _("预约人"), _("提交时间")])
    for b in rows:
        start, end = timezone.localtime(b.start), timezone.localtime(b.end)
        ws.append([b.room.facility.name, b.room.name, start.date().isoformat(), start.strftime("%H:%M"),
                   end.strftime("%H:%M"), b.purpose, b.team, b.attendees, b.get_age_group_display(),
                   b.get_status_display(), masked_name(b.booked_by),
                   timezone.localtime(b.created_at).strftime("%Y-%m-%d %H:%M")])
    content = workbook_bytes(wb)
    services.booking_export_audit(actor=actor, rows=len(rows), filters=filters, truncated=truncated)
    return content, len(rows), truncated
