"""Writes of the core app: tree, departments, users and scopes, tokens, calendar, notifications."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto, workcal
from .audit import audit_record
from .choices import ADMIN_ROLES, NODE_PARENT_KIND, AuditAction, NodeKind, Role
from .errors import ConflictError, DomainError
from .hooks import calendar_year_entered
from .logins import login_name
from .models import AdminReset, ApiToken, CalendarDay, CalendarYear, Department, Node, Notification, User


# --- jurisdiction tree -------------------------------------------------------------------------------------

# The 12-digit statistical division code: 6 digits for the district, 9 for the 街道, 12 for the 居委会.
SIGNIFICANT_DIGITS = {NodeKind.DISTRICT: 6, NodeKind.SUBDISTRICT: 9, NodeKind.COMMITTEE: 12}

@transaction.atomic
def node_create(*, actor, kind: str, code: str, name: str, parent: Node | None = None,
                geometry: dict | None = None, address: str = "", sort_order: int = 0) -> Node:
    geometry = node_check(kind=kind, code=code, parent=parent, geometry=geometry)
    node = Node(kind=kind, code=code, name=name, parent=parent, geometry=geometry, address=address,
                sort_order=sort_order, path=f"{parent.path if parent else '/'}{code}/")
    node.full_clean()
    node.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=node, detail={"kind": kind, "code": code})
    return node


def node_check(*, kind: str, code: str, parent: Node | None, geometry: dict | None) -> dict | None:
    """The rules of a new node (also applied by the config admin); returns the validated geometry."""
    code = code or ""
    if kind not in NodeKind.values:
        raise DomainError(_("未知的辖区层级。"), {"kind": [_("无效的层级：%(v)s") % {"v": kind}]})
    expected_parent = NODE_PARENT_KIND[NodeKind(kind)]
    if (parent is None) != (expected_parent is None) or (parent and parent.kind != expected_parent):
        raise DomainError(_("辖区层级不匹配。"), {"parent": [_("%(kind)s必须隶属于%(parent)s。") % {
            "kind": NodeKind(kind).label, "parent": NodeKind(expected_parent).label if expected_parent else _("无")}]})
    if not (code.isascii() and code.isdigit()):
        raise DomainError(_("代码格式错误。"), {"code": [_("代码只能由数字组成。")]})
    if kind != NodeKind.GRID and len(code) != 12:
        raise DomainError(_("代码格式错误。"), {"code": [_("区、街道、居委会使用12位统计用区划代码。")]})
    if kind == NodeKind.GRID and not (14 <= len(code) <= 18):
        raise DomainError(_("代码格式错误。"), {"code": [_("网格代码为居委会代码加2至6位序号。")]})
    if parent and not code.startswith(parent.code[:SIGNIFICANT_DIGITS[parent.kind]]):
        raise DomainError(_("代码格式错误。"), {"code": [_("下级代码必须以上级代码 %(c)s 开头。") % {
            "c": parent.code[:SIGNIFICANT_DIGITS[parent.kind]]}]})
    if Node.objects.filter(code=code).exists():
        raise DomainError(_("代码已存在。"), {"code": [_("代码 %(c)s 已被使用。") % {"c": code}]})
    if geometry is not None:
        from .geo import validate_polygon

        geometry = validate_polygon(geometry)
    return geometry


@transaction.atomic
def node_update(*, actor, node: Node, name: str | None = None, geometry: dict | None = None,
                address: str | None = None, is_active: bool | None = None) -> Node:
    changes = {}
    if name is not None and name != node.name:
        changes["name"] = [node.name, name]
        node.name = name
    if address is not None and address != node.address:
        changes["address"] = [node.address, address]
        node.address = address
    if geometry is not None:
        from .geo import validate_polygon

        node.geometry = validate_polygon(geometry)
        changes["geometry"] = "updated"
    if is_active is not None and is_active != node.is_active:
        changes["is_active"] = [node.is_active, is_active]
        node.is_active = is_active
    node.full_clean()
    node.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=node, detail=changes)
    return node


# --- users, roles and scope (security administrator) ---------------------------------------------------------

def _validate_scope(role: str, nodes: list[Node], department: Department | None) -> None:
    if role not in Role.values:
        raise DomainError(_("未知的角色。"), {"role": [_("无效的角色：%(v)s") % {"v": role}]})
    if role not in ADMIN_ROLES and role != Role.RESIDENT and not nodes:
        raise DomainError(_("业务人员必须至少指定一个管辖范围。"), {"nodes": [_("请选择管辖范围。")]})
    if role == Role.DEPT_OFFICER and department is None:
        raise DomainError(_("部门后台审批员必须属于一个部门。"), {"department": [_("请选择部门。")]})


@transaction.atomic
def user_create(*, actor, username: str, full_name: str, role: str, password: str,
                nodes: list[Node] = (), department: Department | None = None,
                valid_until: dt.date | None = None, password_is_temporary: bool = True) -> User:
    nodes = list(nodes)
    _validate_scope(role, nodes, department)
    typed, username = username, login_name(username)  # a mobile number is kept only as its keyed hash
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("账号已存在。"), {"username": [_("账号 %(u)s 已被使用。") % {"u": typed}]})
    user = User(username=username, full_name=full_name, role=role, department=department, valid_until=valid_until)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(_("密码不符合要求。"), {"password": exc.messages}) from exc
    user.set_password(password)
    # A temporary password set by an administrator must be changed at first login.
    user.password_changed_at = None if password_is_temporary else timezone.now()
    user.full_clean(exclude=["password"])
    user.save()
    user.nodes.set(nodes)
    audit_record(actor=actor, action=AuditAction.PERMISSION, obj=user,
                 detail={"op": "create", "role": role, "nodes": [n.code for n in nodes],
                         "department": department.code if department else None})
    return user


@transaction.atomic
def user_update_access(*, actor, user: User, role: str, nodes: list[Node],
                       department: Department | None, valid_until: dt.date | None, is_active: bool) -> User:
    nodes = list(nodes)
    _validate_scope(role, nodes, department)
    if user.pk == actor.pk and (role != user.role or not is_active):
        raise DomainError(_("不能修改自己的角色或停用自己的账号。"), {"role": [_("请由另一名安全管理员操作。")]})
    before = {"role": user.role, "nodes": sorted(user.nodes.values_list("code", flat=True)),
              "department": user.department.code if user.department else None, "is_active": user.is_active}
    user.role, user.department, user.valid_until, user.is_active = role, department, valid_until, is_active
    user.full_clean(exclude=["password"])
    user.save()
    user.nodes.set(nodes)
    after = {"role": role, "nodes": sorted(n.code for n in nodes),
             "department": department.code if department else None, "is_active": is_active}
    if not is_active or before["role"] != role:
        user_end_sessions(user=user)
        ApiToken.objects.filter(user=user).delete()
    audit_record(actor=actor, action=AuditAction.PERMISSION, obj=user, detail={"before": before, "after": after})
    return user


def user_end_sessions(*, user: User) -> int:
    """End every session of the user (disabling an account or changing its role must take effect now)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_set_password(*, actor, user: User, password: str, temporary: bool) -> User:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(_("密码不符合要求。"), {"password": exc.messages}) from exc
    if user.check_password(password):
        raise DomainError(_("新密码不能与原密码相同。"), {"password": [_("请设置一个新的密码。")]})
    user.set_password(password)
    user.password_changed_at = None if temporary else timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    # A new password locks out whoever held the old credentials, API tokens included: after the user's own
    # change as after an administrator's reset.
    ApiToken.objects.filter(user=user).delete()
    audit_record(actor=actor, action=AuditAction.PERMISSION if temporary else AuditAction.UPDATE, obj=user,
                 detail={"op": "password_reset" if temporary else "password_change"})
    return user


