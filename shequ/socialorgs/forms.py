"""Forms of the social-organisation pages. They only parse: the rules (lengths, money, the instalments adding up,
the transitions) live in the services, whose refusals come back onto these forms."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import StrictFilterSet
from shequ.core.inputs import BoundedDateField
from shequ.core.scoring import Combination

from .choices import AppraisalGrade, ContributionKind, Milestone, OrgKind, Rating
from .models import Organisation, Project

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


class OrganisationFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(label=_("名称或登记证号"), method="filter_q", max_length=64, strip=True)
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=OrgKind.choices, empty_label=_("全部类型"))
    rating = django_filters.ChoiceFilter(label=_("评估等级"), choices=Rating.choices, empty_label=_("全部等级"))

    class Meta:
        model = Organisation
        fields = ["q", "kind", "rating"]

    def filter_q(self, qs, name, value):
        from django.db.models import Q

        return qs.filter(Q(name__icontains=value) | Q(registration_number__icontains=value))


class ProjectFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(label=_("项目名称"), field_name="title", lookup_expr="icontains", max_length=64,
                                  strip=True)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Project._meta.get_field("status").choices,
                                         empty_label=_("全部状态"))

    class Meta:
        model = Project
        fields = ["q", "status"]


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=OrgKind.choices)
    registration_number = forms.CharField(label=_("登记证号/统一社会信用代码"), required=False, max_length=200,
                                          help_text=_("备案的社区社会组织可不填"))
    rating = forms.ChoiceField(label=_("评估等级"), choices=[("", _("未评估"))] + list(Rating.choices),
                               required=False)
    rating_valid_until = BoundedDateField(label=_("等级有效期至"), required=False, widget=DATE,
                                          help_text=_("评估等级有效期五年"))
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=200)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=40)
    committees = forms.ModelMultipleChoiceField(label=_("服务的居委会"), queryset=None, required=False,
                                                widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=_("简介"), required=False, widget=TEXTAREA, max_length=5000)

    def __init__(self, *args, committees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committees"].queryset = committees


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("文件名称"), max_length=200)
    file = forms.FileField(label=_("文件（PDF、JPG 或 PNG，不超过10MB）"))


class IncubationApplyForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("社会组织"), queryset=None)
    applied_on = BoundedDateField(label=_("申请日期"), widget=DATE)
    plan = forms.CharField(label=_("入驻申请说明"), required=False, widget=TEXTAREA, max_length=5000)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("孵化节点"), max_length=200)
    due_on = BoundedDateField(label=_("计划完成日期"), widget=DATE)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=200)
    category = forms.CharField(label=_("服务类别"), max_length=100, help_text=_("如：为老服务、青少年、助残、帮困"))
    need = forms.CharField(label=_("需求说明"), widget=TEXTAREA, max_length=10000)
    budget = forms.CharField(label=_("预算（元）"), max_length=20)
    combination = forms.ChoiceField(label=_("评分规则"), choices=Combination.choices,
                                    initial=Combination.TRIMMED_MEAN)


class ExpertsForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(label=_("评审专家"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = candidates
        self.fields["experts"].label_from_instance = lambda u: u.display_name


class PublishForm(forms.Form):
    call_deadline = BoundedDateField(label=_("征集截止日期"), widget=DATE)


class ProposalForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("申报组织"), queryset=None)
    summary = forms.CharField(label=_("方案概要"), widget=TEXTAREA, max_length=10000)
    budget = forms.CharField(label=_("申报金额（元）"), max_length=20)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ScoreForm(forms.Form):
    score = forms.CharField(label=_("评分（0–100）"), max_length=10)
    comment = forms.CharField(label=_("评审意见"), required=False, max_length=1000)


class SignForm(forms.Form):
    amount = forms.CharField(label=_("合同金额（元）"), max_length=20)
    signed_on = BoundedDateField(label=_("签订日期"), widget=DATE)
    starts_on = BoundedDateField(label=_("服务开始"), widget=DATE)
    ends_on = BoundedDateField(label=_("服务结束"), widget=DATE)
    first_amount = forms.CharField(label=_("首期金额（合同签订后拨付）"), max_length=20)
    second_amount = forms.CharField(label=_("二期金额（中期评估通过后拨付）"), max_length=20, required=False)
    third_amount = forms.CharField(label=_("尾款（结项评估通过后拨付）"), max_length=20, required=False)

    def instalments(self) -> list[dict]:
        rows = [{"amount": self.cleaned_data["first_amount"], "milestone": Milestone.SIGNING}]
        for field, milestone in (("second_amount", Milestone.MIDTERM), ("third_amount", Milestone.FINAL)):
            if (self.cleaned_data.get(field) or "").strip():
                rows.append({"amount": self.cleaned_data[field], "milestone": milestone})
        return rows


class ReviewForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("评估结论"), choices=[("1", _("通过，拨付本期款项")),
                                                               ("0", _("不通过，暂停拨付"))],
                                    coerce=lambda v: v == "1", widget=forms.RadioSelect)
    note = forms.CharField(label=_("评估意见"), widget=TEXTAREA, max_length=2000)


class AppraiseForm(forms.Form):
    grade = forms.ChoiceField(label=_("评价等级"), choices=AppraisalGrade.choices)
    score = forms.CharField(label=_("得分（0–100）"), max_length=10)
    note = forms.CharField(label=_("评价意见"), widget=TEXTAREA, max_length=5000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=TEXTAREA, max_length=2000)


class ClaimProjectForm(forms.Form):
    node = forms.ModelChoiceField(label=_("发布单位"), queryset=None)
    event = forms.CharField(label=_("所属活动"), required=False, max_length=200, help_text=_("如：第八届学习节"))
    title = forms.CharField(label=_("项目名称"), max_length=200)
    description = forms.CharField(label=_("项目内容"), widget=TEXTAREA, max_length=5000)
    needs = forms.CharField(label=_("需要的支持"), required=False, max_length=500)

    def __init__(self, *args, nodes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class ClaimForm(forms.Form):
    claimant = forms.CharField(label=_("认领单位"), max_length=200)
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=200)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=40)
    kind = forms.ChoiceField(label=_("提供的支持"), choices=ContributionKind.choices)
    description = forms.CharField(label=_("支持内容"), max_length=500)
    amount = forms.CharField(label=_("金额（元，资金必填）"), required=False, max_length=20)
    kind_2 = forms.ChoiceField(label=_("另一项支持（可不填）"), required=False,
                               choices=[("", _("无"))] + list(ContributionKind.choices))
    description_2 = forms.CharField(label=_("支持内容"), required=False, max_length=500)
    amount_2 = forms.CharField(label=_("金额（元，资金必填）"), required=False, max_length=20)
    thank_publicly = forms.BooleanField(label=_("同意在鸣谢名单中公开单位名称"), required=False, initial=True)

    def contributions(self) -> list[dict]:
        data = self.cleaned_data
        rows = [{"kind": data["kind"], "description": data["description"], "amount": data.get("amount") or None}]
        if data.get("kind_2"):
            rows.append({"kind": data["kind_2"], "description": data.get("description_2", ""),
                         "amount": data.get("amount_2") or None})
        return rows


class PublicClaimForm(forms.Form):
    """The public claim form (no login): who claims, how to reach them, what they give (up to two items)."""

    claimant = forms.CharField(label=_("单位名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码（可不填）"), required=False, max_length=40)
    contact_name = forms.CharField(label=_("联系人"), max_length=200)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    kind = forms.ChoiceField(label=_("提供的支持"), choices=ContributionKind.choices)
    description = forms.CharField(label=_("支持内容"), max_length=500)
    amount = forms.CharField(label=_("金额（元，资金必填）"), required=False, max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    kind_2 = forms.ChoiceField(label=_("另一项支持（可不填）"), required=False,
                               choices=[("", _("无"))] + list(ContributionKind.choices))
    description_2 = forms.CharField(label=_("支持内容"), required=False, max_length=500)
    amount_2 = forms.CharField(label=_("金额（元，资金必填）"), required=False, max_length=20,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    note = forms.CharField(label=_("留言（可不填）"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))
    thank_publicly = forms.BooleanField(label=_("同意在鸣谢名单中公开单位名称"), required=False, initial=True)

    contributions = ClaimForm.contributions


class ClaimActivityForm(forms.Form):
    claim = forms.ModelChoiceField(label=_("认领单位"), queryset=None)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    held_on = BoundedDateField(label=_("活动日期"), widget=DATE)
    participants = forms.IntegerField(label=_("参与人数"), min_value=0, max_value=100000)

    def __init__(self, *args, claims=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].queryset = claims
        self.fields["claim"].label_from_instance = lambda c: c.claimant
