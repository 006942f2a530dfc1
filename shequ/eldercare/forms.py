from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.inputs import MonthField, add_period_errors

from .choices import CareGrade, IncidentKind, Meal, MealMode
from .models import Canteen, DeliveryRoute

DATE = {"type": "date"}
TIME = {"type": "time"}


class CanteenChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.facility.name


class RouteChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.canteen.facility.name} · {obj.name}"


class EnrolForm(forms.Form):
    resident = forms.IntegerField(widget=forms.HiddenInput)
    canteen = CanteenChoice(label=_("默认助餐点"), queryset=Canteen.objects.none())
    route = RouteChoice(label=_("送餐线路"), queryset=DeliveryRoute.objects.none(), required=False,
                        help_text=_("需要送餐时选择。"))
    diet_note = forms.CharField(label=_("饮食备注"), max_length=100, required=False,
                                help_text=_("如：低盐、软食、糖尿病餐。"))

    def __init__(self, *args, canteens=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canteen"].queryset = canteens
        self.fields["route"].queryset = DeliveryRoute.objects.filter(canteen__in=canteens).select_related(
            "canteen__facility")


class EnrolmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.resident.name}（{obj.resident.committee.name}）"


class OrderForm(forms.Form):
    enrolment = EnrolmentChoice(label=_("老人"), queryset=None)
    date_from = forms.DateField(label=_("从"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("到"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                              help_text=_("只订一天时与开始日期相同。"))
    meal = forms.ChoiceField(label=_("餐次"), choices=Meal.choices, initial=Meal.LUNCH)
    mode = forms.ChoiceField(label=_("方式"), choices=MealMode.choices, initial=MealMode.DINE_IN)

    def __init__(self, *args, enrolments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = enrolments

    def clean(self):
        data = super().clean()
        add_period_errors(self, "date_from", "date_to", max_days=30, end_before_start=_("结束日期不能早于开始日期。"),
                          too_long=_("一次最多订 31 天。"))
        return data


class MyOrderForm(forms.Form):
    resident = forms.TypedChoiceField(label=_("为谁订餐"), coerce=int, choices=())
    date = forms.DateField(label=_("用餐日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    meal = forms.ChoiceField(label=_("餐次"), choices=Meal.choices, initial=Meal.LUNCH)
    mode = forms.ChoiceField(label=_("方式"), choices=MealMode.choices, initial=MealMode.DINE_IN)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = [(p.pk, p.name) for p in people]


class DayForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"), required=False)

    def __init__(self, data=None, *args, **kwargs):
        # An empty query shows today, filled in, rather than an empty date box.
        super().__init__(data or {"date": timezone.localdate().isoformat()}, *args, **kwargs)

    def day(self) -> dt.date:
        return (self.cleaned_data.get("date") if self.is_valid() else None) or timezone.localdate()


class KitchenForm(DayForm):
    canteen = CanteenChoice(label=_("助餐点"), queryset=Canteen.objects.none(), required=False)
    meal = forms.ChoiceField(label=_("餐次"), choices=Meal.choices, required=False)

    def __init__(self, *args, canteens=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canteen"].queryset = canteens


class SettleForm(forms.Form):
    canteen = CanteenChoice(label=_("助餐点"), queryset=Canteen.objects.none())
    month = MonthField(label=_("月份"), help_text=_("只能结算已结束的月份。"))

    def __init__(self, *args, canteens=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canteen"].queryset = canteens


class NoteForm(forms.Form):
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class DayCareEnrolForm(forms.Form):
    resident = forms.IntegerField(widget=forms.HiddenInput)
    facility = forms.ModelChoiceField(label=_("日间照料中心"), queryset=None)
    care_grade = forms.TypedChoiceField(label=_("照护等级"), coerce=int, choices=CareGrade.choices)
    daily_fee = forms.DecimalField(label=_("日托费（元/天）"), max_digits=8, decimal_places=2, min_value=0)
    start_date = forms.DateField(label=_("入托日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    emergency_contact = forms.CharField(label=_("紧急联系人及电话"), max_length=100, required=False)

    def __init__(self, *args, facilities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities


class AttendanceForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    arrived_at = forms.TimeField(label=_("到达时间"), widget=forms.TimeInput(attrs=TIME, format="%H:%M"))
    left_at = forms.TimeField(label=_("离开时间"), widget=forms.TimeInput(attrs=TIME, format="%H:%M"), required=False)
    temperature = forms.DecimalField(label=_("体温（°C）"), max_digits=3, decimal_places=1, required=False)
    systolic = forms.IntegerField(label=_("收缩压（mmHg）"), required=False)
    diastolic = forms.IntegerField(label=_("舒张压（mmHg）"), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class IncidentForm(forms.Form):
    occurred_at = forms.DateTimeField(label=_("发生时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    kind = forms.ChoiceField(label=_("类型"), choices=IncidentKind.choices)
    description = forms.CharField(label=_("经过"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    action_taken = forms.CharField(label=_("处置"), max_length=500, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    family_notified = forms.BooleanField(label=_("已通知家属"), required=False)


class ApplyForm(forms.Form):
    resident = forms.IntegerField(widget=forms.HiddenInput)
    facility = forms.TypedChoiceField(label=_("敬老院"), coerce=int, choices=())
    reason = forms.CharField(label=_("申请理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, facilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.facilities = {f.pk: f for f in facilities}
        self.fields["facility"].choices = [(f.pk, f.name) for f in facilities]

    def clean_facility(self):
        return self.facilities[self.cleaned_data["facility"]]


class ApplicationActionForm(forms.Form):
    care_grade = forms.TypedChoiceField(label=_("照护等级"), coerce=int, choices=CareGrade.choices, required=False)
    bed = forms.ModelChoiceField(label=_("床位"), queryset=None, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, beds=None, fields=("note",), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bed"].queryset = beds
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]
