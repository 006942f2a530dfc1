from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.inputs import BoundedDateField

from .choices import CommitteeKind, TaskStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommitteeForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=64)
    kind = forms.ChoiceField(label=_("类型"), choices=CommitteeKind.choices)
    node = forms.ModelChoiceField(label=_("所属街道"), queryset=None)
    description = forms.CharField(label=_("职责"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=32)
    unit = forms.CharField(label=_("单位"), max_length=64, required=False)
    post = forms.CharField(label=_("职务"), max_length=32, required=False)
    department = forms.ModelChoiceField(label=_("代表部门"), queryset=None, required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=100)
    date = BoundedDateField(label=_("会议日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=64, required=False)
    chair = forms.CharField(label=_("主持人"), max_length=32, required=False)


class AgendaForm(forms.Form):
    title = forms.CharField(label=_("议题"), max_length=100)
    notes = forms.CharField(label=_("说明"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    case_numbers = forms.CharField(label=_("关联网格案件（编号，逗号分隔）"), required=False, max_length=2000)
    order_numbers = forms.CharField(label=_("关联12345工单（工单号，逗号分隔）"), required=False, max_length=2000)
    problem = forms.ModelChoiceField(label=_("关联顽症"), queryset=None, required=False)
    figure = forms.CharField(label=_("月度数据"), required=False, max_length=100,
                             help_text=_("如：11月暴露垃圾案件42件"))

    def __init__(self, *args, problems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = problems


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("决定事项"), max_length=200)
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=None)
    working_days = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=250, initial=10)
    agenda_item = forms.ModelChoiceField(label=_("所属议题"), queryset=None, required=False)

    def __init__(self, *args, departments, agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["agenda_item"].queryset = agenda
        self.fields["agenda_item"].label_from_instance = lambda a: f"{a.order}. {a.title}"


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + TaskStatus.choices)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)


class ProblemForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=64)
    node = forms.ModelChoiceField(label=_("所属街道"), queryset=None)
    place = forms.CharField(label=_("地点"), max_length=100, help_text=_("案件地址中包含的地点文字，如“延吉中路120弄”"))
    category = forms.ModelChoiceField(label=_("问题小类"), queryset=None)
    grids = forms.ModelMultipleChoiceField(label=_("涉及网格"), queryset=None, required=False)
    first_seen = BoundedDateField(label=_("首次发现"), widget=DATE)
    description = forms.CharField(label=_("问题描述"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, nodes, categories, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.fields["category"].queryset = categories
        self.fields["grids"].queryset = grids


class MeasureForm(forms.Form):
    date = BoundedDateField(label=_("日期"), widget=DATE)
    text = forms.CharField(label=_("措施"), max_length=500)
    department = forms.ModelChoiceField(label=_("实施部门"), queryset=None, required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
