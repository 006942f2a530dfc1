from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import NodeKind
from shequ.core.inputs import BoundedDateField

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    node = forms.ModelChoiceField(label=_("所属街道或居委会"), queryset=None)
    organiser = forms.CharField(label=_("主办方"), max_length=64)
    partners = forms.ModelMultipleChoiceField(label=_("共建单位"), queryset=None, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    series = forms.ModelChoiceField(label=_("所属系列"), queryset=None, required=False)
    festival = forms.ModelChoiceField(label=_("所属节庆"), queryset=None, required=False)
    room = forms.ModelChoiceField(label=_("预约活动室"), queryset=None, required=False,
                                  help_text=_("选择活动室将同时提交场地预约"))
    venue = forms.CharField(label=_("地点"), max_length=128, required=False,
                            help_text=_("不在活动室举办时填写，如“延吉中路广场”"))
    start = forms.DateTimeField(label=_("开始时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    end = forms.DateTimeField(label=_("结束时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=5000)
    waitlist_limit = forms.IntegerField(label=_("候补名额"), min_value=0, max_value=5000, initial=20)
    description = forms.CharField(label=_("活动介绍"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, nodes, partners, series, festivals, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes.filter(kind__in=(NodeKind.SUBDISTRICT, NodeKind.COMMITTEE))
        self.fields["partners"].queryset = partners
        self.fields["series"].queryset = series
        self.fields["festival"].queryset = festivals
        self.fields["room"].queryset = rooms


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=32)
    phone = forms.CharField(label=_("联系电话"), max_length=12, required=False)


class PhotoForm(forms.Form):
    photos = forms.FileField(label=_("活动照片"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)


class DelegationForm(forms.Form):
    date = BoundedDateField(label=_("来访日期"), widget=forms.DateInput(attrs={"type": "date"}))
    origin = forms.CharField(label=_("来访单位"), max_length=100)
    node = forms.ModelChoiceField(label=_("接待辖区"), queryset=None)
    members = forms.CharField(label=_("成员"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("每行一人，如“张三 处长”"))
    member_count = forms.IntegerField(label=_("人数"), min_value=1, max_value=1000, required=False,
                                      help_text=_("不填则按成员行数计"))
    programme = forms.CharField(label=_("考察安排"), required=False, max_length=4000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    facilities = forms.ModelMultipleChoiceField(label=_("参观设施"), queryset=None, required=False,
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, nodes, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes.filter(kind__in=(NodeKind.SUBDISTRICT, NodeKind.COMMITTEE))
        self.fields["facilities"].queryset = facilities

    def clean_members(self):
        return [line.strip() for line in self.cleaned_data["members"].splitlines() if line.strip()]


class PartnerUnitForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=64)
    kind = forms.CharField(label=_("单位类型"), max_length=32, required=False, help_text=_("如“部队”“文艺团体”“媒体”"))
    contact = forms.CharField(label=_("联系人"), max_length=32, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True,
                                   help_text=_("不再合作的单位停用即可，已有活动保留记录"))


class SeriesForm(forms.Form):
    name = forms.CharField(label=_("系列名称"), max_length=64, help_text=_("如“延吉风韵月月展”"))
    node = forms.ModelChoiceField(label=_("主办辖区"), queryset=None)
    description = forms.CharField(label=_("简介"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes.filter(kind__in=(NodeKind.SUBDISTRICT, NodeKind.COMMITTEE))


class FestivalForm(SeriesForm):
    date_from = BoundedDateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = BoundedDateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["name", "node", "date_from", "date_to", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("节庆名称")
        self.fields["name"].help_text = _("如“2026年延吉新村街道学习节”")
