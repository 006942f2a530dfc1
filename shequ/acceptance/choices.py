"""Statuses, allowed transitions and the fixed vocabularies of the acceptance centre (受理中心).

The queue and rectification services check their steps against the maps here (`check_action`); the case and the
archive request are declared workflows (`workflows.py`). Either way the HTML views and the API refuse the same
things with the same message.
"""

from django.db import models
from django.utils.translation import gettext, gettext_lazy as _

from shequ.core.errors import ConflictError


class ItemMode(models.TextChoices):
    INSTANT = "instant", _("即办件")
    PROMISE = "promise", _("承诺件")


class PriorityReason(models.TextChoices):
    ELDERLY = "elderly", _("老年人（60周岁以上）")
    DISABLED = "disabled", _("残疾人")
    PREGNANT = "pregnant", _("孕妇或携婴幼儿")
    VETERAN = "veteran", _("现役军人、优抚对象")


class HalfDay(models.TextChoices):
    AM = "am", _("上午")
    PM = "pm", _("下午")


class SkillLevel(models.TextChoices):
    EXPERT = "expert", _("熟练")
    COMPETENT = "competent", _("掌握")
    LEARNING = "learning", _("学习中")


class ContractType(models.TextChoices):
    """How a generalist window clerk is employed (统一招聘)."""
    LABOUR = "labour", _("劳动合同（社区工作者）")
    DISPATCH = "dispatch", _("劳务派遣")
    CIVIL = "civil", _("事业编制")
    OTHER = "other", _("其他")


class PostLevel(models.TextChoices):
    """The post level of a window clerk (岗位等级), from trainee to senior generalist."""
    TRAINEE = "trainee", _("见习受理员")
    JUNIOR = "junior", _("综合受理员（初级）")
    MIDDLE = "middle", _("综合受理员（中级）")
    SENIOR = "senior", _("综合受理员（高级）")
    LEAD = "lead", _("窗口组长")


class DeviceKind(models.TextChoices):
    KIOSK = "kiosk", _("取号机")
    HALL = "hall", _("大厅显示屏")
    WINDOW = "window", _("窗口屏/评价器")


# --- queue tickets (取号/叫号) --------------------------------------------------------------------------------

class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    DONE = "done", _("已完成")
    NO_SHOW = "no_show", _("过号")
    EXPIRED = "expired", _("已失效")


# "Y 预约" lane: a ticket issued for a checked-in appointment is numbered Y + its category letter + the
# category's sequence (YA012), so it can never clash with a walk-in number (A012, or Y012 of a category Y), and
# it is called before the walk-ins of its category.
APPOINTMENT_LANE = "Y"
APPOINTMENT_NUMBER_REGEX = r"^Y[A-Z][0-9]"


def is_appointment_number(number: str) -> bool:
    number = number or ""
    return len(number) > 2 and number[0] == APPOINTMENT_LANE and number[1].isalpha() and number[2].isdigit()


TICKET_ACTIVE = (TicketStatus.CALLED, TicketStatus.SERVING)

TICKET_TRANSITIONS = {
    TicketStatus.WAITING: {TicketStatus.CALLED, TicketStatus.EXPIRED},
    TicketStatus.CALLED: {TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.NO_SHOW, TicketStatus.WAITING,
                          TicketStatus.EXPIRED},
    TicketStatus.SERVING: {TicketStatus.DONE, TicketStatus.WAITING, TicketStatus.EXPIRED},
    TicketStatus.NO_SHOW: {TicketStatus.WAITING, TicketStatus.EXPIRED},  # 过号重排: the visitor came back
    TicketStatus.DONE: set(),
    TicketStatus.EXPIRED: set(),
}

# action → (label, source statuses, target status); every (source, target) pair is in TICKET_TRANSITIONS.
TICKET_ACTIONS = {
    "call": (_("叫号"), {TicketStatus.WAITING}, TicketStatus.CALLED),
    "recall": (_("重呼"), {TicketStatus.CALLED}, TicketStatus.CALLED),
    "start": (_("开始办理"), {TicketStatus.CALLED}, TicketStatus.SERVING),
    "finish": (_("办理完成"), {TicketStatus.SERVING}, TicketStatus.DONE),
    "no_show": (_("过号"), {TicketStatus.CALLED}, TicketStatus.NO_SHOW),
    "transfer": (_("转移"), {TicketStatus.CALLED, TicketStatus.SERVING}, TicketStatus.WAITING),
    "requeue": (_("过号重排"), {TicketStatus.NO_SHOW}, TicketStatus.WAITING),
    "expire": (_("隔日失效"), {TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.NO_SHOW},
               TicketStatus.EXPIRED),
}


