
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import crypto
from .choices import ADMIN_ROLES, AuditAction, AuditResult, DepartmentKind, JobStatus, NodeKind, Role, TaskRunStatus


class Node(models.Model):
    """A node of the jurisdiction tree: 区 → 街道 → 居委会 → 网格.

    `path` is the chain of codes from the root ("/310110/310110015/"), so a subtree is one indexed prefix scan.
    """

    kind = models.CharField(_("层级"), max_length=16, choices=NodeKind.choices)
    code = models.CharField(_("代码"), max_length=24, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False)
    geometry = models.JSONField(_("边界 (GeoJSON)"), null=True, blank=True)
    address = models.CharField(_("办公地址"), max_length=128, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("辖区节点")
        verbose_name_plural = _("辖区树")
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1


class Department(models.Model):
    """A 职能部门 or office that receives work from the platform."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    short_name = models.CharField(_("简称"), max_length=16)
    kind = models.CharField(_("类型"), max_length=16, choices=DepartmentKind.choices,
                            default=DepartmentKind.DISTRICT_BUREAU)
    node = models.ForeignKey(Node, verbose_name=_("所属辖区"), on_delete=models.PROTECT,
                             related_name="departments")
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A staff member or resident account. One role per account keeps 三权分立 simple to prove."""

    full_name = models.CharField(_("姓名"), max_length=32, blank=True)
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices, default=Role.RESIDENT)
    nodes = models.ManyToManyField(Node, verbose_name=_("管辖范围"), blank=True, related_name="staff")
    department = models.ForeignKey(Department, verbose_name=_("所属部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="staff")
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    valid_until = models.DateField(_("账号有效期至"), null=True, blank=True)
    # 适老化: larger text and controls on every page for this user (anonymous visitors keep it in a cookie).
    large_text = models.BooleanField(_("大字模式"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.role in ADMIN_ROLES

    def can(self, capability: str) -> bool:
        from .permissions import department_code_for, role_has

        if not (self.is_active and role_has(self.role, capability)):
            return False
        code = department_code_for(self.role, capability)
        return code is None or (self.department_id is not None and self.department.code == code)

    def clean(self):
        if self.role == Role.DEPT_OFFICER and not self.department_id:
            raise ValidationError({"department": _("部门后台审批员必须属于一个部门。")})


class ApiToken(models.Model):
    """An API token; only its hash is stored, the clear key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")


class SignedLogQuerySet(models.QuerySet):
    """The manager of an append-only log: no bulk update or delete through the ORM."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model.log_name} is append-only")

    def delete(self):
        raise PermissionError(f"{self.model.log_name} is append-only")

    def _raw_delete(self, using):
        raise PermissionError(f"{self.model.log_name} is append-only")


class SignedLog(models.Model):
    """The base of every append-only, signed log (the audit log, the archive access log, and later ones).

    A row is written once: `save()` of an existing row, `delete()` and the queryset's bulk `update()`/`delete()`
    raise; on PostgreSQL a trigger refuses UPDATE and DELETE too (per table, in the app's migrations). Each row
    carries an HMAC (`crypto.sign`) of the values named in `signed_fields`, in that order, so a row edited outside
    the application fails `verify()`. A subclass declares its fields and `signed_fields`; nothing else.
    """

    signature = models.CharField(max_length=64, editable=False)

    signed_fields: tuple[str, ...] = ()
    log_name = "the log"

    objects = SignedLogQuerySet.as_manager()

    class Meta:
        abstract = True

    def canonical(self) -> bytes:
        return crypto.canonical([getattr(self, name) for name in self.signed_fields])

    def compute_signature(self) -> str:
        return crypto.sign(self.canonical())

    def verify(self) -> bool:
        return self.signature == self.compute_signature()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(f"{self.log_name} is append-only")
        self.signature = self.compute_signature()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self.log_name} is append-only")


class AuditLog(SignedLog):
    """One row per write and per view/reveal/export of sensitive data. Append-only and signed (`SignedLog`)."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(User, verbose_name=_("用户"), null=True, blank=True, on_delete=models.DO_NOTHING,
                             db_constraint=False, db_index=False, related_name="+")  # (user, at) below
    username = models.CharField(_("账号"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=24, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    result = models.CharField(_("结果"), max_length=16, choices=AuditResult.choices, default=AuditResult.SUCCESS)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    signed_fields = ("at", "user_id", "username", "role", "action", "object_type", "object_id", "object_repr",
                     "result", "ip", "detail")
    log_name = "the audit log"

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        # Declared here rather than with db_index: on PostgreSQL a CharField's db_index adds a second,
        # varchar_pattern_ops index for LIKE, which no audit filter uses and every write pays for.
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["user", "at"]),
                   models.Index(fields=["action"], name="core_auditlog_action")]


class CalendarYear(models.Model):
    """A year whose official holiday schedule (放假安排) has been confirmed.

    Without a confirmed row no deadline is computed for that year. Rows come either from the chinesecalendar
    package or are entered by a system administrator when the State Council publishes the schedule.
    """

    year = models.PositiveIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=200)
    confirmed = models.BooleanField(_("已确认"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """A day that departs from the weekday rule: a holiday on a weekday, or a 调休 make-up workday on a weekend."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class AdminReset(models.Model):
    """A reset of an administrator account's password or second factor, waiting for a second administrator
    (two-person rule, 三权分立): one administrator alone cannot take over another's account."""

    KINDS = [("password", _("重置密码")), ("second_factor", _("重置动态口令"))]

    user = models.ForeignKey(User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=KINDS)
    password_hash = models.CharField(max_length=128, blank=True)  # the temporary password, hashed only
    requested_by = models.ForeignKey(User, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    approved_by = models.ForeignKey(User, verbose_name=_("批准人"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("管理员账号重置")
        verbose_name_plural = _("管理员账号重置")
        ordering = ["-requested_at"]


class Notification(models.Model):
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]


def private_storage():
    """Files that must never be served or read by others: `STORAGES["private"]` (`shequ.core.storage`), outside
    MEDIA_ROOT — 0600 files in 0700 directories under PRIVATE_ROOT, or their own S3 bucket or prefix."""
    from .storage import private_storage as storage

    return storage


class Job(models.Model):
    """A long-running task (an Excel import) whose progress a page can poll."""

    kind = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The uploaded file, encrypted, in private storage (never under MEDIA_ROOT); deleted when the job finishes.
    file = models.FileField(upload_to="jobs/%Y/%m/", storage=private_storage, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class IdempotencyKey(models.Model):
    """A POST made with an `Idempotency-Key` header: the first one is processed, repeats get its response."""

    principal = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    done = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="core_idempotency_unique")]


class TaskRun(models.Model):
    """One background task as the system administrator's operations page shows it: which task, how many attempts,
    when the next one is due and how it ended. No arguments and no business data (三权分立): the error is the
    exception's class and its message with digit runs masked."""

    task = models.CharField(_("任务"), max_length=200)
    label = models.CharField(_("名称"), max_length=100)
    schedule = models.CharField(_("定时计划"), max_length=64, blank=True)
    backend = models.CharField(max_length=32, default="default")  # where a retry is queued again
    queue_name = models.CharField(max_length=32, default="default")
    status = models.CharField(_("状态"), max_length=16, choices=TaskRunStatus.choices, default=TaskRunStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("最多尝试次数"), default=1)
    enqueued_at = models.DateTimeField(_("入队时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次重试"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-enqueued_at", "-id"]
        indexes = [models.Index(fields=["status", "enqueued_at"], name="core_taskrun_status")]


class ScheduledRun(models.Model):
    """One occurrence of a periodic entry, claimed by the first worker that inserts it: the unique constraint is
    what makes several workers (or machines) run each occurrence once."""

    name = models.CharField(max_length=64)
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)
    worker = models.CharField(max_length=64, blank=True)
    run = models.ForeignKey(TaskRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-due_at"]
        constraints = [models.UniqueConstraint(fields=["name", "due_at"], name="core_scheduledrun_once")]
