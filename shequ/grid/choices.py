"""Statuses, sources and actions of the 大联动 module. Which action may start from which status, who may take it
and the service performing it are declared in `workflows.py`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import DepartmentKind


class CategoryKind(models.TextChoices):
    COMPONENT = "component", _("部件")
    EVENT = "event", _("事件")


class LimitUnit(models.TextChoices):
    WORK_HOURS = "work_hours", _("工作时")
    WORK_DAYS = "work_days", _("工作日")
    CLOCK_HOURS = "clock_hours", _("自然小时")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Source(models.TextChoices):
    PATROL = "patrol", _("监督员巡查")
    VIDEO = "video", _("视频监控")
    POLICE_110 = "110", _("110非警务移交")
    HOTLINE = "12345", _("12345热线")
    RESIDENT = "resident", _("市民上报")
    STATION = "station", _("居民区工作站")
    SUPERVISION = "supervision", _("督查发现")


# Reports from these sources are checked on site (核实) before they may be filed; a supervisor's own report is
# already an on-site observation.
NEEDS_VERIFICATION = {Source.RESIDENT, Source.HOTLINE, Source.POLICE_110, Source.VIDEO}


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("待受理")
    VERIFYING = "verifying", _("待核实")
    VERIFIED = "verified", _("待立案")
    FILED = "filed", _("待派遣")
    DISPATCHED = "dispatched", _("待签收")
    HANDLING = "handling", _("处置中")
    RETURNED = "returned", _("回退待审")
    PARKED = "parked", _("挂账")
    FED_BACK = "fed_back", _("待核查")
    CHECKED = "checked", _("待结案")
    CLOSED = "closed", _("已结案")
    EVALUATED = "evaluated", _("已评价")
    VOID = "void", _("已作废")
    MERGED = "merged", _("已合并")


S = CaseStatus
OPEN_STATUSES = frozenset({S.REPORTED, S.VERIFYING, S.VERIFIED, S.FILED, S.DISPATCHED, S.HANDLING, S.RETURNED,
                           S.PARKED, S.FED_BACK, S.CHECKED})
# The same statuses in one fixed order, for the SQL that must repeat the open-case index's condition term for term
# (SQLite uses a partial index only for a query whose WHERE contains the index's own condition).
OPEN_STATUS_LIST = sorted(s.value for s in OPEN_STATUSES)
CLOSED_STATUSES = frozenset({S.CLOSED, S.EVALUATED})
FINAL_STATUSES = frozenset({S.CLOSED, S.EVALUATED, S.VOID, S.MERGED})
# The clock runs (from dispatch) while the case is with a unit or waiting for its check.
CLOCK_STATUSES = frozenset({S.DISPATCHED, S.HANDLING, S.RETURNED, S.FED_BACK, S.CHECKED})
WITH_UNIT_STATUSES = frozenset({S.DISPATCHED, S.HANDLING})


class CaseAction(models.TextChoices):
    REPORT = "report", _("上报")
    SEND_VERIFY = "send_verify", _("派核实")
    VERIFY_OK = "verify_ok", _("核实属实")
    VERIFY_FALSE = "verify_false", _("核实不属实")
    FILE = "file", _("立案")
    VOID = "void", _("作废")
    MERGE = "merge", _("合并重复")
    DISPATCH = "dispatch", _("派遣")
    REDISPATCH = "redispatch", _("改派")
    SIGN = "sign", _("签收")
    REQUEST_RETURN = "request_return", _("申请回退")
    APPROVE_RETURN = "approve_return", _("同意回退")
    REJECT_RETURN = "reject_return", _("驳回回退")
    ESCALATE = "escalate", _("工作站上报街道")
    FEEDBACK = "feedback", _("处置反馈")
    CHECK_PASS = "check_pass", _("核查通过")
    CHECK_FAIL = "check_fail", _("核查不通过（返工）")
    CLOSE = "close", _("结案")
    EVALUATE = "evaluate", _("评价")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    APPROVE_EXTENSION = "approve_extension", _("批准延期")
    REJECT_EXTENSION = "reject_extension", _("驳回延期")
    PARK = "park", _("挂账")  # the shift leader's direct parking, kept for the history of earlier cases
    REQUEST_PARK = "request_park", _("申请挂账")
    APPROVE_PARK = "approve_park", _("批准挂账")
    REJECT_PARK = "reject_park", _("驳回挂账")
    UNPARK = "unpark", _("解除挂账")
    SELF_HANDLE = "self_handle", _("工作站自行处置")
    NOTE = "note", _("备注")


# The actions' statuses, capabilities and guards are declared in `workflows.py` (CASE).


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class PhotoStage(models.TextChoices):
    REPORT = "report", _("上报")
    VERIFY = "verify", _("核实")
    FEEDBACK = "feedback", _("处置后")
    CHECK = "check", _("核查")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


# --- 12345 work orders ---------------------------------------------------------------------------------------

class HotlineType(models.TextChoices):
    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")


class HotlineStatus(models.TextChoices):
    RECEIVED = "received", _("待签收")
    SIGNED = "signed", _("办理中")
    RETURNED = "returned", _("已退单")
    REPLIED = "replied", _("已答复待回访")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已并单")
    RETURN_PENDING = "return_pending", _("退单审核中")


H = HotlineStatus


class HotlineAction(models.TextChoices):
    RECEIVE = "receive", _("接收")
    SIGN = "sign", _("签收")
    RETURN = "return", _("申请退单")
    EXTEND = "extend", _("申请延期")
    REPLY = "reply", _("答复")
    VISIT = "visit", _("回访")
    REOPEN = "reopen", _("重办")
    MERGE = "merge", _("并单")
    CONTACT = "contact", _("先行联系")
    APPROVE_RETURN = "approve_return", _("批准退单")
    REJECT_RETURN = "reject_return", _("驳回退单")
    APPROVE_EXTEND = "approve_extend", _("批准延期")
    REJECT_EXTEND = "reject_extend", _("驳回延期")
    RECORD_DECISION = "record_decision", _("登记平台审核结果")
    ASSIGN = "assign", _("内部交办")
    TASK_DONE = "task_done", _("承办反馈")
    TASK_CANCEL = "task_cancel", _("撤回交办")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门")
    SMS = "sms", _("短信")
    OTHER = "other", _("其他")


class Resolution(models.TextChoices):
    SOLVED = "solved", _("实际解决")
    PARTLY = "partly", _("部分解决")
    UNSOLVED = "unsolved", _("未解决")
    NOT_FEASIBLE = "not_feasible", _("不具备解决条件")


class ReturnReason(models.TextChoices):
    """退单 reasons of the fixed list (属地不符, 权属不清, 职能交叉 as in the 12345 practice)."""

    TERRITORY = "territory", _("属地不符")
    OWNERSHIP = "ownership", _("权属不清")
    OVERLAP = "overlap", _("职能交叉")
    NOT_DUTY = "not_duty", _("非本单位职责")
    INCOMPLETE = "incomplete", _("信息不全无法办理")


class ExtensionReason(models.TextChoices):
    COORDINATION = "coordination", _("需多部门协调")
    WORKS = "works", _("涉及工程施工")
    SEASON = "season", _("受季节或天气影响")
    PROCEDURE = "procedure", _("需履行法定程序")
    PARTY = "party", _("当事人原因暂无法办理")


class RequestKind(models.TextChoices):
    RETURN = "return", _("退单")
    EXTEND = "extend", _("延期")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class Decision(models.TextChoices):
    APPROVED = "approved", _("批准")
    REJECTED = "rejected", _("驳回")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已反馈")
    CANCELLED = "cancelled", _("已撤回")


# Units a 12345 order may be handed to inside the 街道 (besides its committees).
TASK_UNIT_KINDS = (DepartmentKind.SUBDISTRICT_OFFICE, DepartmentKind.WORK_STATION)

# The order's actions are declared in `workflows.py` (HOTLINE).
RETURN_REASONS = list(ReturnReason.choices)


# --- linkage team ---------------------------------------------------------------------------------------------

class ShiftCode(models.TextChoices):
    EARLY = "E", _("早班")
    MIDDLE = "M", _("中班")
    NIGHT = "N", _("夜班")
    OFF = "O", _("休息")


SHIFT_SHORT = {"E": "早", "M": "中", "N": "夜", "O": "休"}


class IndicatorScope(models.TextChoices):
    AREA = "area", _("区域")
    DEPARTMENT = "department", _("部门")
    POST = "post", _("岗位")
