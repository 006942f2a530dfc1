"""The audit log as people read it: role names, object kinds, readable details — never codes or Python reprs.

The rows keep what was written (codes, model labels, JSON) because the signature covers them; these functions
only translate them for the screen.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .formatting import date_text, datetime_text, number_text

DETAIL_LABELS = {
    "action": gettext_lazy("动作"), "active": gettext_lazy("启用"), "after": gettext_lazy("修改后"),
    "before": gettext_lazy("修改前"), "by": gettext_lazy("经办"), "case": gettext_lazy("案件"),
    "cases": gettext_lazy("案件数"), "cases_moved": gettext_lazy("转移案件数"), "categories": gettext_lazy("类别"),
    "category": gettext_lazy("类别"), "changes": gettext_lazy("修改内容"), "channel": gettext_lazy("渠道"),
    "checkin": gettext_lazy("签到"), "clock_start": gettext_lazy("计时起点"), "code": gettext_lazy("编码"),
    "committee": gettext_lazy("居委会"), "confirmed": gettext_lazy("已确认"), "count": gettext_lazy("数量"),
    "created": gettext_lazy("新建"), "cutoff": gettext_lazy("截止"), "date": gettext_lazy("日期"),
    "days": gettext_lazy("天数"), "deadline": gettext_lazy("期限"), "document": gettext_lazy("文书"),
    "due_date": gettext_lazy("到期日"), "end": gettext_lazy("结束"), "errors": gettext_lazy("错误数"),
    "failed": gettext_lazy("失败"), "field": gettext_lazy("字段"), "fields": gettext_lazy("字段"),
    "file_reference": gettext_lazy("档案号"), "filters": gettext_lazy("筛选条件"), "from": gettext_lazy("原状态"),
    "grid": gettext_lazy("网格"), "grids": gettext_lazy("网格"), "half": gettext_lazy("时段"),
    "id": gettext_lazy("编号"), "id_check": gettext_lazy("身份核验"), "item": gettext_lazy("事项"),
    "job": gettext_lazy("任务"), "kind": gettext_lazy("类型"), "letter": gettext_lazy("取号类别"),
    "masked": gettext_lazy("已脱敏"), "materials": gettext_lazy("材料"), "member": gettext_lazy("成员"),
    "missing": gettext_lazy("缺少"), "month": gettext_lazy("月份"), "name": gettext_lazy("名称"),
    "nodes": gettext_lazy("辖区"), "on_time": gettext_lazy("按时"), "op": gettext_lazy("操作"),
    "pages": gettext_lazy("页数"), "pattern": gettext_lazy("轮转模式"), "purged": gettext_lazy("清理数"),
    "reason": gettext_lazy("原因"), "record_type": gettext_lazy("档案类型"), "relation": gettext_lazy("关系"),
    "retention_days": gettext_lazy("保留天数"), "review": gettext_lazy("评价"), "role": gettext_lazy("角色"),
    "rows": gettext_lazy("行数"), "score": gettext_lazy("评分"), "shift": gettext_lazy("班次"),
    "skills": gettext_lazy("技能"), "skipped": gettext_lazy("跳过"), "source": gettext_lazy("来源"),
    "start": gettext_lazy("开始"), "status": gettext_lazy("状态"), "target": gettext_lazy("目标"),
    "template": gettext_lazy("模板"), "ticket": gettext_lazy("排队号"), "tickets": gettext_lazy("排队号数"),
    "to": gettext_lazy("新状态"), "total": gettext_lazy("合计"), "truncated": gettext_lazy("已截断"),
    "updated": gettext_lazy("更新"), "via": gettext_lazy("途径"), "what": gettext_lazy("内容"),
    "window": gettext_lazy("窗口"),
}

OPERATION_LABELS = {
    "acceptance_skills": gettext_lazy("受理技能设置"), "change": gettext_lazy("修改"),
    "copy_week": gettext_lazy("复制一周排班"), "create": gettext_lazy("新建"), "delete": gettext_lazy("删除"),
    "expire": gettext_lazy("过期"), "import": gettext_lazy("导入"), "intake": gettext_lazy("受理"),
    "issue_key": gettext_lazy("签发密钥"), "pair": gettext_lazy("设备配对"), "pairing_code": gettext_lazy("配对码"),
    "password_reset": gettext_lazy("重置密码"), "pause": gettext_lazy("暂停"),
    "reassign_grids": gettext_lazy("调整网格"), "revoke": gettext_lazy("吊销"), "rota": gettext_lazy("排班"),
    "set": gettext_lazy("设置"), "sign_in": gettext_lazy("签到"), "sign_out": gettext_lazy("签退"),
    "unlock": gettext_lazy("解锁"),
}

VALUE_LABELS = {
    "web": gettext_lazy("网页"), "api": gettext_lazy("接口"), "kiosk": gettext_lazy("取号机"),
    "am": gettext_lazy("上午"), "pm": gettext_lazy("下午"), "phone": gettext_lazy("电话"),
    "window": gettext_lazy("窗口"), "open311": gettext_lazy("Open311 接口"),
}

_REPR = re.compile(r"^(?P<model>[A-Za-z_][A-Za-z0-9_]*) object \((?P<pk>[^)]*)\)$")


def role_label(code: str) -> str:
    from .choices import Role

    if not code:
        return ""
    try:
        return str(Role(code).label)
    except ValueError:
        return _("未知角色")


@lru_cache(maxsize=256)
def _model_for(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def object_type_label(label: str) -> str:
    """"acceptance.ticket" → "排队号" (the model's Chinese verbose name)."""
    if not label:
        return ""
    model = _model_for(label)
    return str(model._meta.verbose_name) if model is not None else _("其他对象")


def object_text(row) -> str:
    """The object's own text, with "PatrolLog object (11)" (a model without a name) turned into "巡查日志 #11"."""
    text = row.object_repr or ""
    match = _REPR.match(text)
    if match:
        return f"{object_type_label(row.object_type)} #{match['pk']}"
    return text


def object_type_choices() -> list[tuple[str, str]]:
    """Every model of Shequ's apps, by Chinese name, for the audit filter's select."""
    choices = []
    for model in apps.get_models():
        if not model.__module__.startswith("shequ."):
            continue
        choices.append((model._meta.label_lower, str(model._meta.verbose_name)))
    return sorted(choices, key=lambda c: c[1])


def value_text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, str):
        if value in OPERATION_LABELS:
            return str(OPERATION_LABELS[value])
        if value in VALUE_LABELS:
            return str(VALUE_LABELS[value])
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_text(moment) if len(value) == 10 else datetime_text(moment)
    if isinstance(value, (list, tuple)):
        return "、".join(value_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{key_label(k)}：{value_text(v)}" for k, v in value.items()) or "—"
    return str(value)


def key_label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else _("其他")


def detail_items(detail) -> list[tuple[str, str]]:
    """The JSON detail as (label, text) pairs in a stable order."""
    if not isinstance(detail, dict):
        return [(_("详情"), value_text(detail))] if detail else []
    return [(key_label(k), value_text(v)) for k, v in detail.items()]