@transaction.atomic
def user_set_large_text(*, user: User, on: bool) -> User:
    """大字模式 (适老化): a display preference the user sets for themself."""
    if user.large_text != on:
        user.large_text = on
        user.save(update_fields=["large_text"])
        audit_record(actor=user, action=AuditAction.UPDATE, obj=user, detail={"op": "large_text", "on": on})
    return user


@transaction.atomic
def user_unlock(*, actor, user: User) -> None:
    from axes.utils import reset

    reset(username=user.username)
    audit_record(actor=actor, action=AuditAction.PERMISSION, obj=user, detail={"op": "unlock"})


@transaction.atomic
def user_reset_second_factor(*, actor, user: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    user_end_sessions(user=user)
    audit_record(actor=actor, action=AuditAction.PERMISSION, obj=user, detail={"op": "reset_2fa"})


# --- two-person rule for the administrator accounts ---------------------------------------------------------------

def _apply_password(user: User, password_hash: str) -> None:
    user.password = password_hash
    user.password_changed_at = None  # temporary: to be changed at the next login
    user.save(update_fields=["password", "password_changed_at"])
    ApiToken.objects.filter(user=user).delete()
    user_end_sessions(user=user)


@transaction.atomic
def admin_reset_request(*, actor, user: User, kind: str, password: str = "") -> AdminReset:
    """Ask for the reset of an administrator account; nothing changes until another administrator approves."""
    if kind == "password":
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(_("密码不符合要求。"), {"password": exc.messages}) from exc
    if AdminReset.objects.filter(user=user, kind=kind, approved_at__isnull=True).exists():
        raise ConflictError(_("该账号已有待批准的重置申请。"), {"user": [_("请等待另一名管理员批准。")]})
    reset = AdminReset.objects.create(user=user, kind=kind, requested_by=actor,
                                      password_hash=make_password(password) if kind == "password" else "")
    approvers = User.objects.filter(role__in=ADMIN_ROLES, is_active=True).exclude(pk__in=[actor.pk, user.pk])
    notify(recipients=list(approvers), title=_("待批准：重置管理员账号 %(u)s") % {"u": user.username},
           body=_("%(a)s 申请%(k)s，须由另一名管理员批准后生效。") % {"a": actor.display_name,
                                                           "k": reset.get_kind_display()},
           link="/users/resets/")
    notify(recipients=[user], title=_("您的账号有一项重置申请"), send_message=True,
           body=_("%(a)s 申请%(k)s；如非您本人要求，请立即联系其他管理员。") % {"a": actor.display_name,
                                                                   "k": reset.get_kind_display()})
    audit_record(actor=actor, action=AuditAction.PERMISSION, obj=user,
                 detail={"op": f"reset_{kind}_requested", "reset": reset.pk})
    return reset


@transaction.atomic
def admin_reset_approve(*, actor, reset: AdminReset) -> AdminReset:
    """The second administrator's approval: applies the reset and tells the person whose account it is."""
    reset = AdminReset.objects.select_for_update().get(pk=reset.pk)
    if reset.approved_at is not None:
        raise ConflictError(_("该申请已批准。"), {})
    if not actor.is_admin_role or actor.pk in (reset.requested_by_id, reset.user_id):
        raise DomainError(_("须由申请人和被重置人以外的另一名管理员批准。"), {"user": [_("不能批准自己的申请或自己的账号。")]})
    user = reset.user
    if reset.kind == "password":
        _apply_password(user, reset.password_hash)
    else:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(user=user).delete()
        user_end_sessions(user=user)
    reset.approved_by, reset.approved_at, reset.password_hash = actor, timezone.now(), ""
    reset.save(update_fields=["approved_by", "approved_at", "password_hash"])
    notify(recipients=[user], title=_("您的账号已被重置"), send_message=True,
           body=_("%(k)s已由 %(a)s 申请、%(b)s 批准。如非您本人要求，请立即联系其他管理员。") % {
               "k": reset.get_kind_display(), "a": reset.requested_by.display_name, "b": actor.display_name})
    audit_record(actor=actor, action=AuditAction.PERMISSION, obj=user,
                 detail={"op": f"reset_{reset.kind}_approved", "reset": reset.pk,
                         "requested_by": reset.requested_by.username})
    return reset


# --- API tokens -------------------------------------------------------------------------------------------------

@transaction.atomic
def api_token_issue(*, user: User, ttl_hours: int) -> str:
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lt=now).delete()
    ApiToken.objects.create(user=user, key_hash=crypto.keyed_hash(key), created_at=now,
                            expires_at=now + dt.timedelta(hours=ttl_hours))
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user, detail={"channel": "api_token"})
    return key


