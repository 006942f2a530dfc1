from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.inputs import BoundedDateField

from . import selectors
from .choices import KeyGroup, TerminateReason
from .services import term_end

YEARS = [(1, _("1年")), (2, _("2年")), (3, _("3年"))]


class LookupForm(forms.Form):
    id_number = forms.CharField(label=_("居民身份证号"), max_length=18, min_length=15, widget=forms.TextInput(
        attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}))


class _TeamFields(forms.Form):
    doctor = forms.ModelChoiceField(label=_("家庭医生"), queryset=None, empty_label=_("请选择"))
    district_hospital = forms.ModelChoiceField(label=_("区级医院"), queryset=None, required=False,
                                               empty_label=_("不选"))
    city_hospital = forms.ModelChoiceField(label=_("市级医院"), queryset=None, required=False, empty_label=_("不选"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doctor"].queryset = selectors.doctors()
        self.fields["doctor"].label_from_instance = lambda d: f"{d.name}（{d.institution.name} · {d.team}）"
        self.fields["district_hospital"].queryset = selectors.district_hospitals()
        self.fields["city_hospital"].queryset = selectors.city_hospitals()


class SignForm(_TeamFields):
    members = forms.MultipleChoiceField(label=_("签约人"), widget=forms.CheckboxSelectMultiple,
                                        help_text=_("同户成员可一并签约，每人一份协议。"))
    start_date = BoundedDateField(label=_("起始日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    end_date = BoundedDateField(label=_("到期日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                                help_text=_("期限不少于一年。"))
    conditions = forms.CharField(label=_("慢病情况"), max_length=200, required=False,
                                 help_text=_("如高血压、糖尿病；加密保存，仅授权人员可查看。"),
                                 widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(str(m.pk), f"{m.name}（{m.id_masked}）") for m in members]
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("start_date", today)
            self.initial.setdefault("end_date", term_end(today, 1))
            self.initial.setdefault("members", [str(members[0].pk)] if members else [])


class RenewForm(forms.Form):
    years = forms.TypedChoiceField(label=_("续约期限"), choices=YEARS, coerce=int, initial=1)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SwitchForm(_TeamFields):
    years = forms.TypedChoiceField(label=_("期限"), choices=YEARS, coerce=int, initial=1)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(label=_("解约原因"), choices=[("", _("请选择"))] + list(TerminateReason.choices))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


ACTION_FORMS = {"renew": RenewForm, "switch": SwitchForm, "terminate": TerminateForm}


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看事由"), max_length=100, min_length=2,
                             widget=forms.TextInput(attrs={"placeholder": _("如：随访核对用药")}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件 (.xlsx)"))


class CoverageForm(forms.Form):
    group = forms.ChoiceField(label=_("人群"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = KeyGroup.choices
