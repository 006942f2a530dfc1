from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .choices import NodeKind, Role
from .inputs import BoundedDateField
from .logins import login_name
from .models import Department, Node


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("账号或密码错误。连续多次错误后账号将被临时锁定。"),
        "inactive": _("该账号已停用。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("账号")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})

    def clean_username(self):
        """A resident types the mobile number; the account is named by its keyed hash (`logins.login_name`)."""
        return login_name(self.cleaned_data.get("username"))

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from django.utils import timezone

        if user.valid_until and user.valid_until < timezone.localdate():
            raise forms.ValidationError(_("该账号已过有效期，请联系安全管理员。"), code="expired")


class OtpForm(forms.Form):
    token = forms.CharField(label=_("动态验证码"), min_length=6, max_length=6,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                          "autofocus": True}))

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("验证码为6位数字。"))
        return token


class UserCreateForm(forms.Form):
    username = forms.RegexField(label=_("账号"), max_length=64, regex=r"^[A-Za-z0-9_.@-]+$",
                                error_messages={"invalid": _("账号只能包含字母、数字和 _ . @ -。")})
    full_name = forms.CharField(label=_("姓名"), max_length=32)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    nodes = forms.ModelMultipleChoiceField(label=_("管辖范围"), queryset=Node.objects.exclude(kind=NodeKind.GRID),
                                           required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    department = forms.ModelChoiceField(label=_("所属部门"), queryset=Department.objects.filter(is_active=True),
                                        required=False)
    valid_until = BoundedDateField(label=_("账号有效期至"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(render_value=False),
                               help_text=_("首次登录时须修改。"))


class UserAccessForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    nodes = forms.ModelMultipleChoiceField(label=_("管辖范围"), queryset=Node.objects.exclude(kind=NodeKind.GRID),
                                           required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    department = forms.ModelChoiceField(label=_("所属部门"), queryset=Department.objects.filter(is_active=True),
                                        required=False)
    valid_until = BoundedDateField(label=_("账号有效期至"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    is_active = forms.BooleanField(label=_("启用"), required=False)


class PasswordResetByAdminForm(forms.Form):
    password = forms.CharField(label=_("临时密码"), widget=forms.PasswordInput(render_value=False))


class AuditFilterForm(forms.Form):
    date_from = BoundedDateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = BoundedDateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    username = forms.CharField(label=_("账号"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    result = forms.ChoiceField(label=_("结果"), required=False)

    def __init__(self, *args, **kwargs):
        from .choices import AuditAction, AuditResult

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部"))] + list(AuditAction.choices)
        self.fields["result"].choices = [("", _("全部"))] + list(AuditResult.choices)
        from .audit_display import object_type_choices

        self.fields["object_type"].choices = [("", _("全部"))] + object_type_choices()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data


class CalendarQueryForm(forms.Form):
    start = BoundedDateField(label=_("起算日期"))
    days = forms.IntegerField(label=_("工作日数"), min_value=0, max_value=3650)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    source = forms.CharField(label=_("依据"), max_length=200,
                             help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）"))
    holidays = forms.CharField(label=_("放假日期（工作日中放假的日子）"), required=False,
                               widget=forms.Textarea(attrs={"rows": 6}),
                               help_text=_("每行一个：日期 名称，例如 2027-02-08 春节；也可写日期范围 2027-10-01..2027-10-07 国庆节"))
    workdays = forms.CharField(label=_("调休上班日期（周末上班的日子）"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("每行一个：日期 名称，例如 2027-02-20 春节调休"))

    def _parse(self, field, is_workday):
        import datetime as dt

        days = []
        for lineno, line in enumerate(self.cleaned_data.get(field, "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            span, _sep, name = line.partition(" ")
            try:
                if ".." in span:
                    a, b = (dt.date.fromisoformat(x) for x in span.split("..", 1))
                    if b < a:
                        raise ValueError
                    current = a
                    while current <= b:
                        days.append((current, is_workday, name.strip()))
                        current += dt.timedelta(days=1)
                else:
                    days.append((dt.date.fromisoformat(span), is_workday, name.strip()))
            except ValueError:
                raise forms.ValidationError({field: _("第%(n)d行日期格式错误：%(l)s") % {"n": lineno, "l": line}})
        return days

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        holidays = self._parse("holidays", False)
        workdays = self._parse("workdays", True)
        seen = {}
        for day, is_workday, name in holidays + workdays:
            if day in seen:
                raise forms.ValidationError(_("日期 %(d)s 重复出现。") % {"d": day})
            seen[day] = (is_workday, name)
        data["days"] = [(d, w, n) for d, (w, n) in sorted(seen.items())]
        return data
