"""The base of every list's filter schema (django-filter). One FilterSet per list serves the HTML page (its form),
the export and the API (`DjangoFilterBackend`). Invalid input never widens a list: django-filter would drop the
invalid field and filter on the rest, so here an invalid bound FilterSet yields no rows, the page shows the form's
Chinese errors and the API answers 400 with the field messages."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .models import User


class StrictFilterSet(django_filters.FilterSet):
    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs

    def cleaned(self) -> dict:
        """The non-empty filter values, for an audit row (what an export was filtered by)."""
        if not (self.is_bound and self.is_valid()):
            return {}
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "", [])}


class UserFilterSet(StrictFilterSet):
    """The account list of the security administrator: account or name, and role."""

    q = django_filters.CharFilter(label=_("账号或姓名"), method="filter_q", max_length=64, strip=True)
    role = django_filters.ChoiceFilter(label=_("角色"), choices=Role.choices, empty_label=_("全部角色"))

    class Meta:
        model = User
        fields = ["q", "role"]

    def filter_q(self, qs, name, value):
        return qs.filter(Q(username__icontains=value) | Q(full_name__icontains=value))
