import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import StrictFilterSet
from shequ.core.inputs import BoundedDateFilter, add_period_errors

from .choices import BookingStatus, FacilityLevel
from .models import Booking, Facility


class FacilityFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(label=_("名称或地址"), method="filter_q", max_length=64)
    level = django_filters.ChoiceFilter(label=_("层级"), choices=FacilityLevel.choices, empty_label=_("全部层级"))

    class Meta:
        model = Facility
        fields = ["q", "level"]

    def filter_q(self, qs, name, value):
        from django.db.models import Q

        return qs.filter(Q(name__icontains=value) | Q(address__icontains=value))


class BookingFilterForm(forms.Form):
    def clean(self):
        """The period rule of every list."""
        data = super().clean()
        add_period_errors(self, "date_from", "date_to")
        return data


class BookingFilterSet(StrictFilterSet):
    facility = django_filters.ModelChoiceFilter(label=_("设施"), field_name="room__facility",
                                                queryset=Facility.objects.none(), empty_label=_("全部设施"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=BookingStatus.choices, empty_label=_("全部状态"))
    date_from = BoundedDateFilter(label=_("开始日期"), field_name="start", lookup_expr="date__gte")
    date_to = BoundedDateFilter(label=_("结束日期"), field_name="start", lookup_expr="date__lte")

    class Meta:
        model = Booking
        fields = ["facility", "status", "date_from", "date_to"]
        form = BookingFilterForm

    def __init__(self, *args, facilities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if facilities is not None:
            self.filters["facility"].queryset = facilities
            self.form.fields["facility"].queryset = facilities
