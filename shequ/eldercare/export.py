"""The month's settlement of a canteen as Excel (shequ.core.excel) and PDF (WeasyPrint, WenQuanYi)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.excel import new_workbook, workbook_bytes
from shequ.core.pdf import html_to_pdf


def settlement_xlsx(*, settlement, figures: dict) -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = _("结算明细")
    m = settlement.month
    ws.append([_("%(c)s %(y)s年%(m)s月 助餐结算") % {"c": settlement.canteen.name, "y": m.year, "m": m.month}])
    ws.append([_("状态"), str(settlement.get_status_display())])
    ws.append([])
    ws.append([_("日期"), _("餐次"), _("份数"), _("餐费（元）"), _("折扣（元）"), _("补贴（元）"), _("个人支付（元）")])
    for line in figures["lines"]:
        ws.append([line["date"].isoformat(), str(line["meal_label"]), line["meals"], line["price"],
                   line["discount"], line["subsidy"], line["payable"]])
    t = figures["totals"]
    ws.append([_("合计"), "", t["meals"], t["price"], t["discount"], t["subsidy"], t["payable"]])
    ws.append([_("街道应拨付（折扣＋补贴）"), "", "", "", "", "", t["discount"] + t["subsidy"]])
    for row in ws.iter_rows(min_row=5):
        for cell in row[3:]:
            cell.number_format = "0.00"
    ws.column_dimensions["A"].width = 14
    return workbook_bytes(wb)


def settlement_pdf(*, settlement, figures: dict, printed_by) -> bytes:
    html = render_to_string("eldercare/pdf/settlement.html", {
        "s": settlement, "figures": figures, "totals": figures["totals"],
        "allowance": figures["totals"]["discount"] + figures["totals"]["subsidy"],
        "printed_by": printed_by, "printed_at": timezone.now()})
    return html_to_pdf(html)


def health_xlsx(*, rows) -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = _("健康监测")
    ws.append([_("日期"), _("姓名"), _("体温（°C）"), _("收缩压"), _("舒张压"), _("异常")])
    for a in rows:
        ws.append([a.date.isoformat(), a.enrolment.resident.name, a.temperature, a.systolic, a.diastolic,
                   flag_text(a)])
    return workbook_bytes(wb)


def flag_text(a) -> str:
    parts = []
    if a.temperature_flag:
        parts.append(_("体温偏高") if a.temperature_flag == "high" else _("体温偏低"))
    if a.pressure_flag:
        parts.append(_("血压偏高") if a.pressure_flag == "high" else _("血压偏低"))
    return "、".join(parts)
