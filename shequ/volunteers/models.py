"""Volunteer service ("3+1+X"): the 志愿中心 of a 街道, its stations (one per committee) and teams, the volunteers
(a profile of a person, not a login role), activities with sign-up and wait-list, service records with check-in and
check-out, honour hours, star notices and the numbered certificate register (民发〔2015〕149号)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField
from shequ.core.models import Node
from shequ.core.text import pinyin_key

from .choices import ActivityStatus, NoticeStatus, RecordStatus, SignupStatus, TeamKind

USER = settings.AUTH_USER_MODEL


class Rules(models.Model):
    """The configurable figures (系统配置 → 志愿服务): one row; `selectors.rules()` falls back to the defaults."""

    min_share = models.PositiveSmallIntegerField(_("计入时长的最低在岗比例（%）"), default=60)
    star1 = models.PositiveIntegerField(_("一星（小时）"), default=100)
    star2 = models.PositiveIntegerField(_("二星（小时）"), default=300)
    star3 = models.PositiveIntegerField(_("三星（小时）"), default=600)
    star4 = models.PositiveIntegerField(_("四星（小时）"), default=1000)
    star5 = models.PositiveIntegerField(_("五星（小时）"), default=1500)
    notice_days = models.PositiveSmallIntegerField(_("星级公示天数"), default=7)
    code_minutes = models.PositiveSmallIntegerField(_("签到码更新间隔（分钟）"), default=5)

    class Meta:
        verbose_name = _("志愿服务规则")
        verbose_name_plural = _("志愿服务规则")
        constraints = [
            models.CheckConstraint(condition=Q(min_share__gte=1, min_share__lte=100), name="vol_rules_share"),
            models.CheckConstraint(condition=Q(star2__gt=F("star1"), star3__gt=F("star2"), star4__gt=F("star3"),
                                               star5__gt=F("star4")), name="vol_rules_stars_rise"),
        ]

    def __str__(self):
        return str(_("志愿服务规则"))

    @property
    def thresholds(self) -> list[int]:
        return [self.star1, self.star2, self.star3, self.star4, self.star5]


class Centre(models.Model):
    """The 志愿中心 of a 街道: the body that records and certifies (谁记录谁证明)."""

    node = models.OneToOneField(Node, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=64, unique=True)
    person_in_charge = models.CharField(_("负责人"), max_length=32)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    address = models.CharField(_("地址"), max_length=128, blank=True)
    admins = models.ManyToManyField(USER, verbose_name=_("管理人员"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("志愿中心")
        verbose_name_plural = _("志愿中心")

    def __str__(self):
        return self.name


class Station(models.Model):
    """A committee's volunteer station (志愿服务站) with its head."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="stations")
    committee = models.OneToOneField(Node, verbose_name=_("居委会"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=64)
    head_name = models.CharField(_("站长"), max_length=32)
    head_phone = models.CharField(_("站长电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("志愿服务站")
        verbose_name_plural = _("志愿服务站")
        ordering = ["committee__sort_order", "id"]

    def __str__(self):
        return self.name


class Team(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("名称"), max_length=64, unique=True)
    name_pinyin = models.CharField(max_length=128, editable=False, db_index=True)
    kind = models.CharField(_("类别"), max_length=12, choices=TeamKind.choices)
    # The brand team's committee; standing and skill teams serve the whole 街道 (null).
    committee = models.ForeignKey(Node, verbose_name=_("居委会"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    founded = models.DateField(_("成立日期"), null=True, blank=True)
    description = models.CharField(_("简介"), max_length=500, blank=True)
    admins = models.ManyToManyField(USER, verbose_name=_("队伍管理员"), blank=True, related_name="volunteer_teams")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["name_pinyin", "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        super().save(*args, **kwargs)

    @property
    def node(self) -> Node:
        return self.committee or self.centre.node


class Volunteer(models.Model):
    """A volunteer: a profile of a person (a resident of the registry, a committee worker, anyone with an ID
    number), linked to a login when the person has one. The running totals are kept by the services and checked
    against the records by `manage.py volunteer_totals`."""

    user = models.OneToOneField(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="volunteer")
    resident_id = models.PositiveBigIntegerField(_("居民档案"), null=True, blank=True, unique=True)
    name = models.CharField(_("姓名"), max_length=32)
    name_pinyin = models.CharField(max_length=128, editable=False, db_index=True)
    id_number = EncryptedCharField(_("身份证号"))
    id_hash = models.CharField(max_length=64, editable=False, unique=True)
    id_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    phone = EncryptedCharField(_("联系电话"), blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    committee = models.ForeignKey(Node, verbose_name=_("所属居委会"), on_delete=models.PROTECT, related_name="+")
    teams = models.ManyToManyField(Team, verbose_name=_("所在队伍"), blank=True, related_name="members")
    skills = models.JSONField(_("技能"), default=list, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=100, blank=True)
    national_number = models.CharField(_("全国志愿者编号"), max_length=32, blank=True)
    consent_at = models.DateTimeField(_("同意保存记录时间"))
    credited_minutes = models.PositiveIntegerField(_("认定服务时长（分钟）"), default=0)
    honour_minutes = models.PositiveIntegerField(_("荣誉时长（分钟）"), default=0)
    star = models.PositiveSmallIntegerField(_("星级"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["name_pinyin", "id"]
        indexes = [models.Index(fields=["committee", "name_pinyin"], name="vol_volunteer_committee")]

    def __str__(self):
        return self.name

    @property
    def number(self) -> str:
        return f"ZY{self.pk:07d}"

    @property
    def masked_name(self) -> str:
        return self.name[:1] + "*" * max(1, len(self.name) - 1)

    @property
    def credited_hours(self) -> float:
        return round(self.credited_minutes / 60, 1)

    @property
    def honour_hours(self) -> float:
        return round(self.honour_minutes / 60, 1)


class Activity(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("队伍"), on_delete=models.PROTECT, related_name="activities")
    # The team's node (committee or 街道), copied for scoping the lists without a join.
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("内容"), blank=True)
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    place = models.CharField(_("地点"), max_length=128)
    # The room booking that holds the activity's place (made and released through the facilities services).
    booking = models.OneToOneField("facilities.Booking", verbose_name=_("场地预约"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="volunteer_activity")
    slots = models.PositiveIntegerField(_("名额"))
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    skills = models.JSONField(_("所需技能"), default=list, blank=True)
    signup_deadline = models.DateTimeField(_("报名截止"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ActivityStatus.choices,
                              default=ActivityStatus.PUBLISHED)
    confirmed = models.PositiveIntegerField(_("已报名"), default=0)
    waitlisted = models.PositiveIntegerField(_("候补"), default=0)
    # The last wait-list position handed out: positions only grow, so the order is the order of sign-up.
    wait_seq = models.PositiveIntegerField(default=0, editable=False)
    code_secret = models.CharField(max_length=64, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        ordering = ["-start", "id"]
        indexes = [models.Index(fields=["node", "start"], name="vol_activity_node_start"),
                   models.Index(fields=["team", "start"], name="vol_activity_team_start")]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="vol_activity_order"),
                       models.CheckConstraint(condition=Q(confirmed__lte=F("slots")), name="vol_activity_slots")]

    def __str__(self):
        return self.title

    @property
    def number(self) -> str:
        return f"HD{self.pk:07d}"

    @property
    def phase_label(self) -> str:
        """What a reader needs to know now: 已取消, 已结束, 进行中, 报名截止 or 报名中 (the stored status only says
        whether it was cancelled)."""
        if self.status == ActivityStatus.CANCELLED:
            return str(ActivityStatus.CANCELLED.label)
        now = timezone.now()
        if now >= self.end:
            return str(_("已结束"))
        if now >= self.start:
            return str(_("进行中"))
        if self.signup_deadline and now > self.signup_deadline:
            return str(_("报名截止"))
        return str(ActivityStatus.PUBLISHED.label)

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class Signup(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("状态"), max_length=12, choices=SignupStatus.choices)
    wait_position = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["activity", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="vol_signup_once",
                                               condition=Q(status__in=["confirmed", "waitlisted"]))]
        indexes = [models.Index(fields=["volunteer", "status"], name="vol_signup_volunteer")]


class Record(models.Model):
    """A service record: check-in and check-out times and the minutes credited for them. Records are never
    deleted: the organiser approves or rejects with a reason, and a correction is a new record referencing the
    one it corrects (which becomes `superseded` only when the correction is approved)."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="records")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records")
    status = models.CharField(_("状态"), max_length=12, choices=RecordStatus.choices)
    check_in = models.DateTimeField(_("签到时间"))
    check_out = models.DateTimeField(_("签退时间"), null=True, blank=True)
    stay_minutes = models.PositiveIntegerField(_("在岗时长（分钟）"), default=0)
    credited_minutes = models.PositiveIntegerField(_("计入时长（分钟）"), default=0)
    corrects = models.ForeignKey("self", verbose_name=_("更正的记录"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections")
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-check_in", "id"]
        indexes = [models.Index(fields=["volunteer", "status"], name="vol_record_volunteer"),
                   models.Index(fields=["activity", "status"], name="vol_record_activity"),
                   models.Index(fields=["status", "check_in"], name="vol_record_status_in")]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="vol_record_one_open",
                                               condition=Q(status="open"))]

    @property
    def number(self) -> str:
        return f"JL{self.pk:08d}"


class HonourHours(models.Model):
    """荣誉时数: added by an administrator with a reason; kept apart from credited hours and never converted."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="honours")
    minutes = models.PositiveIntegerField(_("时长（分钟）"))
    reason = models.CharField(_("理由"), max_length=200)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("荣誉时长")
        verbose_name_plural = _("荣誉时长")
        ordering = ["-created_at"]


class StarNotice(models.Model):
    """A star a volunteer has reached, publicly listed for the notice period before it is granted."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="star_notices")
    star = models.PositiveSmallIntegerField(_("星级"))
    hours = models.DecimalField(_("认定时长（小时）"), max_digits=8, decimal_places=1)
    notice_from = models.DateField(_("公示开始"))
    notice_until = models.DateField(_("公示截止"))
    status = models.CharField(_("状态"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.NOTICE)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("星级公示")
        verbose_name_plural = _("星级公示")
        ordering = ["-notice_from", "id"]
        constraints = [models.UniqueConstraint(fields=["volunteer", "star"], name="vol_notice_once",
                                               condition=Q(status__in=["notice", "granted"]))]


class Certificate(models.Model):
    """The numbered register of record certificates (志愿服务记录证明), the four blocks of 民发〔2015〕149号 kept
    as issued (a later change of the records does not alter an issued certificate)."""

    number = models.CharField(_("证明编号"), max_length=24, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    credited_minutes = models.PositiveIntegerField(_("认定服务时长（分钟）"))
    honour_minutes = models.PositiveIntegerField(_("荣誉时长（分钟）"))
    records = models.PositiveIntegerField(_("服务次数"))
    star = models.PositiveSmallIntegerField(_("星级"))
    content = models.TextField(_("服务内容"))
    period_from = models.DateField(_("服务起始"), null=True)
    period_to = models.DateField(_("服务截止"), null=True)
    person_in_charge = models.CharField(_("负责人"), max_length=32)
    handler = models.CharField(_("经办人"), max_length=32)
    contact = models.CharField(_("联系电话"), max_length=32, blank=True)
    issued_on = models.DateField(_("开具日期"))
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("志愿服务记录证明")
        verbose_name_plural = _("志愿服务记录证明")
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return self.number


class TeamMonth(models.Model):
    """Credited minutes of a team in a (local) month: the 街道's monthly report reads these rows instead of the
    records. Kept by `record_approve` in the approval's transaction (an approved correction moves the corrected
    record's minutes out of its month) and checked against the records by `manage.py volunteer_totals`."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="months")
    month = models.DateField(_("月份"))  # the first day of the local month of the records' check-in
    credited_minutes = models.BigIntegerField(_("认定服务时长（分钟）"), default=0)
    records = models.IntegerField(_("认定记录数"), default=0)

    class Meta:
        verbose_name = _("队伍月度服务时长")
        verbose_name_plural = _("队伍月度服务时长")
        constraints = [models.UniqueConstraint(fields=["team", "month"], name="vol_team_month_once")]
        indexes = [models.Index(fields=["month", "team"], name="vol_team_month_month")]
