"""大联动 data: grid profiles, taxonomy, cases and their history, 12345 orders, the linkage team, supervision and
Open311 clients. Grids themselves are `core.Node` rows of kind grid; this app only adds to them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField
from shequ.core.models import Department, Node, User

from .choices import (OPEN_STATUS_LIST, CaseAction, CaseStatus, CategoryKind, ContactMethod, ExtensionStatus,
                      HotlineStatus, HotlineType, LimitUnit, PhotoStage, RequestKind, RequestStatus, Resolution,
                      Satisfaction, ShiftCode, Source, TaskStatus, Urgency)


# --- grids -----------------------------------------------------------------------------------------------------

class WorkStation(models.Model):
    """A 居民区网格工作站: the unit of a residents' committee that solves problems locally first. It receives cases
    as a `core.Department` of kind station so dispatch treats it like any other unit."""

    department = models.OneToOneField(Department, verbose_name=_("部门"), on_delete=models.PROTECT,
                                      related_name="work_station")
    committee = models.OneToOneField(Node, verbose_name=_("居委会"), on_delete=models.PROTECT,
                                     related_name="work_station")
    address = models.CharField(_("地址"), max_length=128, blank=True)
    leader = models.CharField(_("站长"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("居民区工作站")
        verbose_name_plural = _("居民区工作站")
        ordering = ["committee__code"]

    def __str__(self):
        return self.department.name


class GridProfile(models.Model):
    node = models.OneToOneField(Node, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="grid_profile")
    area_m2 = models.PositiveIntegerField(_("面积（平方米）"), default=0)
    population = models.PositiveIntegerField(_("常住人口"), default=0)
    description = models.CharField(_("网格概况"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("网格概况")
        verbose_name_plural = _("网格概况")

    def __str__(self):
        return self.node.name


class GridResponsible(models.Model):
    ROLES = [("网格长", _("网格长")), ("网格员", _("网格员")), ("监督员", _("监督员")), ("联勤队员", _("联勤队员")),
             ("社区民警", _("社区民警")), ("物业", _("物业负责人")), ("城管", _("城管队员"))]
    grid = models.ForeignKey(Node, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="responsibles")
    name = models.CharField(_("姓名"), max_length=32)
    duty = models.CharField(_("职责"), max_length=16, choices=ROLES)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    user = models.ForeignKey(User, verbose_name=_("账号"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="grid_duties")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("网格责任人")
        verbose_name_plural = _("网格责任人")
        ordering = ["grid", "sort_order", "id"]

    def __str__(self):
        return f"{self.get_duty_display()} {self.name}"


class Building(models.Model):
    KINDS = [("住宅", _("住宅")), ("商铺", _("商铺")), ("公建", _("公建配套")), ("学校", _("学校")), ("其他", _("其他"))]
    grid = models.ForeignKey(Node, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="buildings")
    name = models.CharField(_("名称"), max_length=64)
    address = models.CharField(_("地址"), max_length=128, blank=True)
    kind = models.CharField(_("类型"), max_length=8, choices=KINDS, default="住宅")
    floors = models.PositiveSmallIntegerField(_("层数"), default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)

    class Meta:
        verbose_name = _("楼宇")
        verbose_name_plural = _("楼宇")
        ordering = ["grid", "name"]

    def __str__(self):
        return self.name


class SpatialStamp(models.Model):
    """One row whose time changes whenever a grid polygon changes, so every process rebuilds its index."""

    changed_at = models.DateTimeField(default=timezone.now)


# --- taxonomy ---------------------------------------------------------------------------------------------------

class CategoryMain(models.Model):
    kind = models.CharField(_("类别"), max_length=16, choices=CategoryKind.choices)
    code = models.CharField(_("大类代码"), max_length=2)
    name = models.CharField(_("大类名称"), max_length=32)

    class Meta:
        verbose_name = _("部件/事件大类")
        verbose_name_plural = _("部件/事件大类")
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="grid_main_kind_code")]

    def __str__(self):
        return f"{self.get_kind_display()}·{self.name}"


class Category(models.Model):
    """A 小类 with its 立案条件, 结案条件, 处置时限 and default responsible unit (立结案标准)."""

    main = models.ForeignKey(CategoryMain, verbose_name=_("大类"), on_delete=models.PROTECT,
                             related_name="subcategories")
    code = models.CharField(_("代码"), max_length=8, unique=True, help_text=_("C=部件，E=事件，后接大类与小类各2位"))
    name = models.CharField(_("小类名称"), max_length=32)
    filing_condition = models.CharField(_("立案条件"), max_length=300)
    closing_condition = models.CharField(_("结案条件"), max_length=300)
    limit_value = models.DecimalField(_("处置时限"), max_digits=6, decimal_places=1)
    limit_unit = models.CharField(_("时限单位"), max_length=16, choices=LimitUnit.choices,
                                  default=LimitUnit.WORK_HOURS)
    urgent_limit_hours = models.DecimalField(_("紧急时限（自然小时）"), max_digits=5, decimal_places=1, default=2)
    urgency = models.CharField(_("默认紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    department = models.ForeignKey(Department, verbose_name=_("默认责任单位"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="grid_categories")
    keywords = models.CharField(_("关键词"), max_length=100, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    duplicate_radius_m = models.PositiveIntegerField(_("重复判定半径（米）"), default=50)
    # 延期/返工 rules of the 小类 (the 2014 centre notice on 延期/回退/挂账: a routine extension within the standard
    # allowance is the 值班长's, an engineering-type case or a second extension goes to the centre's leadership).
    is_engineering = models.BooleanField(_("工程类"), default=False,
                                         help_text=_("工程类案件的延期一律由城运中心领导审批。"))
    extension_allowance_hours = models.DecimalField(
        _("值班长可批延期（工作时）"), max_digits=5, decimal_places=1, null=True, blank=True,
        help_text=_("一次延期不超过此时长的由值班长审批，超过的报城运中心领导；留空按系统设置。"))
    max_extensions = models.PositiveSmallIntegerField(_("延期次数上限"), null=True, blank=True,
                                                      help_text=_("留空按系统设置。"))
    rework_limit_value = models.DecimalField(_("返工时限"), max_digits=6, decimal_places=1, null=True, blank=True,
                                             help_text=_("核查不通过后责任单位重新处置的时限；留空按处置时限。"))
    rework_limit_unit = models.CharField(_("返工时限单位"), max_length=16, choices=LimitUnit.choices, blank=True)
    is_public = models.BooleanField(_("对市民开放（Open311）"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("部件/事件小类")
        verbose_name_plural = _("部件/事件小类（立结案标准）")
        ordering = ["main__kind", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def kind(self) -> str:
        return self.main.kind

    @property
    def limit_display(self) -> str:
        from shequ.core.formatting import number_text

        return f"{number_text(self.limit_value)}{self.get_limit_unit_display()}"


class PoliceItem(models.Model):
    """One item of the 非警务类110 hand-over list (110分流清单): a call the police hand to the 城运 platform, and
    the 小类 a transfer of it is filed under, so a 110 report lands in the right class."""

    GROUPS = [("environment", _("市容环境")), ("housing", _("房屋管理")), ("assistance", _("非警务求助")),
              ("emergency", _("应急联动")), ("order", _("街面秩序"))]
    code = models.CharField(_("代码"), max_length=12, unique=True)
    group = models.CharField(_("类别"), max_length=16, choices=GROUPS)
    name = models.CharField(_("110事项"), max_length=40)
    category = models.ForeignKey(Category, verbose_name=_("对应小类"), on_delete=models.PROTECT,
                                 related_name="police_items")
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("110非警务事项")
        verbose_name_plural = _("110非警务事项清单")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class ServiceAttribute(models.Model):
    """An extra question of a category, published as an Open311 service-definition attribute."""

    DATATYPES = [("string", "string"), ("number", "number"), ("datetime", "datetime"), ("text", "text"),
                 ("singlevaluelist", "singlevaluelist"), ("multivaluelist", "multivaluelist")]
    category = models.ForeignKey(Category, verbose_name=_("小类"), on_delete=models.CASCADE,
                                 related_name="attributes")
    code = models.SlugField(_("代码"), max_length=32)
    datatype = models.CharField(_("数据类型"), max_length=16, choices=DATATYPES, default="string")
    required = models.BooleanField(_("必填"), default=False)
    variable = models.BooleanField(_("需要填写"), default=True)
    description = models.CharField(_("问题"), max_length=200)
    datatype_description = models.CharField(_("填写说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    values = models.JSONField(_("选项"), default=list, blank=True, help_text=_('[{"key": "1", "name": "是"}]'))

    class Meta:
        verbose_name = _("上报附加问题")
        verbose_name_plural = _("上报附加问题")
        ordering = ["category", "order"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="grid_attr_code"),
                       models.UniqueConstraint(fields=["category", "order"], name="grid_attr_order")]

    def __str__(self):
        return self.code


class ProcessLimit(models.Model):
    """Time limits of the centre's own steps (核实, 立案, 派遣, 核查, 结案, 12345 签收), in working hours; the 12345
    reply and 先行联系 limits in working days (`days`)."""

    STEPS = [("verify", _("核实")), ("file", _("立案")), ("dispatch", _("派遣")), ("sign", _("签收")),
             ("check", _("核查")), ("close", _("结案")), ("hotline_sign", _("12345签收")),
             ("hotline_reply", _("12345答复（一般）")), ("hotline_reply_consult", _("12345答复（咨询/建议）")),
             ("hotline_contact", _("12345先行联系")), ("hotline_return_window", _("12345退单申请时限")),
             ("hotline_extend_window", _("12345延期申请时限"))]
    step = models.CharField(_("环节"), max_length=24, choices=STEPS, unique=True)
    hours = models.DecimalField(_("时限（工作时）"), max_digits=6, decimal_places=1)
    days = models.PositiveSmallIntegerField(_("时限（工作日）"), null=True, blank=True,
                                            help_text=_("12345答复按工作日计：到期日的下班时间为时限。"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("环节时限")
        verbose_name_plural = _("环节时限")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_step_display()} {self.hours}"


# --- cases -------------------------------------------------------------------------------------------------------

# On PostgreSQL grid_case is partitioned by year of reported_at (migration 0020, shequ/core/partitions.py): the
# ForeignKeys to it carry db_constraint=False (on_delete is applied by Django), and `number` and `open311_token`
# are unique within each year's partition — a number carries its report date, so that is unique overall.
class Case(models.Model):
    number = models.CharField(_("案件编号"), max_length=32, unique=True)
    category = models.ForeignKey(Category, verbose_name=_("小类"), on_delete=models.PROTECT, related_name="cases")
    kind = models.CharField(_("类别"), max_length=16, choices=CategoryKind.choices)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REPORTED)
    # node = the most specific place known: the grid, or the 街道 when a report has no usable location.
    node = models.ForeignKey(Node, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Node, verbose_name=_("网格"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="grid_cases")
    committee = models.ForeignKey(Node, verbose_name=_("居委会"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="committee_cases")
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    description = models.TextField(_("问题描述"), max_length=4000)
    component_code = models.CharField(_("部件编码"), max_length=16, blank=True)
    reporter = models.ForeignKey(User, verbose_name=_("上报人"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="reported_grid_cases")
    reporter_name = models.CharField(_("上报人姓名"), max_length=64, blank=True)
    reporter_contact = EncryptedCharField(_("联系方式"), max_length=255, blank=True)
    external_no = models.CharField(_("外部单号"), max_length=40, blank=True, db_index=True,
                                   help_text=_("12345工单号或110接警编号"))
    open311_client = models.ForeignKey("Open311Client", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="cases")
    open311_token = models.CharField(max_length=40, null=True, blank=True, unique=True)
    duplicate_of = models.ForeignKey("self", verbose_name=_("合并到"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="duplicates", db_constraint=False)
    unit = models.ForeignKey(Department, verbose_name=_("责任单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="grid_cases")
    limit_hours = models.FloatField(_("处置时限（小时）"), null=True, blank=True)
    limit_unit = models.CharField(_("时限单位"), max_length=16, choices=LimitUnit.choices, blank=True)
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    verify_due = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    filed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dispatch_due = models.DateTimeField(null=True, blank=True)
    first_dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    dispatched_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    deadline = models.DateTimeField(_("处置期限"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    parked_at = models.DateTimeField(_("挂账时间"), null=True, blank=True)
    fed_back_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    check_due = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    close_due = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_on_time = models.BooleanField(_("按期结案"), null=True, blank=True)
    self_handled = models.BooleanField(_("工作站自处置"), default=False)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    return_count = models.PositiveSmallIntegerField(_("回退次数"), default=0)
    was_parked = models.BooleanField(_("曾挂账"), default=False)
    park_review_on = models.DateField(_("挂账复核日期"), null=True, blank=True)
    # The unit's feedback came after its deadline before a failed check gave it a new rework limit: the case can
    # no longer close on time, however fast the rework.
    overdue_before_rework = models.BooleanField(_("返工前已超期"), default=False)
    satisfaction = models.CharField(_("评价"), max_length=16, choices=Satisfaction.choices, blank=True)
    evaluation_note = models.CharField(_("评价意见"), max_length=200, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    status_note = models.CharField(_("最新进展"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    # A new report is counted into the summary rows after the request (`stats.catch_up`: the periodic task, and
    # every indicator read before it reads); until then it is marked here, in the report's own INSERT.
    stats_pending = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-reported_at", "-id"]
        indexes = [
            # Covers the live "open and past its deadline" count of the indicators (index-only scan).
            models.Index(fields=["status", "deadline", "reported_at", "committee", "unit"],
                         name="grid_case_open_deadline"),
            models.Index(fields=["committee", "reported_at"], name="grid_case_committee_reported"),
            models.Index(fields=["unit", "status"], name="grid_case_unit_status"),
            models.Index(fields=["node", "status"], name="grid_case_node_status"),
            # Report time, then id and node: the case list's order (newest first, id breaking ties) with the scope
            # test answered from the index itself, so a deep page or the capped count never reads the table
            # (a 街道's page 400 at a million cases: 2.5 s → 10 ms).
            models.Index(fields=["reported_at", "id", "node"], name="grid_case_reported_node"),
            models.Index(fields=["status", "reported_at"], name="grid_case_status_reported"),
            models.Index(fields=["source", "reported_at"], name="grid_case_source_reported"),
            models.Index(fields=["category", "status"], name="grid_case_category_status"),
            models.Index(fields=["id"], condition=models.Q(stats_pending=True), name="grid_case_stats_pending"),
            # The open cases alone (a few percent of a million): the cockpit's and the map's open counts by
            # committee and grid read this small index instead of scanning every case (11 s → ms at 1M cases).
            models.Index(fields=["committee", "grid"], condition=models.Q(status__in=OPEN_STATUS_LIST),
                         name="grid_case_open"),
            # The closing cohort of the indicators: cases due or closed in a period (stats._cohort_parts).
            models.Index(fields=["deadline"], name="grid_case_deadline"),
            models.Index(fields=["closed_at"], name="grid_case_closed_at"),
            # One committee's day of the cohort (`stats.refresh_cohort`, after every step of a case).
            models.Index(fields=["committee", "deadline"], name="grid_case_committee_deadline"),
            models.Index(fields=["committee", "closed_at"], name="grid_case_committee_closed"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        from .choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    def light(self, now=None) -> str:
        """Traffic light: green below 80 % of the limit, yellow 80–100 %, red beyond; '' before dispatch.

        The unit's clock stops at its feedback (and while parked), so a case waiting for its check is judged at
        the moment of feedback."""
        if not self.deadline:
            return ""
        if self.status == CaseStatus.PARKED:
            moment = self.parked_at
        elif self.status in (CaseStatus.DISPATCHED, CaseStatus.HANDLING, CaseStatus.RETURNED):
            moment = now or timezone.now()
        else:
            moment = self.fed_back_at or self.closed_at or now or timezone.now()
        if moment >= self.deadline:
            return "red"
        if self.warn_at and moment >= self.warn_at:
            return "yellow"
        return "green"


class CaseEvent(models.Model):
    """One row per transition: who did what, when, from which status to which."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_constraint=False)
    action = models.CharField(_("操作"), max_length=24, choices=CaseAction.choices)
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=64, blank=True)
    unit = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("意见"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    on_time = models.BooleanField(null=True, blank=True)
    wrong = models.BooleanField(_("错误派遣"), default=False)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("案件流转记录")
        verbose_name_plural = _("案件流转记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="grid_event_case_at"),
                   models.Index(fields=["at", "action"], name="grid_event_at_action")]


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos", db_constraint=False)
    stage = models.CharField(_("环节"), max_length=16, choices=PhotoStage.choices, default=PhotoStage.REPORT)
    file = models.FileField(upload_to="grid/%Y/%m/")
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    exif_lat = models.FloatField(null=True, blank=True)
    exif_lng = models.FloatField(null=True, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("案件照片")
        verbose_name_plural = _("案件照片")
        ordering = ["created_at", "id"]


class ExtensionRequest(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions",
                             db_constraint=False)
    unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    hours = models.FloatField(_("延长工作时"))
    reason = models.CharField(_("理由"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=ExtensionStatus.choices,
                              default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    # 1 = the 值班长 may decide; 2 = the 城运中心 leader must (why: `level_reasons`), fixed when requested.
    level = models.PositiveSmallIntegerField(_("审批层级"), choices=[(1, _("值班长审批")), (2, _("城运中心领导审批"))],
                                             default=1)
    level_reasons = models.CharField(_("报领导审批原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]


class ParkRequest(models.Model):
    """挂账申请: the unit asks to take the case out of the time-limit count (engineering or seasonal work); the
    城运中心 leader approves it with the date the case is reviewed again."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="park_requests",
                             db_constraint=False)
    unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("挂账理由"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=ExtensionStatus.choices,
                              default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    review_on = models.DateField(_("复核日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("挂账申请")
        verbose_name_plural = _("挂账申请")
        ordering = ["-requested_at"]


class CaseCounter(models.Model):
    day = models.CharField(max_length=20, unique=True)
    value = models.PositiveIntegerField(default=0)


class CaseCounts(models.Model):
    """The bucket (committee, responsible unit, urgency) and the counts (`stats.STAT_FIELDS`) of a summary row."""

    committee = models.ForeignKey(Node, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    unit = models.ForeignKey(Department, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    urgent = models.BooleanField(default=False)
    reported = models.PositiveIntegerField(default=0)
    patrol_reported = models.PositiveIntegerField(default=0)
    public_reported = models.PositiveIntegerField(default=0)
    filed = models.PositiveIntegerField(default=0)
    voided = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    closed_late = models.PositiveIntegerField(default=0)
    reworked = models.PositiveIntegerField(default=0)
    rework_total = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    parked = models.PositiveIntegerField(default=0)
    self_handled = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    evaluated = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class CaseStat(CaseCounts):
    """Summary of cases by the day they were reported, committee, responsible unit and urgency; rebuilt per
    bucket whenever a case in it changes, so a year of indicators reads ~10⁵ rows instead of 10⁶ cases."""

    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "committee", "unit", "urgent"], name="grid_stat_key")]
        indexes = [models.Index(fields=["day"], name="grid_stat_day")]


class CaseStatMonth(CaseCounts):
    """The same counts rolled up by calendar month (`month` = its first day). A year of indicators reads the
    full months here and only the partial months at the period's ends from `CaseStat`."""

    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "committee", "unit", "urgent"],
                                               name="grid_statmonth_key")]
        indexes = [models.Index(fields=["month"], name="grid_statmonth_month")]


class CohortCounts(models.Model):
    """The committee and the counts (`stats.COHORT_ROW_KEYS`) of a row of the closing cohort."""

    committee = models.ForeignKey(Node, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    due = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    closed_late = models.PositiveIntegerField(default=0)
    parked = models.PositiveIntegerField(default=0)
    reworked = models.PositiveIntegerField(default=0)
    overdue_open = models.PositiveIntegerField(default=0)
    urgent_closed = models.PositiveIntegerField(default=0)
    urgent_on_time = models.PositiveIntegerField(default=0)
    urgent_due = models.PositiveIntegerField(default=0)
    due_after_month = models.PositiveIntegerField(default=0)
    urgent_after_month = models.PositiveIntegerField(default=0)
    due_after_year = models.PositiveIntegerField(default=0)
    urgent_after_year = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class CaseCohort(CohortCounts):
    """The closing cohort of the indicators (stats: 应结案, 结案, 按期结案 …) by day and committee: a closed case counts
    on its closing day, any other dispatched case on its deadline's day (`stats.refresh_cohort`). The
    `*_after_month` / `*_after_year` counts (by the deadline's day) are the closed cases due that day but closed in
    a later month / year: a month or a year that is over counts them as due and not closed."""

    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "committee"], name="grid_cohort_key")]
        indexes = [models.Index(fields=["committee", "day"], name="grid_cohort_committee_day")]


class CaseCohortMonth(CohortCounts):
    """The same rows rolled up by calendar month (`month` = its first day): a year of the closing figures over a
    district reads ≤ committees × 12 of them, the partial months at the period's ends from `CaseCohort`."""

    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "committee"], name="grid_cohortmonth_key")]
        indexes = [models.Index(fields=["committee", "month"], name="grid_cohortmonth_committee")]


