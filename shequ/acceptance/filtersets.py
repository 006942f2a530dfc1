"""One filter schema per list: the case list (办件查询, `GET /api/v1/acceptance/cases/`), the department's
back-office queue (部门审核) and the service catalogue (事项目录, its Excel export and `GET /api/v1/acceptance/items/`, where the search is `?search=`)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import StrictFilterSet
from shequ.core.inputs import BoundedDateFilter, add_period_errors
from shequ.core.choices import NodeKind
from shequ.core.models import Department, Node

from . import selectors
from .choices import ArchiveLogAction, CaseStatus, TransferStatus
from .models import ArchiveAccessLog, Case, QueueCategory, ServiceItem, Transfer

LIGHTS = [("soon", _("临近到期（黄/红灯）")), ("overdue", _("已超期")), ("rongque_late", _("容缺逾期未补"))]


def _statuses():
    return [("open", _("未办结（在办）")), *CaseStatus.choices]


def _date(label):
    return BoundedDateFilter(label=label, method="filter_received", input_formats=["%Y-%m-%d"],
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                     help_text="YYYY-MM-DD")


class CaseFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), max_length=32, method="filter_search", help_text=_("编号或姓名"),
                                  widget=forms.TextInput(attrs={"placeholder": _("办件编号 / 申请人姓名"),
                                                                "type": "search", "autocomplete": "off"}))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=_statuses, empty_label=_("全部状态"),
                                         method="filter_status")
    light = django_filters.ChoiceFilter(label=_("时限"), choices=LIGHTS, empty_label=_("全部时限"),
                                        method="filter_light", help_text="soon / overdue / rongque_late")
    department = django_filters.ModelChoiceFilter(
        label=_("审批部门"), queryset=Department.objects.filter(service_items__isnull=False).distinct(),
        to_field_name="code", empty_label=_("全部部门"), help_text=_("部门代码"))
    date_from = _date(_("收件起"))
    date_to = _date(_("收件止"))

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_search(self, queryset, name, value: str):
        return selectors.case_filter_search(queryset, value)

    def filter_status(self, queryset, name, value: str):
        return selectors.case_filter_status(queryset, value)

    def filter_light(self, queryset, name, value: str):
        return selectors.case_filter_light(queryset, value)

    def filter_received(self, queryset, name, value):
        bounds = {"date_from": (value, None), "date_to": (None, value)}[name]
        return selectors.case_filter_received(queryset, *bounds)


def _backoffice_statuses():
    return [(key, label) for key, label, _statuses in selectors.BACKOFFICE_BUCKETS]


class BackofficeFilterSet(CaseFilterSet):
    """The department's queue (部门审核): the case filters narrowed to the cases in the department's hands, with
    the item among the department's own and a search that also matches the item's name or code. An empty status
    means the cases waiting for review (待签收 and 审核中)."""

    q = django_filters.CharFilter(label=_("搜索"), max_length=32, method="filter_search",
                                  help_text=_("办件编号、申请人姓名或事项"),
                                  widget=forms.TextInput(attrs={"placeholder": _("办件编号 / 申请人 / 事项"),
                                                                "type": "search", "autocomplete": "off"}))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=_backoffice_statuses, empty_label=_("待审核"),
                                         method="filter_status")
    item = django_filters.ModelChoiceFilter(label=_("事项"), queryset=ServiceItem.objects.none(),
                                            empty_label=_("全部事项"))
    department = None
    date_from = None
    date_to = None

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        department_id = getattr(getattr(request, "user", None), "department_id", None)
        self.filters["item"].queryset = (ServiceItem.objects.filter(department_id=department_id).order_by("code")
                                         if department_id else ServiceItem.objects.none())

    @property
    def qs(self):
        qs = super().qs
        if not (self.is_bound and self.is_valid() and self.form.cleaned_data.get("status")):
            qs = selectors.case_filter_backoffice_bucket(qs, "")
        return qs

    def filter_search(self, queryset, name, value: str):
        return selectors.backoffice_filter_search(queryset, value)

    def filter_status(self, queryset, name, value: str):
        return selectors.case_filter_backoffice_bucket(queryset, value)


class CatalogueFilterSet(StrictFilterSet):
    department = django_filters.ModelChoiceFilter(
        label=_("部门"), queryset=Department.objects.filter(service_items__isnull=False).distinct(),
        to_field_name="code", empty_label=_("全部部门"), help_text=_("部门代码"))
    queue_category = django_filters.ModelChoiceFilter(label=_("取号类别"), queryset=QueueCategory.objects.all(),
                                                      to_field_name="letter", empty_label=_("全部类别"),
                                                      help_text=_("取号类别字母"))
    q = django_filters.CharFilter(label=_("搜索"), max_length=50, method="filter_search",
                                  widget=forms.TextInput(attrs={"placeholder": _("事项名称或编码"), "type": "search"}))

    class Meta:
        model = ServiceItem
        fields: list[str] = []

    def filter_search(self, queryset, name, value: str):
        return selectors.catalogue_filter_search(queryset, value)


class CatalogueAPIFilterSet(CatalogueFilterSet):
    """The same schema under the API's published parameter name `search`."""

    q = None
    search = django_filters.CharFilter(label=_("搜索"), max_length=50, method="filter_search",
                                       help_text=_("事项名称或编码"))