# --- cases (办件) ----------------------------------------------------------------------------------------------

class CaseStatus(models.TextChoices):
    NOTIFIED = "notified", _("一次告知（待补齐材料）")
    ACCEPTED = "accepted", _("已受理（待审核）")
    REVIEWING = "reviewing", _("部门审核中")
    RETURNED = "returned", _("退回补正（暂停计时）")
    APPROVED = "approved", _("审核通过（待办结）")
    REFUSED = "refused", _("审核不予通过（待办结）")
    COMPLETED = "completed", _("已办结（待出件）")
    DELIVERED = "delivered", _("已出件")
    REJECTED = "rejected", _("不予受理")
    TERMINATED = "terminated", _("已终止")


# Statuses of a case still being worked on (the resident's 我的办件 counts them).
CASE_OPEN = (CaseStatus.NOTIFIED, CaseStatus.ACCEPTED, CaseStatus.REVIEWING, CaseStatus.RETURNED,
             CaseStatus.APPROVED, CaseStatus.REFUSED)
# Statuses in which the legal clock runs (due date and traffic light apply).
CASE_CLOCK_RUNNING = (CaseStatus.ACCEPTED, CaseStatus.REVIEWING, CaseStatus.APPROVED, CaseStatus.REFUSED)
CASE_FINAL = (CaseStatus.DELIVERED, CaseStatus.REJECTED, CaseStatus.TERMINATED)
CASE_BACKOFFICE = (CaseStatus.ACCEPTED, CaseStatus.REVIEWING)

NEW = None  # the state before a case exists

# The case's actions and their labels. Which status each starts from and leads to, who may take it and on what
# conditions is declared once in `workflows.CASE` (services, pages and API read it there).
CASE_ACTION_LABELS = {
    "notify": _("一次性告知"),
    "accept": _("受理"),
    "rongque": _("容缺受理"),
    "reject": _("不予受理"),
    "claim": _("签收审核"),
    "approve": _("审核通过"),
    "refuse": _("审核不予通过"),
    "return": _("退回补正"),
    "resubmit": _("补正完成，恢复计时"),
    "complete": _("办结"),
    "deliver": _("出件"),
    "terminate": _("终止办理"),
}

CASE_EVENT_LABELS = {
    "intake": _("收件登记"),
    "supplement": _("补交材料"),
    "print": _("打印文书"),
    "recompute": _("重算到期日"),
    "lapse": _("容缺逾期终止"),
    **CASE_ACTION_LABELS,
}


class CaseDecision(models.TextChoices):
    """What the front desk decides at intake."""

    ACCEPT = "accept", _("受理（材料齐全）")
    NOTIFY = "notify", _("一次性告知（材料不齐）")
    RONGQUE = "rongque", _("容缺受理（仅缺可容缺材料）")
    REJECT = "reject", _("不予受理")


class Light(models.TextChoices):
    GREEN = "green", _("正常")
    YELLOW = "yellow", _("临近到期（已用80%时限）")
    RED = "red", _("已到期或超期")
    PAUSED = "paused", _("暂停计时")
    NONE = "none", _("不计时")


class Recipient(models.TextChoices):
    APPLICANT = "applicant", _("申请人本人")
    AGENT = "agent", _("授权代理人")


class IdCheck(models.TextChoices):
    CARD_READER = "card_reader", _("身份证读卡器")
    FACE = "face", _("人脸识别核验")
    SUISHENBAN = "suishenban", _("随申办亮证")
    ORIGINAL = "original", _("人工核验证件原件")
    PASSPORT = "passport", _("护照（涉外婚姻）")


REJECT_REASONS = [
    _("申请事项依法不需要取得行政许可或办理"),
    _("申请事项不属于本中心受理范围，请向有权机关申请"),
    _("申请人不具备申请资格"),
    _("申请事项超出申请期限"),
]

TERMINATE_REASONS = [
    _("容缺材料逾期未补齐"),
    _("申请人主动撤回申请"),
    _("一次性告知后申请人逾期未补齐材料"),
    _("退回补正后申请人逾期未补正"),
]


