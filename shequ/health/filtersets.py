"""The contract list's filter schema: one FilterSet for the page (`/health/contracts/`, the renewal-due list), its
export and `GET /api/v1/health/contracts/`."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.choices import NodeKind
from shequ.core.errors import DomainError
from shequ.core.filtersets import StrictFilterSet
from shequ.core.scoping import scoped_nodes

from . import selectors
from .choices import ContractStatus
from .models import Contract, Doctor

STATUS_CHOICES = [("expired", gettext_lazy("已到期未续约")), ("closed", gettext_lazy("已结束"))] + list(
    ContractStatus.choices)


class ContractFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("搜索"), max_length=64, method="_delegate",
                                  widget=forms.TextInput(attrs={"placeholder": gettext_lazy("姓名 / 身份证号 / 协议编号"),
                                                                "type": "search"}))
    status = django_filters.ChoiceFilter(label=gettext_lazy("状态"), method="_delegate",
                                         empty_label=gettext_lazy("全部状态"), choices=STATUS_CHOICES)
    committee = django_filters.ModelChoiceFilter(label=gettext_lazy("居委会"), method="_delegate",
                                                 empty_label=gettext_lazy("全部居委会"), queryset=Doctor.objects.none())
    doctor = django_filters.ModelChoiceFilter(label=gettext_lazy("家庭医生"), method="_delegate",
                                              empty_label=gettext_lazy("全部医生"), queryset=Doctor.objects.none())
    due = django_filters.BooleanFilter(label=gettext_lazy("60天内到期"), method="_delegate",
                                       widget=forms.CheckboxInput)

    class Meta:
        model = Contract
        fields: list[str] = []

    def __init__(self, data=None, *, user, due: bool = False, **kwargs):
        super().__init__(data, queryset=Contract.objects.none(), **kwargs)
        self.user = user
        self.force_due = due
        self.filters["committee"].queryset = scoped_nodes(user, NodeKind.COMMITTEE)
        self.filters["doctor"].queryset = Doctor.objects.select_related("institution").order_by("name_pinyin", "id")

    def _delegate(self, queryset, name, value):
        return queryset  # the query is built by `selectors.contract_list`

    def check(self) -> None:
        if self.is_bound and not self.is_valid():
            errors = {field: [str(m) for m in messages] for field, messages in self.form.errors.items()}
            raise DomainError(_("查询条件无效：%(m)s") % {"m": next(iter(errors.values()))[0]}, errors)

    def selector_kwargs(self) -> dict:
        d = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"search": d.get("q") or "", "status": d.get("status") or "",
                "committee_id": d["committee"].pk if d.get("committee") else None,
                "doctor_id": d["doctor"].pk if d.get("doctor") else None,
                "due": self.force_due or bool(d.get("due"))}

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            if self.is_bound and not self.is_valid():
                self._qs = Contract.objects.none()
            else:
                self._qs = selectors.contract_list(user=self.user, **self.selector_kwargs())
        return self._qs

    def active(self) -> dict:
        return {k: str(v) for k, v in self.selector_kwargs().items() if v and k != "search"}
