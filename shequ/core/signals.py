"""Audit rows for authentication events (these come from Django and django-axes as signals)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .choices import AuditAction, AuditResult


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user, detail={"channel": "web"})


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_record(actor=None, username=str(credentials.get("username", ""))[:150], action=AuditAction.LOGIN_FAILED,
                 result=AuditResult.FAILURE, object_type="core.user")


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(actor=None, username=str(username or "")[:150], action=AuditAction.LOCKOUT,
                 result=AuditResult.DENIED, object_type="core.user")