@transaction.atomic
def api_token_revoke(*, actor, user: User, token: ApiToken | None = None) -> int:
    """Revoke one token (a client's logout) or every token of `user` (the security administrator's button, a
    lost device). Returns how many were revoked."""
    tokens = ApiToken.objects.filter(user=user)
    if token is not None:
        tokens = tokens.filter(pk=token.pk)
    revoked, _by_model = tokens.delete()
    audit_record(actor=actor, action=AuditAction.PERMISSION if actor is not None and actor.pk != user.pk
                 else AuditAction.LOGOUT, obj=user, detail={"op": "api_token_revoke", "revoked": revoked,
                                                            "all": token is None})
    return revoked


# --- working-day calendar ---------------------------------------------------------------------------------------

@transaction.atomic
def calendar_import_year(*, actor, year: int) -> CalendarYear:
    """Copy a year's schedule from the chinesecalendar package into the admin table, where it can be edited."""
    data = workcal.library_year_data(year)
    if data is None:
        raise DomainError(_("内置日历数据没有%(y)s年的安排，请手工录入国务院办公厅公布的安排。") % {"y": year},
                          {"year": [_("该年度不在程序包覆盖范围内。")]})
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_workday=w, name=data.names.get(d, "")) for d, w in sorted(data.exceptions.items())])
    cal_year, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": "chinesecalendar", "confirmed": True})
    audit_record(actor=actor, action=AuditAction.CONFIG, obj=cal_year, detail={"op": "import", "days": len(data.exceptions)})
    workcal.clear_cache()
    calendar_year_entered(actor=actor, year=year)
    return cal_year


