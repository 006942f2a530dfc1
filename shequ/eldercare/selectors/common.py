"""Who sees what. A facility operator sees the records of the facilities he runs (`operated_facility_ids`); every
other staff member sees the residents of his jurisdiction (a committee worker his committee, the 街道 all of it);
a resident sees himself and the household members he may act for. Anything else is 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from shequ.core.choices import NodeKind, Role
from shequ.core.scoping import filter_by_scope, in_scope
from shequ.facilities.selectors import operated_facility_ids
from shequ.people.selectors import resident_get
from shequ.portal.selectors import actable_residents
from shequ.portal.services import account_for


def is_operator(user) -> bool:
    return getattr(user, "role", None) == Role.FACILITY_OPERATOR


def scoped(qs: QuerySet, user, *, resident: str = "resident", facility: str = "canteen__facility") -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_operator(user):
        return qs.filter(**{f"{facility}_id__in": operated_facility_ids(user)})
    if user.role == Role.RESIDENT:
        return qs.none()
    return filter_by_scope(qs, user, f"{resident}__committee", NodeKind.COMMITTEE)


def get_or_404(qs: QuerySet, pk):
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def resident_in_scope(*, user, resident) -> bool:
    return in_scope(user, resident.committee)


def resident_for_staff(*, user, pk):
    """A resident of the registry inside the user's jurisdiction, or Http404."""
    return resident_get(user=user, pk=pk)


def residents_of_account(*, user) -> list:
    """A resident login's own record and the household members it may act for (portal rules)."""
    account = account_for(user)
    return ([account.resident] if account.resident_id else []) + actable_residents(account=account)


def resident_for_order(*, user, pk):
    """The resident someone may order for, or None (unknown and out of reach look the same)."""
    if getattr(user, "role", None) == Role.RESIDENT:
        try:
            rid = int(pk)
        except (TypeError, ValueError):
            return None
        return next((r for r in residents_of_account(user=user) if r.pk == rid), None)
    try:
        return resident_get(user=user, pk=pk)
    except Http404:
        return None
