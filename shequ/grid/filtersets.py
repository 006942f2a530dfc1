"""The filter schemas of the 大联动 lists: one FilterSet per list, used by its HTML page, its export and the API. The
case list's report dates follow the project's one period rule (`shequ.core.inputs.period_errors`)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import NodeKind, Role
from shequ.core.errors import DomainError
from shequ.core.inputs import BoundedDateFilter, add_period_errors
from shequ.core.models import Department, Node
from shequ.core.scoping import scoped_nodes

from . import selectors
from .choices import CaseStatus, CategoryKind, Source, Urgency
from .models import Case

class CaseFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        add_period_errors(self, "date_from", "date_to")
        return data


# The field staff's first view of the list (我的 / 我的网格 / 今天); "all" is the explicit choice of everything.
MINE = [("mine", _("我的")), ("grids", _("我的网格")), ("today", _("今天")), ("all", _("全部"))]


class CaseFilterSet(django_filters.FilterSet):
    """The grid case list: the page (`/grid/cases/`), its Excel export and `GET /api/v1/grid/cases/`. The API's
    `search` is the page's `q`."""

    q = django_filters.CharFilter(label=_("搜索"), max_length=64, method="_delegate", widget=forms.TextInput(
        attrs={"placeholder": _("案件编号 / 工单号 / 地址 / 描述"), "type": "search"}))
    search = django_filters.CharFilter(label=_("搜索"), max_length=64, method="_delegate",
                                       widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(label=_("状态"), method="_delegate", empty_label=_("全部状态"), choices=[
        ("open", _("未办结")), ("closed", _("已办结"))] + list(CaseStatus.choices))
    light = django_filters.ChoiceFilter(label=_("时限"), method="_delegate", empty_label=_("全部时限"), choices=[
        ("red", _("红灯（已超期）")), ("yellow", _("黄灯（临期）")), ("green", _("绿灯"))])
    source = django_filters.ChoiceFilter(label=_("来源"), method="_delegate", empty_label=_("全部来源"),
                                         choices=Source.choices)
    kind = django_filters.ChoiceFilter(label=_("类别"), method="_delegate", empty_label=_("部件和事件"),
                                       choices=CategoryKind.choices)
    urgency = django_filters.ChoiceFilter(label=_("紧急程度"), method="_delegate", empty_label=_("全部紧急程度"),
                                          choices=Urgency.choices)
    committee = django_filters.ModelChoiceFilter(label=_("居委会"), method="_delegate", empty_label=_("全部居委会"),
                                                 queryset=Node.objects.none())
    unit = django_filters.ModelChoiceFilter(label=_("责任单位"), method="_delegate", empty_label=_("全部单位"),
                                            queryset=Department.objects.filter(is_active=True))
    mine = django_filters.ChoiceFilter(label=_("范围"), method="_delegate", empty_label=_("全部"), choices=MINE)
    date_from = BoundedDateFilter(label=_("上报起"), method="_delegate",
                                          widget=forms.DateInput(attrs={"type": "date"}))
    date_to = BoundedDateFilter(label=_("上报止"), method="_delegate",
                                        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Case
        fields: list[str] = []
        form = CaseFilterForm

    def __init__(self, data=None, *, user, patrol_default: bool = False, **kwargs):
        super().__init__(data, queryset=Case.objects.none(), **kwargs)
        self.user = user
        # The page (not the API) opens a patrol member's list on the cases they reported.
        self.patrol_default = patrol_default and getattr(user, "role", "") == Role.PATROL
        self.filters["committee"].queryset = scoped_nodes(user, NodeKind.COMMITTEE)

    def _delegate(self, queryset, name, value):
        return queryset  # the whole query is built by `selectors.case_list` (its order and indexes depend on it)

    def check(self) -> None:
        """Refuse invalid filters with the form's Chinese messages (an API 400, a page's form errors)."""
        if self.is_bound and not self.is_valid():
            errors = {field: [str(m) for m in messages] for field, messages in self.form.errors.items()}
            raise DomainError(_("查询条件无效：%(m)s") % {"m": next(iter(errors.values()))[0]}, errors)

    def selector_kwargs(self) -> dict:
        d = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"search": d.get("q") or d.get("search") or "", "status": d.get("status") or "",
                "light": d.get("light") or "", "source": d.get("source") or "", "kind": d.get("kind") or "",
                "urgency": d.get("urgency") or "", "committee_id": d["committee"].pk if d.get("committee") else None,
                "unit_id": d["unit"].pk if d.get("unit") else None, "date_from": d.get("date_from"),
                "date_to": d.get("date_to"), "mine": self.mine_value()}

    def mine_value(self) -> str:
        """The chosen 我的/我的网格/今天 chip; a patrol member's page starts on 我的 unless a chip was chosen."""
        d = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        value = d.get("mine") or ""
        if not value and self.patrol_default and not (self.data or {}).get("mine"):
            value = "mine"
        return "" if value == "all" else value

    @property
    def qs(self):
        """The scoped, filtered, ordered cases (`Case.objects.none()` when the filters are invalid)."""
        if not hasattr(self, "_qs"):
            if self.is_bound and not self.is_valid():
                self._qs = Case.objects.none()
            else:
                self._qs = selectors.case_list(user=self.user, **self.selector_kwargs())
        return self._qs

    def active(self) -> dict:
        """The filters given, for the audit row of an export."""
        return {k: str(v) for k, v in self.selector_kwargs().items() if v}
