"""综合治理: the 城区综合管理委员会 / 综治委 and their joint meetings (agenda, attendance, minutes), the decisions
that become tasks of a department (due in working days, progress notes, closing evidence), and the 顽症 ledger:
persistent problems with the grid cases and 12345 orders a person confirmed as theirs, the measures taken and the
campaign state."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Department, Node

from .choices import CommitteeKind, LinkKind, ProblemStatus, TaskStatus

USER = settings.AUTH_USER_MODEL


class Committee(models.Model):
    node = models.ForeignKey(Node, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=CommitteeKind.choices)
    description = models.TextField(_("职责"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("议事机构")
        verbose_name_plural = _("议事机构")
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="governance_committee_unique")]

    def __str__(self):
        return self.name


class Member(models.Model):
    """A member: a user of the platform, or an outside person with his unit and post."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(USER, verbose_name=_("平台账号"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    name = models.CharField(_("姓名"), max_length=32)
    unit = models.CharField(_("单位"), max_length=64)
    post = models.CharField(_("职务"), max_length=32, blank=True)
    department = models.ForeignKey(Department, verbose_name=_("代表部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("在任"), default=True)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        ordering = ["id"]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, verbose_name=_("议事机构"), on_delete=models.PROTECT,
                                  related_name="meetings")
    title = models.CharField(_("会议名称"), max_length=100)
    date = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=64, blank=True)
    chair = models.CharField(_("主持人"), max_length=32, blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True, max_length=20000)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["committee", "date"], name="governance_meeting_date")]

    def __str__(self):
        return self.title


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("出席"), default=True)
    substitute = models.CharField(_("代会人"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("出席")
        verbose_name_plural = _("出席")
        ordering = ["member_id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="governance_attendance_once")]


class Problem(models.Model):
    """A 顽症: a problem that keeps coming back at one place."""

    node = models.ForeignKey(Node, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("名称"), max_length=64)
    place = models.CharField(_("地点"), max_length=100)
    grids = models.ManyToManyField(Node, verbose_name=_("涉及网格"), blank=True, related_name="+")
    category = models.ForeignKey("grid.Category", verbose_name=_("问题小类"), on_delete=models.PROTECT,
                                 related_name="+")
    description = models.TextField(_("问题描述"), max_length=4000)
    first_seen = models.DateField(_("首次发现"))
    status = models.CharField(_("整治状态"), max_length=16, choices=ProblemStatus.choices,
                              default=ProblemStatus.OPEN, db_index=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("销项时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("顽症")
        verbose_name_plural = _("顽症")
        ordering = ["status", "-first_seen", "-id"]

    def __str__(self):
        return self.title


class ProblemLink(models.Model):
    """A grid case or 12345 order a person confirmed as an occurrence of the problem."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("类型"), max_length=8, choices=LinkKind.choices)
    case = models.ForeignKey("grid.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             db_constraint=False)  # grid_case is partitioned on PostgreSQL
    order = models.ForeignKey("grid.HotlineOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              db_constraint=False)  # grid_hotlineorder is partitioned on PostgreSQL
    occurred_at = models.DateTimeField(_("发生时间"))
    confirmed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("关联案件")
        verbose_name_plural = _("关联案件")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "case"], condition=Q(case__isnull=False),
                                    name="governance_link_case_once"),
            models.UniqueConstraint(fields=["problem", "order"], condition=Q(order__isnull=False),
                                    name="governance_link_order_once"),
            models.CheckConstraint(condition=(Q(kind="case", case__isnull=False, order__isnull=True)
                                              | Q(kind="hotline", order__isnull=False, case__isnull=True)),
                                   name="governance_link_one_target"),
        ]
        indexes = [models.Index(fields=["problem", "occurred_at"], name="governance_link_month")]


class Measure(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="measures")
    date = models.DateField(_("日期"))
    text = models.CharField(_("措施"), max_length=500)
    department = models.ForeignKey(Department, verbose_name=_("实施部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("整治措施")
        verbose_name_plural = _("整治措施")
        ordering = ["-date", "-id"]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("议题"), max_length=100)
    notes = models.TextField(_("说明"), blank=True, max_length=4000)
    cases = models.ManyToManyField("grid.Case", verbose_name=_("网格案件"), blank=True, related_name="+",
                                   db_constraint=False)  # grid_case is partitioned on PostgreSQL
    orders = models.ManyToManyField("grid.HotlineOrder", verbose_name=_("12345工单"), blank=True, related_name="+",
                                    db_constraint=False)  # grid_hotlineorder is partitioned on PostgreSQL
    problem = models.ForeignKey(Problem, verbose_name=_("顽症"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="agenda_items")
    figure = models.CharField(_("月度数据"), max_length=100, blank=True, help_text=_("如：11月暴露垃圾案件42件"))

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["order", "id"]


class Task(models.Model):
    """A decision of a meeting, assigned to a department with a due date."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="tasks")
    agenda_item = models.ForeignKey(AgendaItem, verbose_name=_("议题"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="tasks")
    problem = models.ForeignKey(Problem, verbose_name=_("顽症"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="tasks")
    title = models.CharField(_("决定事项"), max_length=200)
    department = models.ForeignKey(Department, verbose_name=_("责任部门"), on_delete=models.PROTECT,
                                   related_name="+")
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    due_date = models.DateField(_("完成期限"), db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED,
                              db_index=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closing_note = models.CharField(_("办结说明"), max_length=500, blank=True)
    reminded_on = models.DateField(_("最近催办日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("交办任务")
        verbose_name_plural = _("交办任务")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="governance_task_due")]

    def __str__(self):
        return self.title

    @property
    def number(self) -> str:
        return f"JB{self.pk:05d}"

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status != TaskStatus.CLOSED and self.due_date < today


class TaskNote(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notes")
    text = models.CharField(_("进展"), max_length=500)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("办理进展")
        verbose_name_plural = _("办理进展")
        ordering = ["created_at", "id"]


class Evidence(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    image = models.FileField(upload_to="governance/%Y/%m/")
    content_type = models.CharField(max_length=32)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("办结佐证")
        verbose_name_plural = _("办结佐证")
        ordering = ["created_at", "id"]
