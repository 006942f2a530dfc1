from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Node

from .models import Team

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _dt(label, required=True):
    return forms.DateTimeField(label=label, widget=DATETIME, input_formats=FORMATS, required=required)


class ActivityForm(forms.Form):
    team = forms.ModelChoiceField(label=_("队伍"), queryset=Team.objects.none())
    title = forms.CharField(label=_("标题"), max_length=100)
    room = forms.ModelChoiceField(label=_("活动室（预约场地）"), queryset=None, required=False,
                                  empty_label=_("不预约活动室"),
                                  help_text=_("选择后按活动时间预约该活动室，地点可不填；活动取消时释放预约。"))
    place = forms.CharField(label=_("地点"), max_length=128, required=False)
    start = _dt(_("开始"))
    end = _dt(_("结束"))
    slots = forms.IntegerField(label=_("名额"), min_value=1, max_value=500)
    signup_deadline = _dt(_("报名截止"), required=False)
    min_age = forms.IntegerField(label=_("最低年龄"), min_value=1, max_value=119, required=False)
    max_age = forms.IntegerField(label=_("最高年龄"), min_value=1, max_value=119, required=False)
    skills = forms.CharField(label=_("所需技能"), required=False, max_length=200, help_text=_("多项用顿号或逗号分隔"))
    description = forms.CharField(label=_("内容"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, teams=None, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["room"].queryset = rooms
        self.fields["room"].label_from_instance = lambda r: f"{r.facility.name} · {r.name}（{r.capacity}人）"
        if rooms is None:
            del self.fields["room"]

    def clean(self):
        data = super().clean()
        if not data.get("place") and not data.get("room"):
            self.add_error("place", _("请填写地点或选择活动室。"))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(label=_("签到码"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "pattern": "[0-9]{6}"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class CorrectForm(forms.Form):
    check_in = _dt(_("签到时间"))
    check_out = _dt(_("签退时间"))
    reason = forms.CharField(label=_("更正理由"), max_length=200)


class HonourForm(forms.Form):
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=6000)
    reason = forms.CharField(label=_("理由"), max_length=200)


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=32)
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    committee = forms.ModelChoiceField(label=_("所属居委会"), queryset=Node.objects.none())
    skills = forms.CharField(label=_("技能"), required=False, max_length=200, help_text=_("多项用顿号或逗号分隔"))
    availability = forms.CharField(label=_("可服务时间"), required=False, max_length=100)
    national_number = forms.CharField(label=_("全国志愿者编号"), required=False, max_length=32,
                                      help_text=_("已在全国志愿服务信息系统注册的填写"))
    consent = forms.BooleanField(label=_("同意志愿中心按《志愿服务记录与证明出具办法》保存我的服务记录"),
                                 required=False)

    def __init__(self, *args, committees=None, from_registry=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees if committees is not None else Node.objects.none()
        if from_registry:  # the registry record gives name, ID number, phone and committee
            for name in ("name", "id_number", "phone", "committee"):
                del self.fields[name]
