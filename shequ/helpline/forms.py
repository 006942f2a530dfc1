from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.inputs import BoundedDateField, period_errors

from .choices import CallCategory, CallStatus, Outcome, Satisfaction


class CallForm(forms.Form):
    caller_name = forms.CharField(label=_("来电人"), max_length=32)
    caller_phone = forms.CharField(label=_("来电号码"), max_length=20, help_text=_("加密保存，页面只显示部分号码"))
    committee = forms.TypedChoiceField(label=_("所属居委会"), coerce=int, required=False, empty_value=None)
    address = forms.CharField(label=_("地址"), max_length=128, required=False)
    category = forms.ChoiceField(label=_("类别"), choices=[("", "—")] + CallCategory.choices)
    need = forms.CharField(label=_("诉求"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.committees = {c.pk: c for c in committees}
        self.fields["committee"].choices = [("", _("（街道）"))] + [(c.pk, c.name) for c in committees]


class AnswerForm(forms.Form):
    reply = forms.CharField(label=_("答复内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class GridForm(forms.Form):
    category = forms.ChoiceField(label=_("案件类别"))
    address = forms.CharField(label=_("问题地址"), max_length=128, required=False,
                              help_text=_("没有定位坐标时必填"))
    lat = forms.DecimalField(label=_("纬度"), required=False, max_digits=9, decimal_places=6)
    lng = forms.DecimalField(label=_("经度"), required=False, max_digits=9, decimal_places=6)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [(c.code, f"{c.main.name} · {c.name}") for c in categories]


class ConsultationForm(forms.Form):
    item = forms.TypedChoiceField(label=_("受理中心事项"), coerce=int)
    reply = forms.CharField(label=_("补充说明"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—")] + [(i.pk, f"{i.name}（{i.code}）") for i in items]


class DayCareForm(forms.Form):
    facility = forms.TypedChoiceField(label=_("日间照料中心"), coerce=int)
    reply = forms.CharField(label=_("答复内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, facilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = [("", "—")] + [(f.pk, f.name) for f in facilities]


class BookingForm(forms.Form):
    room = forms.TypedChoiceField(label=_("活动室"), coerce=int)
    start = forms.DateTimeField(label=_("开始时间"),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    end = forms.DateTimeField(label=_("结束时间"),
                              widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                              input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    purpose = forms.CharField(label=_("用途"), max_length=200)
    attendees = forms.IntegerField(label=_("人数"), required=False, min_value=1, max_value=999)

    def __init__(self, *args, rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].choices = [("", "—")] + [
            (r.pk, f"{r.facility.name} · {r.name}（{r.capacity}人）") for r in rooms]
        if len(self.fields["room"].choices) == 1:
            self.fields["room"].help_text = _("您可预约的设施中没有开放预约的活动室。")


# The values of eldercare's meal and mode choices (its model module is not ours to import).
MEALS = [("breakfast", _("早餐")), ("lunch", _("午餐")), ("dinner", _("晚餐"))]
MODES = [("dine_in", _("堂食")), ("delivery", _("送餐"))]


class MealOrderForm(forms.Form):
    resident = forms.TypedChoiceField(label=_("用餐老人"), coerce=int,
                                      help_text=_("来电号码登记的家庭成员；其他老人请按姓名或身份证号查找"))
    date = BoundedDateField(label=_("用餐日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    meal = forms.ChoiceField(label=_("餐次"), choices=[("", "—")] + MEALS)
    mode = forms.ChoiceField(label=_("用餐方式"), choices=[("", "—")] + MODES)

    def __init__(self, *args, candidates=(), enrolled=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for r in candidates:
            mark = enrolled.get(r.pk) if hasattr(enrolled, "get") else None
            choices.append((r.pk, f"{r.name} · {r.id_masked} · {mark or _('未登记助餐')}"))
        self.fields["resident"].choices = [("", "—")] + choices


class ResidentSearchForm(forms.Form):
    who = forms.CharField(label=_("按姓名或身份证号查找老人"), max_length=32, required=False)


class CallbackScheduleForm(forms.Form):
    due = forms.DateTimeField(label=_("回访时间"),
                              widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                              input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class CallbackForm(forms.Form):
    reached = forms.TypedChoiceField(label=_("是否接通"), coerce=lambda v: v == "1",
                                     choices=[("1", _("已接通")), ("0", _("未接通"))])
    satisfaction = forms.ChoiceField(label=_("满意度"), required=False, choices=[("", "—")] + Satisfaction.choices)
    result = forms.CharField(label=_("回访结果"), max_length=200, required=False)


class CallFilterForm(forms.Form):
    q = forms.CharField(label=_("编号、来电人或完整号码"), max_length=64, required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态"))] + CallStatus.choices)
    category = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别"))] + CallCategory.choices)
    outcome = forms.ChoiceField(label=_("办理方式"), required=False, choices=[("", _("全部办理方式"))] + Outcome.choices)


class PeriodForm(forms.Form):
    start = BoundedDateField(label=_("开始日期"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = BoundedDateField(label=_("结束日期"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        import datetime as dt

        from django.utils import timezone

        data = super().clean()
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - dt.timedelta(days=29)
        errors = period_errors(start, end, end_before_start=_("结束日期不能早于开始日期。"),
                               too_long=_("统计期间最长两年。"))
        if errors:
            raise forms.ValidationError(errors["end"][0])
        data["start"], data["end"] = start, end
        return data
