from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.acceptance.models import QueueCategory
from shequ.core.inputs import BoundedDateField

from .choices import ReportRating

BIG = {"class": "form-control form-control-lg"}


class SignupForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=11,
                            widget=forms.TextInput(attrs={**BIG, "inputmode": "numeric", "autocomplete": "tel"}))
    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={**BIG, "inputmode": "numeric",
                                                         "autocomplete": "one-time-code"}))
    password = forms.CharField(label=_("设置密码"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={**BIG, "autocomplete": "new-password"}),
                               help_text=_("至少10位，包含字母和数字。"))
    password2 = forms.CharField(label=_("再次输入密码"), max_length=128, strip=False,
                                widget=forms.PasswordInput(attrs={**BIG, "autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class BindForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=32, widget=forms.TextInput(attrs=BIG))
    id_number = forms.CharField(label=_("身份证号"), max_length=18,
                                widget=forms.TextInput(attrs={**BIG, "autocomplete": "off"}))
    consent = forms.BooleanField(label=_("我已阅读并同意《个人信息处理告知书》"), required=True,
                                 error_messages={"required": _("须同意后才能绑定。")})


class BookForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    item = forms.IntegerField(label=_("办理事项"), widget=forms.Select(attrs={"class": "form-select form-select-lg"}))
    for_resident = forms.IntegerField(label=_("为谁办理"), required=False,
                                      widget=forms.Select(attrs={"class": "form-select form-select-lg"}))

    def __init__(self, *args, items=(), family=(), me=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.choices = [("", _("请选择事项"))] + [(i.pk, i.name) for i in items]
        people = [("", _("本人") + (f"（{me.name}）" if me else ""))] + [(p.pk, p.name) for p in family]
        self.fields["for_resident"].widget.choices = people


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("问题类别"), widget=forms.Select(attrs={"class": "form-select form-select-lg"}))
    description = forms.CharField(label=_("问题描述"), min_length=4, max_length=4000,
                                  widget=forms.Textarea(attrs={**BIG, "rows": 3,
                                                               "placeholder": _("例如：小区门口窨井盖破损")}))
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False)
    address = forms.CharField(label=_("位置说明（选填）"), max_length=200, required=False,
                              widget=forms.TextInput(attrs=BIG))
    photos = forms.FileField(label=_("照片（最多3张）"), required=False,
                             widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-lg",
                                                                    "accept": "image/jpeg,image/png",
                                                                    "capture": "environment"}))
    share_location = forms.BooleanField(label=_("保留照片中的拍摄位置"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("请选择"))] + [
            (c.code, f"{c.main.name} · {c.name}") for c in categories]


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("对处理结果的评价"), choices=ReportRating.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("意见（不满意时必填）"), max_length=200, required=False,
                           widget=forms.Textarea(attrs={**BIG, "rows": 2}))


class ReviewForm(forms.Form):
    score = forms.TypedChoiceField(label=_("评价"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(5, _("非常满意")), (4, _("满意")), (3, _("基本满意")),
                                            (2, _("不满意")), (1, _("非常不满意"))])
    comment = forms.CharField(label=_("意见建议"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={**BIG, "rows": 2}))


class LookupForm(forms.Form):
    number = forms.CharField(label=_("办件编号"), max_length=20, widget=forms.TextInput(attrs=BIG))
    id_tail = forms.CharField(label=_("申请人身份证号后6位"), min_length=6, max_length=6,
                              widget=forms.TextInput(attrs={**BIG, "autocomplete": "off"}))


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("预约码"), max_length=8, min_length=8,
                           widget=forms.TextInput(attrs={"class": "form-control form-control-lg text-center",
                                                         "autocomplete": "off", "autofocus": True}))


class SlotPublishForm(forms.Form):
    date = BoundedDateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    start = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}))
    end = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}))
    category = forms.ModelChoiceField(label=_("取号类别"), queryset=QueueCategory.objects.filter(is_active=True),
                                      widget=forms.Select(attrs={"class": "form-select"}))
    capacity = forms.IntegerField(label=_("可预约人数"), min_value=1, max_value=200,
                                  widget=forms.NumberInput(attrs={"class": "form-control"}))
