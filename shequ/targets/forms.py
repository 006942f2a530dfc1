from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.inputs import BoundedDateField
from shequ.core.scoring import Combination

from .choices import EcoKind, EcoStatus, SubjectKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each (kind, size, count)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class EntryForm(forms.Form):
    indicator = forms.TypedChoiceField(label=_("指标"), coerce=int)
    committee = forms.TypedChoiceField(label=_("居委会"), coerce=int)
    period = forms.CharField(label=_("月份"), max_length=7, help_text=_("如 2026-03"),
                             widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}))
    value = forms.CharField(label=_("数值"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
    evidence = MultipleFileField(label=_("佐证材料"), required=False,
                                 help_text=_("PDF、图片、Excel或Word，每个不超过10MB，最多10个"))

    def __init__(self, *args, indicators=(), committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.pk, f"{i.name}（{i.unit}）") for i in indicators]
        self.fields["committee"].choices = [(c.pk, c.name) for c in committees]
        if not self.is_bound:
            self.initial.setdefault("period", timezone.localdate().strftime("%Y-%m"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200, widget=forms.TextInput())


class EcoForm(forms.Form):
    committee = forms.TypedChoiceField(label=_("居委会"), coerce=int)
    kind = forms.ChoiceField(label=_("类别"), choices=EcoKind.choices, initial=EcoKind.ECO)
    name = forms.CharField(label=_("家庭名称"), max_length=32, help_text=_("如“王秀英家庭”"))
    address = forms.CharField(label=_("地址"), max_length=64)
    practices = forms.CharField(label=_("低碳做法"), max_length=200, required=False,
                                help_text=_("如垃圾分类、节水节电、绿色出行"))
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)

    def __init__(self, *args, committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [(c.pk, c.name) for c in committees]
        year = timezone.localdate().year
        self.fields["year"].choices = [(year, f"{year}年"), (year - 1, f"{year - 1}年")]


class EcoFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部"))] + EcoKind.choices)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + EcoStatus.choices)
    q = forms.CharField(label=_("搜索"), required=False, max_length=32)


class AssessmentForm(forms.Form):
    title = forms.CharField(label=_("考核名称"), max_length=80)
    subject_kind = forms.ChoiceField(label=_("考核对象类型"), choices=SubjectKind.choices)
    subject = forms.CharField(label=_("考核对象"), max_length=64)
    sheet = forms.TypedChoiceField(label=_("评分表"), coerce=int)
    held_on = BoundedDateField(label=_("评审日期"), widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(label=_("合成方法"), choices=Combination.choices, initial=Combination.TRIMMED_MEAN)
    experts = forms.TypedMultipleChoiceField(label=_("评审专家"), coerce=int,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, sheets=(), experts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(s.pk, s.name) for s in sheets]
        self.fields["experts"].choices = [(u.pk, u.display_name) for u in experts]


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(label=_("评审意见"), max_length=500, required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(forms.Form):
    evidence = MultipleFileField(label=_("佐证材料"), help_text=_("PDF、图片、Excel或Word，每个不超过10MB"))


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