@transaction.atomic
def calendar_set_year(*, actor, year: int, source: str, confirmed: bool,
                      days: list[tuple[dt.date, bool, str]]) -> CalendarYear:
    """Enter a year's schedule from the State Council notice: holidays on weekdays and make-up workdays."""
    if not (2000 <= year <= 2100):
        raise DomainError(_("年份超出范围。"), {"year": [_("年份必须在2000至2100之间。")]})
    if not source.strip():
        raise DomainError(_("请注明来源（如国务院办公厅通知文号）。"), {"source": [_("必填。")]})
    for day, _is_workday, _name in days:
        if day.year != year:
            raise DomainError(_("日期不属于该年度。"), {"days": [_("%(d)s 不在%(y)s年。") % {"d": day, "y": year}]})
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create([CalendarDay(date=d, is_workday=w, name=n) for d, w, n in days])
    cal_year, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": source.strip(), "confirmed": confirmed})
    audit_record(actor=actor, action=AuditAction.CONFIG, obj=cal_year,
                 detail={"op": "set", "days": len(days), "confirmed": confirmed})
    workcal.clear_cache()
    if confirmed:
        calendar_year_entered(actor=actor, year=year)
    return cal_year


# --- notifications -----------------------------------------------------------------------------------------------

def notify(*, recipients, title: str, body: str = "", link: str = "", send_message: bool = False) -> None:
    """In-app notifications, written in the caller's transaction (they are rolled back with it, and a write does
    not open a second transaction after its commit); an SMS/e-mail, if asked, leaves when the transaction commits.
    `recipients` is a list of users, or a query of them: then, with no message to send, one INSERT … SELECT writes
    the rows without fetching the users."""
    if isinstance(recipients, QuerySet) and not send_message:
        _notify_query(recipients, title=title[:120], body=body, link=link)
        return
    recipients = [r for r in recipients if r is not None]
    if not recipients:
        return
    Notification.objects.bulk_create(
        [Notification(recipient=r, title=title[:120], body=body, link=link) for r in recipients])
    if send_message:
        def _send():
            from .messaging import get_backend

            backend = get_backend()
            for r in recipients:
                backend.send(recipient=r, subject=title, body=body)

        transaction.on_commit(_send)


def _notify_query(users: QuerySet, *, title: str, body: str, link: str) -> None:
    db = router.db_for_write(Notification)
    connection = connections[db]
    ids_sql, ids_params = users.order_by().values("id").query.get_compiler(db).as_sql()
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("recipient_id", "title", "body", "link", "created_at"))
    created = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {q(Notification._meta.db_table)} ({columns}) "
                       f"SELECT recipients.id, %s, %s, %s, %s FROM ({ids_sql}) recipients",
                       [title, body, link, created, *ids_params])


@transaction.atomic
def notification_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(id__in=ids)
    return qs.update(read_at=timezone.now())