# --- reviews (好差评) and rectification (整改) --------------------------------------------------------------

class Score(models.IntegerChoices):
    VERY_GOOD = 5, _("非常满意")
    GOOD = 4, _("满意")
    FAIR = 3, _("基本满意")
    POOR = 2, _("不满意")
    VERY_POOR = 1, _("非常不满意")


POOR_SCORES = (1, 2)

REVIEW_TAGS = [
    _("等候时间长"), _("服务态度不好"), _("一次告知不清楚"), _("办理时间长"), _("要求提供多余材料"),
    _("办事指南不准确"), _("环境设施不便"), _("服务热情周到"), _("办事高效"), _("解释清楚耐心"),
]


# Complaints about the window itself go to the centre (hall supervisor), whatever happened to the case later.
FRONT_DESK_TAGS = {str(t) for t in REVIEW_TAGS[:3]} | {str(REVIEW_TAGS[6])}


class ReviewChannel(models.TextChoices):
    WINDOW = "window", _("窗口评价器")
    WEB = "web", _("网上评价（办件编号+查询码）")
    STAFF = "staff", _("工作人员代录（电话回访）")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待联系")
    CONTACTED = "contacted", _("已联系，整改中")
    RECTIFIED = "rectified", _("已整改，待回访")
    CLOSED = "closed", _("已办结")
    APPEALED = "appealed", _("申诉复核中")
    VOIDED = "voided", _("申诉成立，已撤销")


RECTIFICATION_OPEN = (RectificationStatus.OPEN, RectificationStatus.CONTACTED, RectificationStatus.RECTIFIED,
                      RectificationStatus.APPEALED)

RECTIFICATION_TRANSITIONS = {
    RectificationStatus.OPEN: {RectificationStatus.CONTACTED, RectificationStatus.APPEALED},
    RectificationStatus.CONTACTED: {RectificationStatus.RECTIFIED, RectificationStatus.APPEALED},
    RectificationStatus.RECTIFIED: {RectificationStatus.CLOSED, RectificationStatus.CONTACTED},
    RectificationStatus.APPEALED: {RectificationStatus.VOIDED, RectificationStatus.CONTACTED},
    RectificationStatus.CLOSED: set(),
    RectificationStatus.VOIDED: set(),
}

RECTIFICATION_ACTIONS = {
    "contact": (_("联系核实"), {RectificationStatus.OPEN}, RectificationStatus.CONTACTED),
    "rectify": (_("整改完成"), {RectificationStatus.CONTACTED}, RectificationStatus.RECTIFIED),
    "close": (_("回访办结"), {RectificationStatus.RECTIFIED}, RectificationStatus.CLOSED),
    "reopen": (_("回访不满意，继续整改"), {RectificationStatus.RECTIFIED}, RectificationStatus.CONTACTED),
    "appeal": (_("申诉复核"), {RectificationStatus.OPEN, RectificationStatus.CONTACTED}, RectificationStatus.APPEALED),
    "uphold": (_("申诉成立，撤销差评"), {RectificationStatus.APPEALED}, RectificationStatus.VOIDED),
    "dismiss": (_("申诉不成立，继续整改"), {RectificationStatus.APPEALED}, RectificationStatus.CONTACTED),
}
SUPERVISOR_ONLY_RECTIFICATION = ("uphold", "dismiss")


class Complexity(models.TextChoices):
    SIMPLE = "simple", _("简单问题（5个工作日内整改）")
    COMPLEX = "complex", _("复杂问题（15个工作日内整改）")


RECTIFY_DAYS = {Complexity.SIMPLE: 5, Complexity.COMPLEX: 15}
CONTACT_DAYS = 1


