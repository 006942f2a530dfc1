"""The monthly briefing PDF (月度工作简报), assembled from the cockpit's selectors: a 街道 header on every page,
page numbers, Chinese text, and charts drawn on the server as SVG (`charts`)."""

from __future__ import annotations

import base64
import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.pdf import html_to_pdf

from . import charts, selectors


def _img(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def brief_pdf(*, user, month: dt.date) -> bytes:
    """The brief of `month` for the user's jurisdiction; a month without data renders with zeros and dashes.
    Printing it is audited."""
    data = selectors.overview(user=user, month=month)
    subdistrict = selectors.subdistrict_of(user)
    trend = data["trend"]
    short = [label.split("年")[1] for label in trend["labels"]]
    # A district's brief lists its 街道 (ten rows), a 街道's its committees: a table of 170 committees would be
    # pages of figures nobody reads, and most of the PDF's layout time.
    by_subdistrict = selectors.subdistrict_rows(user=user, data=data)
    table = by_subdistrict if by_subdistrict is not None else data["committees"]
    unit = _("街道") if by_subdistrict is not None else _("居委会")
    pictures = {
        "grid": _img(charts.line_chart(short, [(_("结案率"), trend["close_rate"]),
                                               (_("按期结案率"), trend["on_time_rate"])],
                                       title=_("近12个月网格结案率、按期结案率"))),
        "acceptance": _img(charts.bar_chart(short, trend["acceptance"] or [0] * len(short),
                                            title=_("近12个月受理件数"))),
        "participations": _img(charts.bar_chart(short, trend["participations"], title=_("近12个月活动参与人次"),
                                                color=charts.PALETTE[1])),
        "committees": _img(charts.bar_chart([r["name"].removesuffix("居委会").removesuffix("街道")[:6] for r in table],
                                            [r["open"] for r in table],
                                            title=_("各%(unit)s在办案件") % {"unit": unit}, color=charts.PALETTE[2])),
    }
    html = render_to_string("cockpit/brief.html", {
        "d": data, "table": table, "unit": unit, "subdistrict": subdistrict.name if subdistrict else "",
        "month": month,
        "month_label": f"{month.year}年{month.month}月", "pictures": pictures, "trend_rows": list(zip(
            trend["labels"], trend["acceptance"] or [None] * len(short), trend["close_rate"], trend["on_time_rate"],
            trend["participations"])),
        "printed": timezone.localtime()})
    pdf = html_to_pdf(html)
    audit_record(actor=user, action=AuditAction.EXPORT, object_type="cockpit.brief",
                 object_id=f"{month:%Y-%m}", object_repr=_("月度工作简报 %(m)s") % {"m": f"{month:%Y-%m}"},
                 detail={"bytes": len(pdf)})
    return pdf


EXPORT_CAP = 5000
EXPORTS = {
    "committees": (_("各居委会"), ["居委会", "上报案件", "结案数", "结案率%", "按期结案率%", "在办案件", "活动参与人次",
                                "居民办件", "居民办件办结率%"],
                   lambda d: [[r["name"], r["reported"], r["closed"], r["close_rate"], r["on_time_rate"], r["open"],
                               r["participations"], r.get("acc_received"), r.get("acc_completion_rate")]
                              for r in d["committees"]]),
    "trend": (_("近12个月"), ["月份", "受理件数", "网格上报", "结案率%", "按期结案率%", "活动参与人次"],
              lambda d: [list(row) for row in zip(d["trend"]["labels"], d["trend"]["acceptance"]
                                                  or [None] * len(d["trend"]["labels"]), d["trend"]["grid_reported"],
                                                  d["trend"]["close_rate"], d["trend"]["on_time_rate"],
                                                  d["trend"]["participations"])]),
    "targets": (_("指标"), ["代码", "名称", "单位", "基线", "目标", "实际", "进度%", "来源"],
                lambda d: [[t.get("code"), t.get("name"), t.get("unit"), t.get("baseline"), t.get("target"),
                            t.get("actual"), t.get("progress"), t.get("source")] for t in (d["targets"] or [])]),
}


def cockpit_export(*, user, month: dt.date, name: str, committee=None) -> tuple[str, bytes]:
    """One cockpit list as Excel: figures only (no personal data to mask), at most `EXPORT_CAP` rows, audited."""
    from shequ.core.errors import DomainError
    from shequ.core.excel import new_workbook, workbook_bytes

    if name not in EXPORTS:
        raise DomainError(_("没有这份清单。"), {"list": [_("清单名称无效。")]})
    title, headers, rows_of = EXPORTS[name]
    data = selectors.overview(user=user, month=month, committee=committee)
    rows = rows_of(data)
    capped = len(rows) > EXPORT_CAP
    wb = new_workbook()
    ws = wb.active
    ws.title = str(title)[:31]
    ws.append([_(h) for h in headers])
    for row in rows[:EXPORT_CAP]:
        ws.append(["—" if v is None else v for v in row])
    if capped:
        ws.append([_("仅导出前%(n)d行。") % {"n": EXPORT_CAP}])
    content = workbook_bytes(wb)
    audit_record(actor=user, action=AuditAction.EXPORT, object_type="cockpit.list", object_id=name,
                 object_repr=str(title), detail={"month": f"{month:%Y-%m}", "rows": min(len(rows), EXPORT_CAP),
                                                 "committee": committee.pk if committee else None})
    return f"cockpit-{name}-{month:%Y-%m}.xlsx", content
