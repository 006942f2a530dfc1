"""The residents list's one filter schema: the HTML list (`?q=`), its export and the API (`?search=`)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import NodeKind
from shequ.core.filtersets import StrictFilterSet
from shequ.core.models import Node
from shequ.core.scoping import scoped_nodes

from . import selectors
from .choices import AGE_TAGS, HukouType
from .models import Resident, Tag


def _committees(request):
    return scoped_nodes(request.user, NodeKind.COMMITTEE) if request is not None else Node.objects.none()


def _tag_choices():
    return [(k, k) for k in AGE_TAGS] + [(t.code, t.name) for t in Tag.objects.order_by("code")]


class ResidentFilterSet(StrictFilterSet):
    committee = django_filters.ModelChoiceFilter(label=_("居委会"), queryset=_committees, to_field_name="code",
                                                 empty_label=_("全部居委会"), help_text=_("居委会代码"))
    tag = django_filters.ChoiceFilter(label=_("标签"), choices=_tag_choices, empty_label=_("全部标签"),
                                      method="filter_tag", help_text=_("标签代码，或 60+ / 80+"))
    hukou_type = django_filters.ChoiceFilter(label=_("户籍类型"), choices=HukouType.choices,
                                             empty_label=_("全部户籍类型"))
    # Last, so a name search (which first asks whether any name starts so) runs on the already narrowed rows.
    q = django_filters.CharFilter(label=_("搜索"), max_length=64, method="filter_search",
                                  help_text=_("姓名、拼音首字母、完整身份证号或手机号"),
                                  widget=forms.TextInput(attrs={"placeholder": _("姓名 / 拼音首字母 / 完整身份证号 / 手机号"),
                                                                "autocomplete": "off", "type": "search"}))

    class Meta:
        model = Resident
        fields: list[str] = []

    def filter_tag(self, queryset, name, value: str):
        return selectors.resident_filter_tag(queryset, value)

    def filter_search(self, queryset, name, value: str):
        return selectors.resident_filter_search(queryset, value)

    search_param = "q"

    def search_text(self) -> str:
        """The validated search string ("" when none or when the filters are invalid)."""
        return (self.form.cleaned_data.get(self.search_param) or "").strip() if self.is_valid() else ""


class ResidentAPIFilterSet(ResidentFilterSet):
    """The same schema under the API's published parameter name `search`."""

    q = None
    search_param = "search"
    search = django_filters.CharFilter(label=_("搜索"), max_length=64, method="filter_search",
                                       help_text=_("姓名、拼音首字母、完整身份证号或手机号"))
