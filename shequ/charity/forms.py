from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.inputs import BoundedDateField, MonthField

from .choices import DonationKind, DonorKind, MoveKind

QTY_ATTRS = {"min": "0", "max": "100000", "inputmode": "numeric"}


def _quantity_fields(form, goods, *, label_stock: bool) -> None:
    """One optional quantity field per goods item, named q_<id> (the service reports errors under that name)."""
    for g in goods:
        label = f"{g.name}（{g.unit}）"
        help_text = _("库存 %(n)s %(u)s · 每%(u)s %(p)s 积分") % {"n": g.quantity, "u": g.unit, "p": g.points} \
            if label_stock else ""
        form.fields[f"q_{g.pk}"] = forms.IntegerField(label=label, required=False, min_value=0, max_value=100000,
                                                      help_text=help_text,
                                                      widget=forms.NumberInput(attrs=QTY_ATTRS))


class GoodsForm(forms.Form):
    name = forms.CharField(label=_("物品名称"), max_length=32)
    unit = forms.CharField(label=_("单位"), max_length=8, help_text=_("如 袋、桶、瓶、件"))
    points = forms.IntegerField(label=_("兑换积分"), min_value=1, max_value=100000, help_text=_("每单位占用的积分"))


class StockForm(forms.Form):
    goods = forms.TypedChoiceField(label=_("物品"), coerce=int)
    kind = forms.ChoiceField(label=_("类型"), choices=[(MoveKind.PURCHASE, MoveKind.PURCHASE.label),
                                                      (MoveKind.LOSS, MoveKind.LOSS.label)])
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=100000)
    note = forms.CharField(label=_("说明"), max_length=200, required=False, help_text=_("报损须写明原因"))

    def __init__(self, *args, goods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goods"].choices = [(g.pk, f"{g.name}（{g.unit}）") for g in goods]


class DonationForm(forms.Form):
    kind = forms.ChoiceField(label=_("捐赠类型"), choices=DonationKind.choices,
                             widget=forms.RadioSelect(attrs={"class": "form-check-input"}), initial=DonationKind.GOODS)
    donor_kind = forms.ChoiceField(label=_("捐赠方"), choices=DonorKind.choices,
                                   widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                                   initial=DonorKind.PERSON)
    donor_name = forms.CharField(label=_("捐赠人/单位名称"), max_length=64)
    donor_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                                  help_text=_("加密保存，页面和收据只显示部分号码"))
    amount = forms.DecimalField(label=_("善款金额（元）"), required=False, min_value=0, max_digits=12,
                                decimal_places=2, help_text=_("捐赠善款时填写"))
    received_on = BoundedDateField(label=_("捐赠日期"),
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, goods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.goods = list(goods)
        _quantity_fields(self, self.goods, label_stock=False)

    def lines(self) -> list[tuple[int, int]]:
        return [(g.pk, self.cleaned_data.get(f"q_{g.pk}") or 0) for g in self.goods]

    def quantity_fields(self):
        return [self[f"q_{g.pk}"] for g in self.goods]

    def radio_fields(self):
        return [self["kind"], self["donor_kind"]]

    def main_fields(self):
        return [self[n] for n in ("donor_name", "donor_phone", "amount", "received_on", "note")]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("姓名、拼音首字母、身份证号或手机号"), max_length=64, required=False)


class DistributionForm(forms.Form):
    recipient = forms.TypedChoiceField(label=_("领取人"), coerce=int)

    def __init__(self, *args, goods=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [(m.pk, m.name) for m in members]
        self.goods = list(goods)
        _quantity_fields(self, self.goods, label_stock=True)

    def items(self) -> dict:
        return {g.pk: self.cleaned_data.get(f"q_{g.pk}") or 0 for g in self.goods}

    def quantity_fields(self):
        return [self[f"q_{g.pk}"] for g in self.goods]


class MonthForm(forms.Form):
    month = MonthField(label=_("月份"), required=False, default=lambda: timezone.localdate().replace(day=1))
