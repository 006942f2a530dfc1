"""Reads of 全市通办 transfers: a transfer and its batch exist for the staff of the sending centre and of the home
centre (both sides work on it), for nobody else (404)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404

from shequ.core.choices import NodeKind
from shequ.core.scoping import scope_node_ids

from ..choices import TransferStatus
from ..models import Transfer, TransferBatch

ACTIVE = (TransferStatus.PENDING, TransferStatus.SENT, TransferStatus.RECEIVED, TransferStatus.REVIEWED)


def _sides(user) -> Q:
    centres = scope_node_ids(user, NodeKind.SUBDISTRICT)
    return Q(node_id__in=centres) | Q(home_node_id__in=centres)


def transfer_list(*, user) -> QuerySet:
    if not user.can("acceptance.transfer"):
        return Transfer.objects.none()
    return (Transfer.objects.filter(_sides(user))
            .select_related("case", "case__item", "node", "home_node", "batch").order_by("-created_at", "-id"))


def transfer_get(*, user, pk) -> Transfer:
    try:
        return transfer_list(user=user).get(pk=int(pk))
    except (Transfer.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def transfer_of_case(*, user, case) -> Transfer | None:
    """The transfer of a case the user already sees (the case page), if the user may see transfers."""
    return transfer_list(user=user).filter(case_id=case.pk).first()


def transfers_to_send(*, user) -> QuerySet:
    """The sending centre's transfers waiting for the paper to go, by home centre (what a batch is made of)."""
    if not user.can("acceptance.transfer"):
        return Transfer.objects.none()
    return (Transfer.objects.filter(node_id__in=scope_node_ids(user, NodeKind.SUBDISTRICT),
                                    status=TransferStatus.PENDING)
            .select_related("case", "case__item", "node", "home_node").order_by("home_name", "created_at", "id"))


def batch_list(*, user) -> QuerySet:
    if not user.can("acceptance.transfer"):
        return TransferBatch.objects.none()
    return TransferBatch.objects.filter(_sides(user)).select_related("node", "home_node", "created_by")


def batch_get(*, user, pk) -> TransferBatch:
    try:
        return batch_list(user=user).get(pk=int(pk))
    except (TransferBatch.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def batch_transfers(*, batch: TransferBatch) -> list[Transfer]:
    return list(batch.transfers.select_related("case", "case__item", "home_node").order_by("case__number"))


def transfer_filter_status(qs: QuerySet, value: str) -> QuerySet:
    if value == "active":
        return qs.filter(status__in=ACTIVE)
    return qs.filter(status=value) if value else qs


def transfer_filter_home(qs: QuerySet, value: str) -> QuerySet:
    """A home centre: a 街道 of the system by id, or `outside` for the centres of other districts."""
    if value == "outside":
        return qs.filter(home_node__isnull=True)
    return qs.filter(home_node_id=int(value)) if value else qs


def transfer_filter_direction(qs: QuerySet, user, value: str) -> QuerySet:
    centres = scope_node_ids(user, NodeKind.SUBDISTRICT)
    if value == "out":
        return qs.filter(node_id__in=centres)
    if value == "in":
        return qs.filter(home_node_id__in=centres)
    return qs


def transfer_filter_created(qs: QuerySet, start: dt.date | None, end: dt.date | None) -> QuerySet:
    if start:
        qs = qs.filter(created_at__date__gte=start)
    if end:
        qs = qs.filter(created_at__date__lte=end)
    return qs


def count_transfers_waiting(user) -> int:
    """Transfers waiting for this user's side: paper to send here, or a step of the home centre."""
    if not user.can("acceptance.transfer"):
        return 0
    centres = scope_node_ids(user, NodeKind.SUBDISTRICT)
    return Transfer.objects.filter(
        Q(node_id__in=centres, status=TransferStatus.PENDING)
        | Q(home_node_id__in=centres, status__in=(TransferStatus.SENT, TransferStatus.RECEIVED,
                                                  TransferStatus.REVIEWED))
        | Q(node_id__in=centres, home_node__isnull=True,
            status__in=(TransferStatus.SENT, TransferStatus.RECEIVED, TransferStatus.REVIEWED))).count()
