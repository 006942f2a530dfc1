from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import NodeKind
from shequ.core.scoping import scoped_nodes

from .choices import HukouType, Relation
from .models import Tag


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=32)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, min_length=15,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    committee = forms.ModelChoiceField(label=_("居委会"), queryset=None, empty_label=_("请选择"))
    address = forms.CharField(label=_("居住地址"), max_length=128)
    household_number = forms.CharField(label=_("户号"), max_length=32, required=False,
                                       help_text=_("选填；户号不存在时将新建该户。"))
    relation = forms.ChoiceField(label=_("与户主关系"), choices=[("", "—")] + list(Relation.choices), required=False)
    hukou_type = forms.ChoiceField(label=_("户籍类型"), choices=HukouType.choices, initial=HukouType.REGISTERED)
    tags = forms.ModelMultipleChoiceField(label=_("标签"), queryset=Tag.objects.all(), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = scoped_nodes(user, NodeKind.COMMITTEE)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看事由"), max_length=100, min_length=2,
                             widget=forms.TextInput(attrs={"placeholder": _("如：办理低保申请核对身份")}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件 (.xlsx)"))
