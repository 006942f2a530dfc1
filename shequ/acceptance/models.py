"""社区事务受理服务中心: catalogue, queue, cases, reviews, staff rota and skills, 民生档案 requests.

A centre is a 街道 node: windows, tickets, cases, devices and archive requests carry the node they belong to,
so a district deployment with several centres keeps their numbers, queues and figures apart.
"""


from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField
from shequ.core.models import Department, Node, SignedLog

from .choices import (ARCHIVE_TYPE_CHOICES, ArchiveLogAction, ArchiveRelation, ArchiveStatus, CallbackResult,
                      CaseStatus, Complexity, ContactMethod, ContractType, DeviceKind, HalfDay, IdCheck, ItemMode,
                      PostLevel, PriorityReason, Recipient, RectificationStatus, ReviewChannel, SkillLevel,
                      TicketStatus)
from .choices import HomeBasis, TransferOutcome, TransferStatus

USER = settings.AUTH_USER_MODEL


# --- service catalogue ----------------------------------------------------------------------------------------

class QueueCategory(models.Model):
    """A ticket letter: visitors take a number per category (A001, B014 …)."""

    letter = models.CharField(_("字母"), max_length=1, unique=True,
                              validators=[RegexValidator(r"^[A-Z]$", _("取号类别为一个大写字母。"))])
    name = models.CharField(_("名称"), max_length=32)
    description = models.CharField(_("说明"), max_length=120, blank=True)
    default_service_minutes = models.PositiveSmallIntegerField(
        _("默认办理时长（分钟）"), default=10, validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("当天还没有办完的号时，用于估算等候时间。"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("取号类别")
        verbose_name_plural = _("取号类别")
        ordering = ["sort_order", "letter"]

    def __str__(self):
        return f"{self.letter} {self.name}"


class ServiceItem(models.Model):
    """One service (事项) the centre accepts on behalf of a department."""

    code = models.CharField(_("事项编码"), max_length=32, unique=True,
                            validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$", _("编码只能包含字母、数字和 _ . -。"))])
    name = models.CharField(_("事项名称"), max_length=100)
    department = models.ForeignKey(Department, verbose_name=_("主管部门"), on_delete=models.PROTECT,
                                   related_name="service_items")
    category = models.CharField(_("业务类别"), max_length=16)
    queue_category = models.ForeignKey(QueueCategory, verbose_name=_("取号类别"), on_delete=models.PROTECT,
                                       related_name="items")
    mode = models.CharField(_("办理方式"), max_length=8, choices=ItemMode.choices, default=ItemMode.PROMISE)
    limit_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), default=0,
                                                  validators=[MaxValueValidator(365)])
    legal_limit_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"), null=True, blank=True,
                                                        validators=[MaxValueValidator(365)])
    tongban = models.BooleanField(_("全市通办"), default=False)
    separated = models.BooleanField(_("收受分离"), default=False,
                                    help_text=_("本中心收件后转户籍地/居住地中心审核，审核责任不变。"))
    agent_allowed = models.BooleanField(_("允许代办"), default=True)
    agent_note = models.CharField(_("代办要求"), max_length=120, blank=True)
    fee = models.DecimalField(_("收费（元）"), max_digits=8, decimal_places=2, default=0,
                              validators=[MinValueValidator(0)])
    fee_note = models.CharField(_("收费说明"), max_length=120, blank=True)
    online = models.BooleanField(_("网上可办"), default=False)
    conditions = models.TextField(_("办理条件"), blank=True)
    legal_basis = models.CharField(_("设定依据"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项目录")
        ordering = ["sort_order", "code"]
        indexes = [models.Index(fields=["department", "is_active"])]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_instant(self) -> bool:
        return self.mode == ItemMode.INSTANT


class ItemMaterial(models.Model):
    """A required material of an item; `is_key` materials can never be missing (no 容缺)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=100)
    is_key = models.BooleanField(_("关键材料（不可容缺）"), default=True)
    original_required = models.BooleanField(_("需核验原件"), default=False)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1, validators=[MaxValueValidator(20)])
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # 情形材料: a material needed only in one situation. The situation is asked at intake as a question (one per
    # distinct text of the item); the case's checklist, notices, receipt and approval check hold only the
    # materials of the situations that apply.
    condition = models.CharField(_("适用情形"), max_length=60, blank=True,
                                 help_text=_("仅在该情形下需要的材料填写情形（如“委托他人代领”），留空为一律需要。"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="acceptance_material_unique_name")]

    def __str__(self):
        return self.name


class CatalogueImport(models.Model):
    """One Excel import of the catalogue, with its row-level error report."""

    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=200)
    counts = models.JSONField(default=dict)
    errors = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]


# --- windows, devices, staff ------------------------------------------------------------------------------

class Window(models.Model):
    node = models.ForeignKey(Node, verbose_name=_("受理中心"), on_delete=models.PROTECT, related_name="windows")
    number = models.PositiveSmallIntegerField(_("窗口号"), validators=[MinValueValidator(1), MaxValueValidator(99)])
    name = models.CharField(_("窗口名称"), max_length=32, default="综合受理")
    categories = models.ManyToManyField(QueueCategory, through="WindowSkill", verbose_name=_("受理类别"),
                                        related_name="windows")
    is_active = models.BooleanField(_("启用"), default=True)
    is_paused = models.BooleanField(_("暂停服务"), default=False)
    current_clerk = models.ForeignKey(USER, verbose_name=_("当前坐席"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["node", "number"]
        constraints = [models.UniqueConstraint(fields=["node", "number"], name="acceptance_window_unique_number")]

    def __str__(self):
        return f"{self.number}号窗口"


class WindowSkill(models.Model):
    """A category a window serves; `rank` 1 is served first when several queues wait (call-next order)."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="skills")
    category = models.ForeignKey(QueueCategory, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(_("优先顺序"), default=1)

    class Meta:
        ordering = ["rank", "category__letter"]
        constraints = [models.UniqueConstraint(fields=["window", "category"], name="acceptance_window_skill_unique")]


class StaffSkill(models.Model):
    """What a generalist clerk can handle (全岗通) per ticket category. A training that certifies items of the
    category sets the skill and its expiry (the latest certification of the category); a skill set by hand
    has no expiry. The rota itself checks the item certifications (`Certification`)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="acceptance_skills")
    category = models.ForeignKey(QueueCategory, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(_("掌握程度"), max_length=12, choices=SkillLevel.choices, default=SkillLevel.COMPETENT)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        ordering = ["category__sort_order"]
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="acceptance_staff_skill_unique")]


class ClerkFile(models.Model):
    """The staff file of a window clerk (统一招聘、统一管理): hiring, contract and post level. The contract number
    and the ID number are personal data: stored encrypted, shown masked."""

    user = models.OneToOneField(USER, on_delete=models.PROTECT, related_name="clerk_file")
    node = models.ForeignKey(Node, verbose_name=_("受理中心"), on_delete=models.PROTECT, related_name="+")
    hired_on = models.DateField(_("入职日期"))
    contract_type = models.CharField(_("用工形式"), max_length=10, choices=ContractType.choices)
    contract_number = EncryptedCharField(_("合同编号"), blank=True)
    contract_number_masked = models.CharField(_("合同编号"), max_length=40, blank=True)
    contract_start = models.DateField(_("合同起始日"), null=True, blank=True)
    contract_end = models.DateField(_("合同终止日"), null=True, blank=True)
    post_level = models.CharField(_("岗位等级"), max_length=10, choices=PostLevel.choices)
    id_number = EncryptedCharField(_("身份证号"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("窗口人员档案")
        verbose_name_plural = _("窗口人员档案")
        ordering = ["node", "hired_on", "id"]

    def __str__(self):
        return str(self.user)


class TrainingSession(models.Model):
    """A training of the centre's clerks (统一培训): which service items it covers, for how many hours. Passing it
    certifies the attendee for those items for `valid_months`."""

    node = models.ForeignKey(Node, verbose_name=_("受理中心"), on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("培训主题"), max_length=100)
    date = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1,
                                validators=[MinValueValidator(0.5), MaxValueValidator(40)])
    trainer = models.CharField(_("授课人"), max_length=50, blank=True)
    items = models.ManyToManyField(ServiceItem, verbose_name=_("涵盖事项"), related_name="trainings")
    valid_months = models.PositiveSmallIntegerField(_("资格有效期（月）"), default=24,
                                                    validators=[MinValueValidator(1), MaxValueValidator(60)])
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["node", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.topic}"


class TrainingAttendance(models.Model):
    """One clerk at one training: present or not, and whether the test was passed (which certifies)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(USER, verbose_name=_("参训人员"), on_delete=models.PROTECT,
                             related_name="acceptance_trainings")
    present = models.BooleanField(_("出勤"), default=True)
    passed = models.BooleanField(_("考核通过"), default=False)
    score = models.PositiveSmallIntegerField(_("考核成绩"), null=True, blank=True, validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="acceptance_attendance_unique"),
            models.CheckConstraint(condition=Q(present=True) | Q(passed=False),
                                   name="acceptance_attendance_pass_needs_presence"),
        ]


class Certification(models.Model):
    """A clerk may accept a service item from `certified_on` to `expires_on` (统一持证上岗), as the result of a
    passed training. A renewal moves the dates; a revocation ends it at once."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="acceptance_certifications")
    item = models.ForeignKey(ServiceItem, verbose_name=_("服务事项"), on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(TrainingSession, verbose_name=_("来源培训"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="certifications")
    certified_on = models.DateField(_("取得日期"))
    expires_on = models.DateField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("事项受理资格")
        verbose_name_plural = _("事项受理资格")
        ordering = ["item__queue_category__sort_order", "item__sort_order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="acceptance_certification_unique"),
            models.CheckConstraint(condition=Q(expires_on__gte=models.F("certified_on")),
                                   name="acceptance_certification_dates"),
        ]
        indexes = [models.Index(fields=["user", "expires_on"])]

    def valid_on(self, day) -> bool:
        return self.revoked_at is None and self.certified_on <= day <= self.expires_on


class RotaSlot(models.Model):
    """Who sits at which window on a half-day (统一窗口调度)."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="rota")
    date = models.DateField(_("日期"))
    half = models.CharField(_("时段"), max_length=2, choices=HalfDay.choices)
    clerk = models.ForeignKey(USER, verbose_name=_("受理员"), on_delete=models.PROTECT, related_name="rota_slots")

    class Meta:
        ordering = ["date", "half", "window__number"]
        constraints = [
            models.UniqueConstraint(fields=["window", "date", "half"], name="acceptance_rota_one_per_window"),
            models.UniqueConstraint(fields=["clerk", "date", "half"], name="acceptance_rota_one_window_per_clerk"),
        ]


class Device(models.Model):
    """A kiosk, hall screen or window screen. It proves itself with a secret cookie set at pairing time; only
    the keyed hash of the secret is stored. A device can only take numbers (kiosk), show the queue (screens)
    or record a rating for its own window — never read personal data."""

    node = models.ForeignKey(Node, verbose_name=_("受理中心"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("设备名称"), max_length=32)
    kind = models.CharField(_("类型"), max_length=8, choices=DeviceKind.choices)
    window = models.ForeignKey(Window, verbose_name=_("所属窗口"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="devices")
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    pairing_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    pairing_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    paired_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("大厅设备")
        verbose_name_plural = _("大厅设备")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class DailyCounter(models.Model):
    """The last number given out per centre, key (ticket letter or case) and day. Numbers are allocated by
    incrementing this row inside the transaction that inserts the numbered row, so they stay unique and
    gapless under concurrent kiosks."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=16)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "key", "day"], name="acceptance_counter_unique")]


# --- queue tickets ---------------------------------------------------------------------------------------

class Ticket(models.Model):
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    category = models.ForeignKey(QueueCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    number = models.CharField(_("号码"), max_length=8)
    priority = models.BooleanField(_("优先"), default=False)
    priority_reason = models.CharField(_("优先原因"), max_length=10, choices=PriorityReason.choices, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    issued_at = models.DateTimeField(_("取号时间"), default=timezone.now)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    window = models.ForeignKey(Window, verbose_name=_("窗口"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="tickets")
    clerk = models.ForeignKey(USER, verbose_name=_("受理员"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    target_window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                      help_text=_("转移到指定窗口时，只由该窗口叫号。"))
    called_at = models.DateTimeField(_("首次叫号"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("最近叫号"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办理完成"), null=True, blank=True)
    transfer_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["day", "issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["node", "day", "category", "seq"], name="acceptance_ticket_unique_seq"),
            models.UniqueConstraint(fields=["node", "day", "number"], name="acceptance_ticket_unique_number"),
            # A window holds at most one called or served ticket: a double click cannot call two.
            models.UniqueConstraint(fields=["window"], condition=Q(status__in=["called", "serving"]),
                                    name="acceptance_one_active_ticket_per_window"),
        ]
        indexes = [
            models.Index(fields=["node", "day", "status", "category"]),
            models.Index(fields=["clerk", "day"]),
            models.Index(fields=["window", "day"]),
        ]

    def __str__(self):
        return self.number


class TicketEvent(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=8, blank=True)
    to_status = models.CharField(max_length=8)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=64, blank=True)
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]


# --- cases -----------------------------------------------------------------------------------------------

# On PostgreSQL acceptance_case is partitioned by year of received_at (migration 0009, shequ/core/partitions.py):
# the ForeignKeys to it carry db_constraint=False (on_delete is applied by Django), and `number` is unique within
# each year's partition — a number carries its intake date (SL<yymmdd>…), so that is unique overall.
class Case(models.Model):
    """An application (办件) from intake at the window to hand-over of the result."""

    number = models.CharField(_("办件编号"), max_length=20, unique=True)
    check_code = models.CharField(_("查询码"), max_length=6)
    node = models.ForeignKey(Node, verbose_name=_("受理中心"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(Department, verbose_name=_("审核部门"), on_delete=models.PROTECT,
                                   related_name="+")
    ticket = models.ForeignKey(Ticket, verbose_name=_("排队号"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="cases")
    status = models.CharField(_("状态"), max_length=12, choices=CaseStatus.choices)

    applicant_resident = models.ForeignKey("people.Resident", verbose_name=_("登记居民"), null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    committee = models.ForeignKey(Node, verbose_name=_("居委会"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    applicant_name = models.CharField(_("申请人"), max_length=32)
    applicant_id_number = EncryptedCharField(_("申请人证件号"), blank=True)
    applicant_id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    applicant_id_masked = models.CharField(_("申请人证件号"), max_length=18, blank=True)
    applicant_phone = EncryptedCharField(_("联系电话"), blank=True)
    applicant_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True)
    agent_name = models.CharField(_("代理人"), max_length=32, blank=True)
    agent_id_number = EncryptedCharField(_("代理人证件号"), blank=True)
    agent_id_masked = models.CharField(_("代理人证件号"), max_length=18, blank=True)
    agent_relation = models.CharField(_("与申请人关系"), max_length=16, blank=True)

    received_at = models.DateTimeField(_("收件时间"), default=timezone.now)
    received_by = models.ForeignKey(USER, verbose_name=_("收件人"), on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clock_start = models.DateField(_("起算日"), null=True, blank=True)
    warn_date = models.DateField(_("预警日（80%）"), null=True, blank=True)
    due_date = models.DateField(_("到期日"), null=True, blank=True)
    # The year of the due date had no confirmed holidays at acceptance: the dates follow the Mon–Fri rule until
    # the year is entered, then they are recomputed (`case_recompute_provisional`).
    due_provisional = models.BooleanField(_("暂定到期日"), default=False)
    # A 补正 pauses the clock; on resubmission it resumes on `clock_resumed_on` with the working days that were
    # left (`clock_remaining`) instead of restarting in full.
    clock_resumed_on = models.DateField(_("恢复计时日"), null=True, blank=True)
    clock_remaining = models.PositiveSmallIntegerField(_("剩余工作日"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停计时"), null=True, blank=True)
    situations = models.JSONField(_("申报情形"), default=list, blank=True)
    rongque_lapsed = models.BooleanField(_("容缺逾期未补"), default=False)
    rongque_pending = models.BooleanField(_("容缺材料待补"), default=False)
    rongque_deadline = models.DateField(_("容缺补齐期限"), null=True, blank=True)
    promise_signed = models.BooleanField(_("已签署容缺承诺书"), default=False)
    notice_at = models.DateTimeField(_("一次告知时间"), null=True, blank=True)
    handler = models.ForeignKey(USER, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)
    return_count = models.PositiveSmallIntegerField(_("退回补正次数"), default=0)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    completed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    result_note = models.CharField(_("办理结果"), max_length=200, blank=True)
    delivered_at = models.DateTimeField(_("出件时间"), null=True, blank=True)
    delivered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    delivered_to = models.CharField(_("领取人类型"), max_length=10, choices=Recipient.choices, blank=True)
    recipient_name = models.CharField(_("领取人"), max_length=32, blank=True)
    recipient_id_masked = models.CharField(_("领取人证件号"), max_length=18, blank=True)
    closing_reason = models.TextField(_("不予受理/终止理由"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["node", "-id"], name="acc_case_node_id"),
            models.Index(fields=["node", "status", "-id"], name="acc_case_node_status_id"),
            models.Index(fields=["department", "status", "-id"], name="acc_case_dept_status_id"),
            models.Index(fields=["node", "status", "due_date"], name="acc_case_node_status_due"),
            models.Index(fields=["accepted_by", "accepted_at"], name="acc_case_clerk_accepted"),
            models.Index(fields=["node", "received_at"], name="acc_case_node_received"),
            # From the 1M-case benchmark: the dashboard's "completed/delivered today", the back-office queue by
            # due date and the 容缺-overdue list scanned a whole centre without these.
            models.Index(fields=["node", "completed_at"], name="acc_case_node_completed"),
            models.Index(fields=["node", "delivered_at"], name="acc_case_node_delivered"),
            models.Index(fields=["department", "status", "due_date"], name="acc_case_dept_status_due"),
            models.Index(fields=["node", "rongque_deadline"], condition=Q(rongque_pending=True),
                         name="acc_case_rongque_pending"),
            models.Index(fields=["due_date"], condition=Q(due_provisional=True), name="acc_case_due_provisional"),
            models.Index(fields=["applicant_id_hash", "closed_at"], condition=Q(rongque_lapsed=True),
                         name="acc_case_rongque_lapsed"),
        ]

    def __str__(self):
        return self.number


class CaseMaterial(models.Model):
    """A material of one case: provided at intake, missing (listed in the one-time notice), or requested by
    the back office when returning the case for 补正."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials", db_constraint=False)
    material = models.ForeignKey(ItemMaterial, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("材料名称"), max_length=100)
    is_key = models.BooleanField(_("关键材料"), default=True)
    provided = models.BooleanField(_("已收"), default=False)
    provided_at = models.DateTimeField(null=True, blank=True)
    supplemented = models.BooleanField(_("补交"), default=False)
    requested_by_backoffice = models.BooleanField(_("部门要求补正"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]


class CaseEvent(models.Model):
    """One row per step of a case: who did what, when, from which status to which."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_constraint=False)
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]


# --- reviews and rectification -----------------------------------------------------------------------------

class Review(models.Model):
    """A five-level rating (好差评). One per case (一事一评) and one per ticket (一次一评). The reviewer's
    identity is not shown to the staff reviewed."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews",
                             db_constraint=False)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews")
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    clerk = models.ForeignKey(USER, verbose_name=_("被评价人"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    department = models.ForeignKey(Department, verbose_name=_("被评价单位"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    score = models.PositiveSmallIntegerField(_("评价"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    tags = models.JSONField(_("评价标签"), default=list, blank=True)
    comment = models.CharField(_("意见建议"), max_length=500, blank=True)
    channel = models.CharField(_("评价渠道"), max_length=8, choices=ReviewChannel.choices)
    contact_phone = EncryptedCharField(_("回访电话"), blank=True)
    contact_phone_masked = models.CharField(_("回访电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(case__isnull=False),
                                    name="acceptance_one_review_per_case"),
            models.UniqueConstraint(fields=["ticket"], condition=Q(ticket__isnull=False),
                                    name="acceptance_one_review_per_ticket"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="acceptance_review_score_range"),
        ]
        indexes = [models.Index(fields=["node", "created_at"]), models.Index(fields=["clerk", "created_at"])]


class Rectification(models.Model):
    """The task a 差评 (1–2 stars) opens for the responsible unit: contact the reviewer, fix, call back."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="rectification")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    # The responsible unit: the department that decided the case, or the centre itself (null: the hall
    # supervisor handles it) when the complaint is about the window service.
    department = models.ForeignKey(Department, verbose_name=_("责任单位"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=RectificationStatus.choices,
                              default=RectificationStatus.OPEN)
    complexity = models.CharField(_("问题类型"), max_length=8, choices=Complexity.choices, default=Complexity.SIMPLE)
    contact_deadline = models.DateField(_("联系期限"), null=True, blank=True)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    deadline_note = models.CharField(max_length=200, blank=True)
    contacted_at = models.DateTimeField(_("联系时间"), null=True, blank=True)
    contact_method = models.CharField(_("联系方式"), max_length=8, choices=ContactMethod.choices, blank=True)
    contact_note = models.TextField(_("核实情况"), blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_result = models.CharField(_("回访结果"), max_length=12, choices=CallbackResult.choices, blank=True)
    callback_note = models.TextField(_("回访记录"), blank=True)
    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["node", "status"]), models.Index(fields=["department", "status"])]

    def __str__(self):
        return f"整改#{self.pk}"


class StepEvent(models.Model):
    """One row per step of a declared workflow: who did what, when, from which status to which."""

    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class RectificationEvent(StepEvent):
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")

    class Meta(StepEvent.Meta):
        pass


# --- 民生档案 ----------------------------------------------------------------------------------------------

class ArchiveRequest(models.Model):
    """A request to look up a livelihood archive file (民生档案查询出证) on behalf of the person recorded."""

    number = models.CharField(_("查档编号"), max_length=20, unique=True)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(_("档案类型"), max_length=16, choices=ARCHIVE_TYPE_CHOICES)
    requester_name = models.CharField(_("申请人"), max_length=32)
    requester_id_number = EncryptedCharField(_("申请人证件号"))
    requester_id_hash = models.CharField(max_length=64, db_index=True, editable=False)
    requester_id_masked = models.CharField(_("申请人证件号"), max_length=18)
    requester_resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+")
    relation = models.CharField(_("与档案当事人关系"), max_length=10, choices=ArchiveRelation.choices)
    subject_name = models.CharField(_("档案当事人"), max_length=32)
    subject_id_masked = models.CharField(_("当事人证件号"), max_length=18, blank=True)
    subject_id_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_check = models.CharField(_("身份核验方式"), max_length=12, choices=IdCheck.choices)
    purpose = models.CharField(_("查档用途"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=ArchiveStatus.choices)
    refusal_reason = models.TextField(_("不予查询理由"), blank=True)
    archive = models.ForeignKey(Department, verbose_name=_("档案馆"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    file_reference = models.CharField(_("档号/案卷号"), max_length=64, blank=True)
    result_note = models.CharField(_("查询结果说明"), max_length=200, blank=True)
    pages = models.PositiveSmallIntegerField(_("页数"), default=0)
    copies = models.PositiveSmallIntegerField(_("出证份数"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    result_at = models.DateTimeField(null=True, blank=True)
    result_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("民生档案查询")
        verbose_name_plural = _("民生档案查询")
        ordering = ["-id"]
        indexes = [models.Index(fields=["node", "-id"])]

    def __str__(self):
        return self.number


class ArchiveAccessLog(SignedLog):
    """Every access to a 民生档案 request (查档利用登记): append-only and signed (`core.models.SignedLog`), read by
    the auditor. On PostgreSQL a trigger refuses UPDATE and DELETE as for `core.AuditLog`."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+")
    username = models.CharField(_("账号"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=24, blank=True)
    action = models.CharField(_("操作"), max_length=8, choices=ArchiveLogAction.choices)
    request = models.ForeignKey(ArchiveRequest, null=True, blank=True, on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="+")
    request_number = models.CharField(_("查档编号"), max_length=20, blank=True)
    record_type = models.CharField(_("档案类型"), max_length=16, choices=ARCHIVE_TYPE_CHOICES)
    requester_id_masked = models.CharField(_("申请人证件号"), max_length=18, blank=True)
    requester_id_hash = models.CharField(max_length=64, blank=True)
    relation = models.CharField(_("关系"), max_length=10, choices=ArchiveRelation.choices, blank=True)
    id_check = models.CharField(_("身份核验"), max_length=12, choices=IdCheck.choices, blank=True)
    purpose = models.CharField(_("用途"), max_length=100, blank=True)
    decision = models.CharField(_("结果"), max_length=64, blank=True)
    copies = models.PositiveSmallIntegerField(_("出证份数"), default=0)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    signed_fields = ("at", "user_id", "username", "role", "action", "request_id", "request_number", "record_type",
                     "requester_id_masked", "requester_id_hash", "relation", "id_check", "purpose", "decision",
                     "copies", "ip", "detail")
    log_name = "the archive access log"

    class Meta:
        verbose_name = _("民生档案查询日志")
        verbose_name_plural = _("民生档案查询日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["requester_id_hash", "at"])]



# --- 全市通办 transfers (收受分离) -------------------------------------------------------------------------------

class TransferBatch(models.Model):
    """A paper batch (纸质材料交接批次) carried by a courier from this centre to one home centre, with its
    hand-over sheet. The courier's phone is personal data: stored encrypted, shown masked."""

    number = models.CharField(_("批次号"), max_length=20, unique=True)
    node = models.ForeignKey(Node, verbose_name=_("寄出中心"), on_delete=models.PROTECT, related_name="+")
    home_node = models.ForeignKey(Node, verbose_name=_("接收中心"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    home_name = models.CharField(_("接收中心"), max_length=64)
    courier_name = models.CharField(_("交接/快递人员"), max_length=32)
    courier_phone = EncryptedCharField(_("联系电话"))
    courier_phone_masked = models.CharField(_("联系电话"), max_length=20)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("寄出时间"), default=timezone.now)

    class Meta:
        verbose_name = _("材料交接批次")
        verbose_name_plural = _("材料交接批次")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["node", "-created_at"]), models.Index(fields=["home_node", "-created_at"])]

    def __str__(self):
        return self.number


class Transfer(models.Model):
    """A 全市通办 case of the 收受分离 mode taken in here for an applicant whose 户籍地/居住地 centre is another one:
    the scanned materials go to that centre at once, the paper follows in a batch, the home centre reviews and
    returns the result. The home centre is a 街道 of this system (`home_node`) or an outside centre known by
    name only (another district): then this centre's clerks record each step as the other centre reports it.
    The case's clock runs from its acceptance here; the transfer never moves its due date."""

    case = models.OneToOneField(Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="transfer",
                                db_constraint=False)
    node = models.ForeignKey(Node, verbose_name=_("收件中心"), on_delete=models.PROTECT, related_name="+")
    home_node = models.ForeignKey(Node, verbose_name=_("户籍地/居住地中心"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    home_name = models.CharField(_("户籍地/居住地中心"), max_length=64)
    home_basis = models.CharField(_("认定依据"), max_length=10, choices=HomeBasis.choices)
    status = models.CharField(_("状态"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    scans = models.JSONField(_("扫描件"), default=list, blank=True,
                             help_text=_("随办件转出的申请材料扫描件（材料名称）。"))
    batch = models.ForeignKey(TransferBatch, verbose_name=_("交接批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="transfers")
    created_at = models.DateTimeField(_("转出登记时间"), default=timezone.now)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("寄出时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    received_by_name = models.CharField(_("签收人"), max_length=64, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    outcome = models.CharField(_("审核结果"), max_length=10, choices=TransferOutcome.choices, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    returned_at = models.DateTimeField(_("结果回传时间"), null=True, blank=True)
    result_note = models.CharField(_("办理结果"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通办转递")
        verbose_name_plural = _("通办转递")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["node", "status", "-created_at"], name="acc_transfer_node_status"),
            models.Index(fields=["home_node", "status", "-created_at"], name="acc_transfer_home_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(home_name=""), name="acceptance_transfer_home_named"),
        ]

    def __str__(self):
        return self.case.number if self.case_id else f"#{self.pk}"

    @property
    def is_outside(self) -> bool:
        return self.home_node_id is None


class TransferEvent(StepEvent):
    """One row per step of a transfer."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="events")

    class Meta(StepEvent.Meta):
        pass