class CallbackResult(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    ACCEPTABLE = "acceptable", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    UNREACHABLE = "unreachable", _("多次联系未接通")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门")
    ONSITE = "onsite", _("现场当面")
    MESSAGE = "message", _("短信/随申办消息")


# --- 民生档案 (livelihood archives) -------------------------------------------------------------------------

class ArchiveRelation(models.TextChoices):
    SELF = "self", _("本人（档案记载的当事人）")
    PARENT = "parent", _("父母")
    CHILD = "child", _("子女")
    GUARDIAN = "guardian", _("监护人")
    AGENT = "agent", _("代理人/其他人")


# code → (name, relations allowed besides SELF, note). Source: the Shanghai kiosk's record types (K3) and who
# may query them (K3, K4): only the person recorded; 独生子女 the child or the parents; 学籍 the student or a
# guardian. Agents go in person to the district archive with a notarised power of attorney.
ARCHIVE_TYPES = {
    "marriage": (_("婚姻登记档案"), (), _("长三角可通办")),
    "marriage_foreign": (_("涉外婚姻登记档案"), (), _("可凭护照核验身份")),
    "only_child": (_("独生子女档案"), (ArchiveRelation.PARENT, ArchiveRelation.CHILD), _("长三角可通办")),
    "second_child": (_("再生育子女审批档案"), (ArchiveRelation.PARENT, ArchiveRelation.CHILD), ""),
    "zhiqing_down": (_("知青上山下乡档案"), (), _("长三角可通办")),
    "zhiqing_return": (_("知青返城档案"), (), ""),
    "zhiqing_child": (_("知青子女入户档案"), (ArchiveRelation.PARENT,), ""),
    "work_injury": (_("工伤认定档案"), (), ""),
    "school": (_("学籍档案（已撤并学校）"), (ArchiveRelation.GUARDIAN,), ""),
    "veteran": (_("复员退伍军人档案"), (), ""),
    "military": (_("兵役档案"), (), ""),
    "talent": (_("人才引进审批档案（区级/市级）"), (), ""),
    "three_gorges": (_("三峡移民档案"), (), ""),
    "cadre_family": (_("专业技术干部农村家属迁往城镇审批档案"), (), ""),
    "red_banner": (_("市三八红旗手登记档案"), (), ""),
}

ARCHIVE_TYPE_CHOICES = [(code, name) for code, (name, _rel, _note) in ARCHIVE_TYPES.items()]


def archive_allowed_relations(record_type: str) -> tuple:
    _name, extra, _note = ARCHIVE_TYPES[record_type]
    return (ArchiveRelation.SELF, *extra)


class ArchiveStatus(models.TextChoices):
    REFUSED = "refused", _("不予查询")
    SUBMITTED = "submitted", _("已提交档案馆，待回复")
    FOUND = "found", _("查有档案，待出证")
    NOT_FOUND = "not_found", _("查无档案")
    ISSUED = "issued", _("已出证")


# The archive request's steps (提交 / 不予查询 / 查询结果 / 出证) are declared in `workflows.ARCHIVE`.


class ArchiveLogAction(models.TextChoices):
    REQUEST = "request", _("申请查询")
    REFUSE = "refuse", _("拒绝查询")
    RESULT = "result", _("登记查询结果")
    ISSUE = "issue", _("出具复制件")
    VIEW = "view", _("查看记录")
    PRINT = "print", _("打印登记单")


# --- transitions ---------------------------------------------------------------------------------------------

def check_action(actions: dict, transitions: dict, current, action: str, *, what: str, labels=None):
    """Refuse an out-of-order step with a message a clerk can act on (HTTP 409). Returns the target status."""
    label, sources, target = actions[action]
    if current in sources and target in transitions.get(current, set()):
        return target
    labels = labels or {}
    current_label = labels.get(current, current) if current is not None else gettext("（新建）")
    raise ConflictError(
        gettext("%(what)s当前状态为“%(status)s”，不能执行“%(action)s”。") % {
            "what": what, "status": current_label, "action": label},
        {"status": [gettext("当前状态不允许该操作。")]},
    )


# --- 全市通办 transfers (收受分离) -----------------------------------------------------------------------------

class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待寄送")
    SENT = "sent", _("已寄出")
    RECEIVED = "received", _("户籍地中心已签收")
    REVIEWED = "reviewed", _("户籍地中心已审核")
    RETURNED = "returned", _("结果已回传")
    CANCELLED = "cancelled", _("已撤回")


class TransferOutcome(models.TextChoices):
    APPROVED = "approved", _("审核通过")
    REFUSED = "refused", _("不予通过")


class HomeBasis(models.TextChoices):
    HUKOU = "hukou", _("居民库登记的户籍地")
    RESIDENCE = "residence", _("居民库登记的居住地")
    DECLARED = "declared", _("申请人出示的户籍/居住证件")

# The transfer's steps (寄送 / 签收 / 审核 / 回传结果 / 撤回) are declared in `workflows.TRANSFER`.
