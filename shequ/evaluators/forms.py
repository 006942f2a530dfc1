import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.inputs import BoundedDateField, add_period_errors

from . import selectors
from .choices import EvaluationStatus


class ScheduleForm(forms.Form):
    evaluator = forms.ModelChoiceField(label=_("评议人"), queryset=None, empty_label=_("选择评议人"))
    department = forms.ModelChoiceField(label=_("被测评部门"), queryset=None, empty_label=_("选择部门"))
    sheet = forms.ModelChoiceField(label=_("评分表"), queryset=None, empty_label=_("选择评分表"))
    topic = forms.CharField(label=_("测评事项"), max_length=100,
                            widget=forms.TextInput(attrs={"placeholder": _("如：窗口服务与办事效率")}))
    place = forms.CharField(label=_("测评地点"), max_length=100,
                            widget=forms.TextInput(attrs={"placeholder": _("如：延吉中路城管执法中队接待窗口")}))
    date = BoundedDateField(label=_("计划日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = selectors.evaluators_for(user=user)
        self.fields["evaluator"].label_from_instance = lambda u: f"{u.get_role_display()} {u.display_name}"
        self.fields["department"].queryset = selectors.departments()
        self.fields["sheet"].queryset = selectors.evaluation_sheets()
        if not user.can("evaluators.manage"):
            self.fields["evaluator"].initial = user.pk


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态"))] + list(EvaluationStatus.choices))


class PeriodForm(forms.Form):
    start = BoundedDateField(label=_("起"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = BoundedDateField(label=_("止"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        add_period_errors(self, "start", "end")
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The period asked for; this year to date when nothing (or something refused) is."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("start") or dt.date(today.year, 1, 1), data.get("end") or today
