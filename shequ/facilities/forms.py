from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import NodeKind
from shequ.core.inputs import BoundedDateField
from shequ.core.models import Node

from .choices import AgeGroup, FacilityLevel, Weekday
from .models import Facility, Room

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FacilityForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=64)
    level = forms.ChoiceField(label=_("层级"), choices=FacilityLevel.choices)
    node = forms.ModelChoiceField(label=_("所属街道或居委会"), queryset=Node.objects.none())
    parent = forms.ModelChoiceField(label=_("所属设施"), queryset=Facility.objects.none(), required=False,
                                    help_text=_("如睦邻中心内的慈善超市、长者食堂"))
    address = forms.CharField(label=_("地址"), max_length=128)
    lng = forms.DecimalField(label=_("经度"), required=False, max_digits=9, decimal_places=6)
    lat = forms.DecimalField(label=_("纬度"), required=False, max_digits=9, decimal_places=6)
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    operator_name = forms.CharField(label=_("运营方"), max_length=64, required=False,
                                    help_text=_("承接运营的社会组织，如上海知行事务所"))
    services = forms.CharField(label=_("提供的服务"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("每行一项"))
    description = forms.CharField(label=_("简介"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    closed_on_holidays = forms.BooleanField(label=_("法定节假日闭馆"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, nodes=None, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes.filter(kind__in=(NodeKind.SUBDISTRICT, NodeKind.COMMITTEE))
        self.fields["parent"].queryset = parents

    def clean_services(self):
        return [line.strip() for line in self.cleaned_data["services"].splitlines() if line.strip()]


class RoomForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=64)
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=1, max_value=2000)
    equipment = forms.CharField(label=_("设备"), max_length=200, required=False,
                                help_text=_("如投影、钢琴、音响"))
    needs_approval = forms.BooleanField(label=_("预约须审批"), required=False)
    bookable = forms.BooleanField(label=_("开放预约"), required=False, initial=True)
    residents_may_book = forms.BooleanField(label=_("居民可预约"), required=False, initial=True)


class HoursForm(forms.Form):
    """Two periods a day (morning and afternoon); leave a day empty when it is closed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day in Weekday:
            for n in (1, 2):
                self.fields[f"d{day.value}_opens{n}"] = forms.TimeField(
                    label=_("%(d)s 第%(n)s段开门") % {"d": day.label, "n": n}, required=False, widget=TIME)
                self.fields[f"d{day.value}_closes{n}"] = forms.TimeField(
                    label=_("%(d)s 第%(n)s段关门") % {"d": day.label, "n": n}, required=False, widget=TIME)

    @staticmethod
    def initial_for(facility) -> dict:
        initial, count = {}, {}
        for h in facility.hours.all():
            n = count[h.weekday] = count.get(h.weekday, 0) + 1
            if n <= 2:
                initial[f"d{h.weekday}_opens{n}"] = h.opens
                initial[f"d{h.weekday}_closes{n}"] = h.closes
        return initial

    def rows(self):
        return [{"label": day.label, "fields": [self[f"d{day.value}_{k}{n}"] for n in (1, 2)
                                                 for k in ("opens", "closes")]} for day in Weekday]

    def clean(self):
        data = super().clean()
        periods = []
        for day in Weekday:
            for n in (1, 2):
                a, b = data.get(f"d{day.value}_opens{n}"), data.get(f"d{day.value}_closes{n}")
                if (a is None) != (b is None):
                    self.add_error(f"d{day.value}_closes{n}", _("开门和关门时间须同时填写。"))
                elif a is not None:
                    periods.append((day.value, a, b))
        data["periods"] = periods
        return data


class ClosureForm(forms.Form):
    date_from = BoundedDateField(label=_("起始日期"), widget=DATE)
    date_to = BoundedDateField(label=_("结束日期"), widget=DATE)
    reason = forms.CharField(label=_("原因"), max_length=100)


class BookingForm(forms.Form):
    room = forms.ModelChoiceField(label=_("活动室"), queryset=Room.objects.none(), empty_label=_("请选择活动室"))
    date = BoundedDateField(label=_("日期"), widget=DATE)
    start_time = forms.TimeField(label=_("开始时间"), widget=TIME)
    end_time = forms.TimeField(label=_("结束时间"), widget=TIME)
    purpose = forms.CharField(label=_("用途"), help_text=_("如：合唱团排练、居民议事会"))
    team = forms.CharField(label=_("团队"), required=False)
    attendees = forms.IntegerField(label=_("预计人数"), required=False, min_value=1)
    age_group = forms.ChoiceField(label=_("主要人群"), choices=AgeGroup.choices, initial=AgeGroup.MIXED)
    weekly = forms.BooleanField(label=_("每周同一时间重复"), required=False)
    weeks = forms.IntegerField(label=_("重复周数"), required=False, min_value=2, max_value=52, initial=8)

    def __init__(self, *args, rooms=None, resident=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["room"].label_from_instance = lambda r: f"{r.facility.name} · {r.name}（{r.capacity}人）"
        if resident:
            for name in ("room", "team", "weekly", "weeks"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("weekly") and not data.get("weeks"):
            self.add_error("weeks", _("请填写重复周数。"))
        day, a, b = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and a and b:
            tz = timezone.get_current_timezone()
            data["start"] = timezone.make_aware(dt.datetime.combine(day, a), tz)
            data["end"] = timezone.make_aware(dt.datetime.combine(day, b), tz)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OperatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name or obj.username}（{obj.username}）"


class StaffForm(forms.Form):
    """Put a facility operator login on a facility."""

    user = OperatorChoice(label=_("运营人员"), queryset=Node.objects.none(),
                          help_text=_("辖区内启用的“设施运营人员”账号；账号由系统管理员开设。"))

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
