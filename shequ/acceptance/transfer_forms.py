"""Forms of the 全市通办 transfer pages: the home centre at intake, a batch, and each declared step."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import TransferOutcome

OUTSIDE = "outside"


class HomeCentreForm(forms.Form):
    """The applicant's 户籍地/居住地 as read from their papers, when the registry does not have them."""

    home_centre = forms.ChoiceField(label=_("户籍地/居住地"), required=False)
    home_outside = forms.CharField(label=_("外区受理中心名称"), max_length=64, required=False,
                                   widget=forms.TextInput(attrs={"placeholder": _("如：浦东新区潍坊新村街道社区事务受理服务中心")}))

    def __init__(self, *args, centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_centre"].choices = ([("", _("本街道，或以居民库登记为准"))]
                                              + [(str(n.pk), n.name) for n in centres]
                                              + [(OUTSIDE, _("外区（填写中心名称）"))])

    def home(self) -> dict:
        d = self.cleaned_data
        node = d.get("home_centre") or ""
        return {"node": "" if node == OUTSIDE else node, "outside": d.get("home_outside") or ""}


class BatchForm(forms.Form):
    transfers = forms.MultipleChoiceField(label=_("待寄送办件"), widget=forms.CheckboxSelectMultiple)
    courier_name = forms.CharField(label=_("交接/快递人员姓名"), max_length=32)
    courier_phone = forms.CharField(label=_("联系电话"), max_length=20)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, pending=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transfers"].choices = [(str(t.pk), t.case.number) for t in pending]


class TransferStepForm(forms.Form):
    """The inputs of the declared steps; each step reads only the fields it declares."""

    note = forms.CharField(label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(label=_("审核结果"), choices=[("", _("请选择"))] + TransferOutcome.choices,
                                required=False)
    result_note = forms.CharField(label=_("办理结果"), max_length=200, required=False)
    reason = forms.CharField(label=_("撤回原因"), max_length=200, required=False)