class ArchiveLogFilterSet(StrictFilterSet):
    """The auditor's archive access log (查档日志): account, request number, action. Values too long or with
    control characters are refused with the form's error, never cut or sent to the database."""

    username = django_filters.CharFilter(label=_("账号"), field_name="username", max_length=150, strip=True)
    number = django_filters.CharFilter(label=_("查档编号"), method="filter_number", max_length=20, strip=True)
    action = django_filters.ChoiceFilter(label=_("操作"), choices=ArchiveLogAction.choices, empty_label=_("全部"))

    class Meta:
        model = ArchiveAccessLog
        fields = ["username", "number", "action"]

    def filter_number(self, qs, name, value):
        return qs.filter(request_number=value.upper())


# --- 全市通办 transfers ------------------------------------------------------------------------------------------

def _transfer_statuses():
    return [("active", _("在途（未回传）")), *TransferStatus.choices]


def _home_choices():
    nodes = Node.objects.filter(kind=NodeKind.SUBDISTRICT, is_active=True).order_by("path")
    return [(str(n.pk), n.name) for n in nodes] + [("outside", _("外区中心"))]


class TransferFilterForm(forms.Form):
    def clean(self):
        """The project's one period rule: end not before start, at most two years; refused."""
        data = super().clean()
        add_period_errors(self, "date_from", "date_to")
        return data


def _transfer_date(label):
    return BoundedDateFilter(label=label, method="filter_created", input_formats=["%Y-%m-%d"],
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), help_text="YYYY-MM-DD")


class TransferFilterSet(StrictFilterSet):
    """The transfer list (通办转递, `GET /api/v1/acceptance/transfers/`): status, direction, home centre and the
    date the transfer was opened."""

    status = django_filters.ChoiceFilter(label=_("状态"), choices=_transfer_statuses, empty_label=_("全部状态"),
                                         method="filter_status")
    direction = django_filters.ChoiceFilter(label=_("方向"), choices=[("out", _("本中心转出")), ("in", _("转入本中心"))],
                                            empty_label=_("转出和转入"), method="filter_direction")
    home = django_filters.ChoiceFilter(label=_("户籍地/居住地中心"), choices=_home_choices, empty_label=_("全部中心"),
                                       method="filter_home", help_text=_("街道 id，或 outside（外区中心）"))
    date_from = _transfer_date(_("转出起"))
    date_to = _transfer_date(_("转出止"))

    class Meta:
        model = Transfer
        fields: list[str] = []
        form = TransferFilterForm

    def filter_status(self, queryset, name, value):
        return selectors.transfer_filter_status(queryset, value)

    def filter_direction(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return selectors.transfer_filter_direction(queryset, user, value) if user else queryset

    def filter_home(self, queryset, name, value: str):
        return selectors.transfer_filter_home(queryset, value)

    def filter_created(self, queryset, name, value):
        bounds = {"date_from": (value, None), "date_to": (None, value)}[name]
        return selectors.transfer_filter_created(queryset, *bounds)