class CaseStatCommitteeMonth(CaseCounts):
    """`CaseStatMonth` added up over the responsible units (`unit` stays empty): a committee's month, urgent or
    not, so that a year of report figures over a district reads ≤ committees × 12 × 2 rows instead of one per
    committee, unit, urgency and month (a month of a million cases spreads over every unit)."""

    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "committee", "urgent"], name="grid_statcm_key")]
        indexes = [models.Index(fields=["committee", "month"], name="grid_statcm_committee")]


class PostStat(models.Model):
    """Daily counts per person and step (核实, 核查, 立案, 派遣, 结案…): the post (岗位) indicators."""

    day = models.DateField()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    action = models.CharField(max_length=24)
    count = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    wrong = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "user", "action"], name="grid_poststat_key")]
        indexes = [models.Index(fields=["day"], name="grid_poststat_day")]


# --- 12345 -------------------------------------------------------------------------------------------------------

# On PostgreSQL grid_hotlineorder is partitioned by year of received_at (migration 0022): the ForeignKeys to it carry
# db_constraint=False, and `order_no` is unique within each year's partition (the intake refuses a number already
# imported in any year).
class HotlineOrder(models.Model):
    order_no = models.CharField(_("工单号"), max_length=40, unique=True)
    hotline_type = models.CharField(_("诉求类型"), max_length=16, choices=HotlineType.choices,
                                    default=HotlineType.COMPLAINT)
    title = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("诉求内容"), max_length=4000)
    category = models.ForeignKey(Category, verbose_name=_("对应小类"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    caller_name = models.CharField(_("来电人"), max_length=32, blank=True)
    caller_phone = EncryptedCharField(_("来电号码"), max_length=255, blank=True)
    caller_phone_masked = models.CharField(_("来电号码"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    node = models.ForeignKey(Node, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("状态"), max_length=16, choices=HotlineStatus.choices,
                              default=HotlineStatus.RECEIVED)
    received_at = models.DateTimeField(_("派单时间"), default=timezone.now)
    sign_due = models.DateTimeField(_("签收时限"), null=True, blank=True)
    reply_due = models.DateTimeField(_("答复时限"), null=True, blank=True)
    # The hotline platform's own 办结时限 as it came with the order (the 街道's reply limit is `reply_due`).
    platform_due = models.DateTimeField(_("办结时限（平台）"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("网格案件"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="hotline_orders", db_constraint=False)
    return_reason = models.CharField(_("退单理由"), max_length=200, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("延期工作日"), default=0)
    contact_at = models.DateTimeField(_("先行联系时间"), null=True, blank=True)
    contact_by = models.CharField(_("先行联系人"), max_length=32, blank=True)
    contact_method = models.CharField(_("先行联系方式"), max_length=16, choices=ContactMethod.choices, blank=True)
    contact_on_time = models.BooleanField(_("按时先行联系"), null=True, blank=True)
    resolution = models.CharField(_("解决情况"), max_length=16, choices=Resolution.choices, blank=True)
    reply_text = models.TextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    visited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=16, choices=Satisfaction.choices, blank=True)
    visit_note = models.CharField(_("回访记录"), max_length=300, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    merged_into = models.ForeignKey("self", verbose_name=_("并入工单"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_orders", db_constraint=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("12345工单")
        verbose_name_plural = _("12345工单")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"], name="grid_hotline_status")]

    def __str__(self):
        return self.order_no


class HotlineEvent(models.Model):
    order = models.ForeignKey(HotlineOrder, on_delete=models.CASCADE, related_name="events", db_constraint=False)
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    @property
    def action_label(self) -> str:
        from .choices import HotlineAction

        return str(HotlineAction(self.action).label) if self.action in HotlineAction.values else self.action


class HotlineRequest(models.Model):
    """A 退单 or 延期 request of the 街道 on a 12345 order, decided by the district hotline office (区12345热线办),
    or recorded as the platform decided it (`imported`)."""

    order = models.ForeignKey(HotlineOrder, on_delete=models.CASCADE, related_name="requests",
                              db_constraint=False)
    kind = models.CharField(_("申请类型"), max_length=8, choices=RequestKind.choices)
    reason = models.CharField(_("理由"), max_length=16)  # a code of ReturnReason or ExtensionReason, by kind
    note = models.CharField(_("补充说明"), max_length=300, blank=True)
    days = models.PositiveSmallIntegerField(_("延期工作日"), null=True, blank=True)
    status = models.CharField(_("审核状态"), max_length=12, default=RequestStatus.PENDING,
                              choices=RequestStatus.choices)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_by_name = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by_name = models.CharField(_("审核人"), max_length=64, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    imported = models.BooleanField(_("平台审核结果"), default=False)

    class Meta:
        verbose_name = _("12345退单/延期申请")
        verbose_name_plural = _("12345退单/延期申请")
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["order", "kind"], condition=models.Q(status="pending"),
                                               name="grid_hotline_one_pending_request")]

    @property
    def reason_label(self) -> str:
        from .choices import ExtensionReason, ReturnReason

        choices = ReturnReason if self.kind == "return" else ExtensionReason
        return str(choices(self.reason).label) if self.reason in choices.values else self.reason


class HotlineTask(models.Model):
    """内部交办: part of a 12345 order handed to a 街道 科室, a committee or a work station with its own due date;
    the assignee reports back, the hotline desk still answers the order."""

    order = models.ForeignKey(HotlineOrder, on_delete=models.CASCADE, related_name="tasks", db_constraint=False)
    department = models.ForeignKey(Department, verbose_name=_("承办科室/工作站"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(Node, verbose_name=_("承办居委会"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    instruction = models.CharField(_("交办要求"), max_length=300)
    due = models.DateTimeField(_("承办时限"))
    status = models.CharField(_("状态"), max_length=12, default=TaskStatus.OPEN, choices=TaskStatus.choices)
    assigned_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("交办时间"), default=timezone.now)
    result = models.CharField(_("办理结果"), max_length=490, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_by_name = models.CharField(max_length=64, blank=True)
    done_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("12345内部交办")
        verbose_name_plural = _("12345内部交办")
        ordering = ["due", "id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(department__isnull=False, committee__isnull=True)
            | models.Q(department__isnull=True, committee__isnull=False), name="grid_hotline_task_one_assignee")]

    @property
    def assignee_name(self) -> str:
        return self.department.name if self.department_id else self.committee.name

    @property
    def on_time(self) -> bool | None:
        return None if self.done_at is None else self.done_at <= self.due


# --- linkage team --------------------------------------------------------------------------------------------

class ShiftType(models.Model):
    code = models.CharField(_("代码"), max_length=1, choices=[c for c in ShiftCode.choices if c[0] != "O"],
                            unique=True)
    name = models.CharField(_("名称"), max_length=8)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        ordering = ["start"]

    def __str__(self):
        return f"{self.name} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start


class ShiftPattern(models.Model):
    """The rotation: `slots` is one letter per day of the cycle (E 早, M 中, N 夜, O 休), e.g. EEMMNNOO."""

    name = models.CharField(_("名称"), max_length=32)
    slots = models.CharField(_("轮转序列"), max_length=32, default="EEMMNNOO")
    anchor = models.DateField(_("起算日期"), help_text=_("该日甲班处于序列第1天"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("四班三运转轮转")
        verbose_name_plural = _("四班三运转轮转")

    def __str__(self):
        return self.name

    @property
    def slots_label(self) -> str:
        """The cycle in words, day by day: 早 早 中 中 夜 夜 休 休 (the codes are for the configuration only)."""
        from .choices import SHIFT_SHORT

        return " ".join(SHIFT_SHORT.get(code, code) for code in self.slots)


class DutyTeam(models.Model):
    code = models.CharField(_("代码"), max_length=2, unique=True)
    name = models.CharField(_("名称"), max_length=16)
    offset = models.PositiveSmallIntegerField(_("序列偏移（天）"), default=0)
    leader = models.CharField(_("班长"), max_length=32, blank=True)
    # The 街道 whose linkage team this is: patrol logs and rosters are read within the reader's jurisdiction.
    node = models.ForeignKey(Node, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"kind": "subdistrict"})

    class Meta:
        verbose_name = _("联勤班组")
        verbose_name_plural = _("联勤班组")
        ordering = ["code"]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(DutyTeam, verbose_name=_("班组"), on_delete=models.PROTECT, related_name="members")
    node = models.ForeignKey(Node, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"kind": "subdistrict"})
    name = models.CharField(_("姓名"), max_length=32)
    user = models.OneToOneField(User, verbose_name=_("账号"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="team_member")
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    post = models.CharField(_("岗位"), max_length=16, default="队员")
    is_active = models.BooleanField(_("在岗"), default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("联勤队员")
        verbose_name_plural = _("联勤队员")
        ordering = ["team", "sort_order", "id"]

    def __str__(self):
        return f"{self.name}（{self.team.name}）" if self.team_id else self.name

    def clean(self):
        if self.team_id and self.node_id and self.team.node_id != self.node_id:
            raise ValidationError({"node": _("队员须属于班组所在的街道。")})


class RosterDay(models.Model):
    """The generated roster: which shift each team works on a day."""

    date = models.DateField()
    team = models.ForeignKey(DutyTeam, on_delete=models.CASCADE, related_name="roster")
    shift = models.CharField(max_length=1, choices=ShiftCode.choices)

    class Meta:
        ordering = ["date", "team"]
        constraints = [models.UniqueConstraint(fields=["date", "team"], name="grid_roster_day_team")]


class RosterOverride(models.Model):
    """A member's leave or swap on one day, overriding the team's shift."""

    date = models.DateField(_("日期"))
    member = models.ForeignKey(TeamMember, verbose_name=_("队员"), on_delete=models.CASCADE,
                               related_name="overrides")
    shift = models.CharField(_("班次"), max_length=1, choices=ShiftCode.choices)
    reason = models.CharField(_("原因"), max_length=100)

    class Meta:
        verbose_name = _("调班/请假")
        verbose_name_plural = _("调班/请假")
        constraints = [models.UniqueConstraint(fields=["date", "member"], name="grid_override_day_member")]


class PatrolLog(models.Model):
    member = models.ForeignKey(TeamMember, verbose_name=_("队员"), on_delete=models.PROTECT, related_name="patrols")
    node = models.ForeignKey(Node, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"kind": "subdistrict"})
    shift = models.CharField(_("班次"), max_length=1, choices=ShiftCode.choices)
    # Fixed when the patrol is registered, in the words the roster used then ("甲班 · 早班 06:30–14:30"): renaming a
    # shift or moving the member to another team later does not rewrite the log.
    shift_label = models.CharField(_("班组与班次"), max_length=60, blank=True)
    started_at = models.DateTimeField(_("开始"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)
    note = models.CharField(_("巡查记录"), max_length=500, blank=True)

    @property
    def label(self) -> str:
        if self.shift_label:
            return self.shift_label
        team = self.member.team.name if self.member.team_id else ""
        return " · ".join(x for x in (team, str(self.get_shift_display())) if x)

    class Meta:
        verbose_name = _("巡查日志")
        verbose_name_plural = _("巡查日志")
        ordering = ["-started_at"]


class PatrolCheckin(models.Model):
    log = models.ForeignKey(PatrolLog, on_delete=models.CASCADE, related_name="checkins")
    grid = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    lat = models.FloatField()
    lng = models.FloatField()
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at"]


# --- composite score (综合指标值) -----------------------------------------------------------------------------------

def _pct_field(label, default, help_text=""):
    from decimal import Decimal

    from django.core.validators import MaxValueValidator, MinValueValidator

    return models.DecimalField(label, max_digits=5, decimal_places=1, default=Decimal(default), help_text=help_text,
                               validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])


class CompositeRule(models.Model):
    """综合指标值: the weighted 0–100 composite by which areas and units are ranked. Reference grid.md §5: the
    standard names the indicator and leaves the weights local (金华's sheet is only an example), so the weights,
    the rates at which a part earns full marks and the deductions are this row's data, edited in 系统配置.

    score = W按期 × min(1, 按期结案率 ÷ F按期) + W结案 × min(1, 结案率 ÷ F结案) + W紧急 × min(1, 紧急按期结案率)
            + W返工 × (1 − 返工率) − D返工 × 返工次数 − D超时 × 超时未处置, not below 0; a part without data (no
    urgent case) earns its weight."""

    name = models.CharField(_("指标名称"), max_length=32, default="综合指标值")
    on_time_weight = _pct_field(_("按期结案率权重（分）"), "50")
    on_time_full = _pct_field(_("按期结案率满分线（%）"), "90", _("按期结案率达到此值得满分，低于此值按比例得分。"))
    close_weight = _pct_field(_("结案率权重（分）"), "20")
    close_full = _pct_field(_("结案率满分线（%）"), "90")
    urgent_weight = _pct_field(_("紧急按期结案率权重（分）"), "10")
    rework_weight = _pct_field(_("返工率权重（分）"), "20", _("得分 = 权重 ×（1 − 返工率）。"))
    rework_deduction = models.DecimalField(_("每次返工扣分"), max_digits=4, decimal_places=2, default=0.2)
    overdue_deduction = models.DecimalField(_("每件超时未处置扣分"), max_digits=4, decimal_places=2, default=0.5)
    note = models.CharField(_("依据"), max_length=200, blank=True,
                            default="CJ/T 292、GB/T 30428.4 综合指标值；权重由街道自定")

    class Meta:
        verbose_name = _("综合指标值规则")
        verbose_name_plural = _("综合指标值规则")
        ordering = ["id"]

    def __str__(self):
        return self.name

    def clean(self):
        from decimal import Decimal

        errors = {}
        weights = [self.on_time_weight, self.close_weight, self.urgent_weight, self.rework_weight]
        if all(w is not None for w in weights) and sum(weights) != Decimal(100):
            errors["rework_weight"] = _("四项权重合计须为100分（现为%(n)s分）。") % {"n": sum(weights)}
        for name in ("on_time_full", "close_full"):
            if getattr(self, name) is not None and getattr(self, name) <= 0:
                errors[name] = _("满分线须大于0。")
        for name in ("rework_deduction", "overdue_deduction"):
            value = getattr(self, name)
            if value is not None and (value < 0 or value > 10):
                errors[name] = _("扣分须在0到10之间。")
        if CompositeRule.objects.exclude(pk=self.pk).exists():
            errors["name"] = _("综合指标值规则只有一条，请修改现有规则。")
        if errors:
            raise ValidationError(errors)

    def score(self, row: dict) -> float:
        """The composite of one indicator row (rates in %), rounded to 0.1."""
        def part(weight, rate, full):
            if rate is None:
                return 0.0
            return float(weight) * min(1.0, rate / float(full)) if full else float(weight)
        score = part(self.on_time_weight, row.get("on_time_rate"), self.on_time_full)
        score += part(self.close_weight, row.get("close_rate"), self.close_full)
        urgent = row.get("urgent_on_time_rate")
        score += float(self.urgent_weight) * (min(1.0, urgent / 100) if urgent is not None else 1.0)
        score += float(self.rework_weight) * (1 - min(1.0, (row.get("rework_rate") or 0) / 100))
        score -= float(self.rework_deduction) * (row.get("rework_total") or 0)
        score -= float(self.overdue_deduction) * (row.get("overdue_open") or 0)
        return round(max(0.0, score), 1)

    def formula(self) -> str:
        """The formula in words, with this row's figures, for the statistics page."""
        n = lambda v: f"{v:f}".rstrip("0").rstrip(".") if "." in f"{v:f}" else f"{v:f}"  # noqa: E731
        return str(_("%(name)s（0–100）= %(a)s × min(1, 按期结案率 ÷ %(af)s%%) + %(b)s × min(1, 结案率 ÷ %(bf)s%%) + "
                     "%(c)s × 紧急按期结案率 + %(d)s × (1 − 返工率) − %(e)s × 返工次数 − %(f)s × 超时未处置件数，"
                     "最低0分；没有紧急案件时紧急部分得满分。") % {
            "name": self.name, "a": n(self.on_time_weight), "af": n(self.on_time_full), "b": n(self.close_weight),
            "bf": n(self.close_full), "c": n(self.urgent_weight), "d": n(self.rework_weight),
            "e": n(self.rework_deduction), "f": n(self.overdue_deduction)})


# --- supervision -------------------------------------------------------------------------------------------------

class Inspection(models.Model):
    """A supervision round (督查) scored on a scoring sheet of the targets module (use 大联动督查)."""

    sheet = models.ForeignKey("targets.ScoreSheet", verbose_name=_("评分表"), on_delete=models.PROTECT,
                              related_name="+")
    title = models.CharField(_("督查主题"), max_length=100)
    date = models.DateField(_("督查日期"))
    department = models.ForeignKey(Department, verbose_name=_("被督查部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(Node, verbose_name=_("被督查居民区"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    inspector = models.ForeignKey(User, verbose_name=_("督查人"), on_delete=models.PROTECT, related_name="+")
    # Where the inspection is read: the committee inspected, or the inspector's 街道 for a department.
    node = models.ForeignKey(Node, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("得分"), max_digits=6, decimal_places=1, default=0)
    note = models.CharField(_("督查意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("督查记录")
        verbose_name_plural = _("督查记录")
        ordering = ["-date", "-id"]

    @property
    def target_name(self) -> str:
        return self.department.name if self.department else (self.committee.name if self.committee else "")


class InspectionScore(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="scores")
    sheet_item = models.ForeignKey("targets.SheetItem", on_delete=models.PROTECT, related_name="+")
    mark = models.DecimalField(_("评分"), max_digits=7, decimal_places=2, null=True,
                               help_text=_("评分人填写的分数、发现次数或是否符合（1/0）。"))
    points = models.DecimalField(max_digits=5, decimal_places=1)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["sheet_item__section__order", "sheet_item__order", "sheet_item_id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "sheet_item"], name="grid_score_sheet_item")]


# --- Open311 -------------------------------------------------------------------------------------------------

class Open311Client(models.Model):
    """An application allowed to POST service requests. Only a keyed hash of its API key is stored."""

    name = models.CharField(_("客户端名称"), max_length=64, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False)
    jurisdiction = models.ForeignKey(Node, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+")
    contact = models.CharField(_("联系人"), max_length=100, blank=True)
    token_only = models.BooleanField(_("只返回令牌（batch）"), default=False,
                                     help_text=_("提交后返回 token，由客户端通过 tokens 接口换取编号。"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 客户端")
        verbose_name_plural = _("Open311 客户端")

    def __str__(self):
        return self.name
