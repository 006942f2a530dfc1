"""Writes of the charity supermarket: each action one `<entity>_<action>` function, atomic and audited.

Stock only changes through `StockMove` rows written here, under the goods row's lock, and never below zero (the
column also carries a CHECK). A distribution locks the household's month counter (`HouseholdQuota`) before it
reads the points used, so two clerks serving one household at once are served in turn and the second sees the
first's points."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import idcard
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import ConflictError, DomainError, Forbidden

from . import selectors
from .choices import MOVES_IN, DonationKind, DonorKind, MoveKind
from .models import (Distribution, DistributionLine, Donation, DonationLine, Goods, HouseholdQuota,
                     ReceiptCounter, StockMove, Supermarket)

MAX_QUANTITY = 100000
MAX_AMOUNT = Decimal("100000000.00")


def _require_operator(actor, supermarket: Supermarket) -> None:
    if not selectors.may_operate(actor, supermarket):
        raise Forbidden(_("只有本超市所属设施的运营人员可以办理。"))


def _quantity(value, field: str, errors: dict, *, allow_zero: bool = False) -> int:
    text = str(value if value is not None else "").strip()
    if not text and allow_zero:
        return 0
    if not (text.isascii() and text.isdigit()):
        errors[field] = [_("请填写正整数数量。")]
        return 0
    number = int(text)
    if number > MAX_QUANTITY:
        errors[field] = [_("数量不能超过%(n)s。") % {"n": MAX_QUANTITY}]
        return 0
    if number == 0 and not allow_zero:
        errors[field] = [_("数量须大于0。")]
    return number


def _text(value, limit: int, field: str, label: str, errors: dict, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[field] = [_("请填写%(l)s。") % {"l": label}]
    elif len(text) > limit:
        errors[field] = [_("%(l)s不能超过%(n)s个字符。") % {"l": label, "n": limit}]
    return text


def _move(goods: Goods, *, kind: str, quantity: int, actor, note: str = "", donation=None,
          distribution=None) -> StockMove:
    """One stock change of a goods row the caller has locked."""
    if kind in MOVES_IN:
        goods.quantity += quantity
    else:
        if quantity > goods.quantity:
            raise ConflictError(_("“%(g)s”库存不足：现有%(n)s%(u)s。") % {"g": goods.name, "n": goods.quantity,
                                                                     "u": goods.unit},
                                {"quantity": [_("库存不足。")]})
        goods.quantity -= quantity
    goods.save(update_fields=["quantity"])
    return StockMove.objects.create(goods=goods, kind=kind, quantity=quantity, balance=goods.quantity,
                                    donation=donation, distribution=distribution, note=note, actor=actor)


def _locked_goods(supermarket: Supermarket, ids) -> dict[int, Goods]:
    # Always in id order, so two transactions taking several goods rows cannot deadlock.
    rows = Goods.objects.select_for_update().filter(supermarket=supermarket, pk__in=list(ids)).order_by("pk")
    return {g.pk: g for g in rows}


@transaction.atomic
def supermarket_open(*, actor, facility) -> Supermarket:
    """开设: a supermarket on a facility the actor can see (idempotent)."""
    supermarket, created = Supermarket.objects.get_or_create(facility=facility)
    if created:
        audit_record(actor=actor, action=AuditAction.CREATE, obj=supermarket, detail={"facility": facility.pk})
    return supermarket


@transaction.atomic
def goods_create(*, actor, supermarket: Supermarket, name: str, unit: str, points) -> Goods:
    _require_operator(actor, supermarket)
    errors: dict = {}
    name = _text(name, 32, "name", _("物品名称"), errors, required=True)
    unit = _text(unit, 8, "unit", _("单位"), errors, required=True)
    cost = _quantity(points, "points", errors)
    if errors:
        raise DomainError(_("物品信息有误。"), errors)
    if supermarket.goods.filter(name=name).exists():
        raise ConflictError(_("已有同名物品“%(n)s”。") % {"n": name}, {"name": [_("已有同名物品。")]})
    goods = Goods.objects.create(supermarket=supermarket, name=name, unit=unit, points=cost)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=goods, detail={"unit": unit, "points": cost})
    return goods


@transaction.atomic
def stock_adjust(*, actor, goods: Goods, kind: str, quantity, note: str = "") -> StockMove:
    """采购入库 or 报损出库 (donations and distributions move stock through their own services)."""
    _require_operator(actor, goods.supermarket)
    errors: dict = {}
    if kind not in (MoveKind.PURCHASE, MoveKind.LOSS):
        errors["kind"] = [_("请选择入库或报损。")]
    number = _quantity(quantity, "quantity", errors)
    note = _text(note, 200, "note", _("说明"), errors, required=kind == MoveKind.LOSS)
    if errors:
        raise DomainError(_("出入库信息有误。"), errors)
    locked = Goods.objects.select_for_update().get(pk=goods.pk)
    move = _move(locked, kind=kind, quantity=number, actor=actor, note=note)
    goods.quantity = locked.quantity
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked,
                 detail={"op": kind, "quantity": number, "balance": locked.quantity})
    return move


def _receipt_number(supermarket: Supermarket, year: int) -> str:
    counter, _created = ReceiptCounter.objects.get_or_create(supermarket=supermarket, year=year)
    counter = ReceiptCounter.objects.select_for_update().get(pk=counter.pk)
    counter.value += 1
    counter.save(update_fields=["value"])
    return f"{supermarket.receipt_prefix}〔{year}〕第{supermarket.pk:02d}{counter.value:04d}号"


def _amount(value, errors: dict) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors["amount"] = [_("请填写金额（元），最多两位小数。")]
        return None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount.as_tuple().exponent < -2:
        errors["amount"] = [_("金额须大于0、最多两位小数。")]
        return None
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def donation_create(*, actor, supermarket: Supermarket, kind: str, donor_kind: str, donor_name: str,
                    donor_phone: str = "", amount=None, lines=(), received_on: dt.date | None = None,
                    note: str = "") -> Donation:
    """登记捐赠: goods (each line a goods item and a quantity, taken into stock) or money; a numbered receipt."""
    _require_operator(actor, supermarket)
    errors: dict = {}
    if kind not in DonationKind.values:
        errors["kind"] = [_("请选择捐赠物资或善款。")]
    if donor_kind not in DonorKind.values:
        errors["donor_kind"] = [_("请选择个人或单位。")]
    donor_name = _text(donor_name, 64, "donor_name", _("捐赠人/单位"), errors, required=True)
    note = _text(note, 200, "note", _("备注"), errors)
    phone = ""
    if (donor_phone or "").strip():
        try:
            phone = idcard.normalize_phone(donor_phone)
        except ValueError as exc:
            errors["donor_phone"] = [str(exc)]
    today = timezone.localdate()
    received_on = received_on or today
    if not isinstance(received_on, dt.date) or received_on > today or received_on < today - dt.timedelta(days=366):
        errors["received_on"] = [_("捐赠日期须在一年内且不晚于今天。")]
    money = None
    wanted: dict[int, int] = {}
    if kind == DonationKind.MONEY:
        money = _amount(amount, errors)
    elif kind == DonationKind.GOODS:
        for goods_id, quantity in lines:
            if quantity:
                wanted[int(goods_id)] = wanted.get(int(goods_id), 0) + int(quantity)
        if not wanted:
            errors["lines"] = [_("请至少填写一种捐赠物品的数量。")]
        elif any(q <= 0 or q > MAX_QUANTITY for q in wanted.values()):
            errors["lines"] = [_("数量须为1至%(n)s的整数。") % {"n": MAX_QUANTITY}]
    if errors:
        raise DomainError(_("捐赠信息有误，未登记。"), errors)
    goods = _locked_goods(supermarket, wanted) if wanted else {}
    if len(goods) != len(wanted):
        raise DomainError(_("物品不属于本超市。"), {"lines": [_("物品不属于本超市。")]})
    donation = Donation.objects.create(
        supermarket=supermarket, number=_receipt_number(supermarket, received_on.year), kind=kind,
        donor_kind=donor_kind, donor_name=donor_name, donor_phone=phone,
        donor_phone_masked=idcard.mask_phone(phone), amount=money, received_on=received_on, note=note,
        received_by=actor)
    for goods_id, quantity in sorted(wanted.items()):
        DonationLine.objects.create(donation=donation, goods=goods[goods_id], quantity=quantity)
        _move(goods[goods_id], kind=MoveKind.DONATION, quantity=quantity, actor=actor, donation=donation,
              note=donation.number)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=donation,
                 detail={"kind": kind, "donor_kind": donor_kind, "amount": str(money) if money else None,
                         "lines": {str(k): v for k, v in wanted.items()}})
    return donation


def _quota_row(household) -> HouseholdQuota:
    """The household's counter for this month, locked. Created on first use; when two clerks create it at once
    the unique constraint makes the second wait, fail inside its savepoint, and then lock the first's row."""
    period = selectors.period_of(timezone.localdate())
    if not HouseholdQuota.objects.filter(household=household, period=period).exists():
        try:
            with transaction.atomic():
                HouseholdQuota.objects.create(household=household, period=period)
        except IntegrityError:
            pass
    return HouseholdQuota.objects.select_for_update().get(household=household, period=period)


@transaction.atomic
def distribution_create(*, actor, supermarket: Supermarket, household_id, recipient_id, items: dict) -> Distribution:
    """发放: hand goods to an eligible household within this month's allowance (points) and the stock."""
    _require_operator(actor, supermarket)
    errors: dict = {}
    wanted: dict[int, int] = {}
    for goods_id, quantity in (items or {}).items():
        number = _quantity(quantity, f"q_{goods_id}", errors, allow_zero=True)
        if number:
            wanted[int(goods_id)] = number
    if not wanted and not errors:
        errors["items"] = [_("请至少选择一种物品并填写数量。")]
    if errors:
        raise DomainError(_("发放数量有误，未发放。"), errors)
    try:
        status = selectors.household_allowance(user=actor, household_id=household_id)
    except Http404:
        raise DomainError(_("找不到该户，或不在您的辖区内。"), {"household": [_("找不到该户。")]}) from None
    household = status.household
    recipient = next((m for m in status.members if str(m.pk) == str(recipient_id)), None)
    if recipient is None:
        raise DomainError(_("领取人须为本户在册成员。"), {"recipient": [_("请选择本户成员。")]})
    if not status.eligible:
        raise DomainError(_("该户没有符合条件的救助类别（低保、特困、残疾等），不能领取。"),
                          {"household": [_("不符合领取条件。")]})
    quota = _quota_row(household)
    goods = _locked_goods(supermarket, wanted)
    if len(goods) != len(wanted) or any(not g.is_active for g in goods.values()):
        raise DomainError(_("物品不属于本超市或已下架。"), {"items": [_("物品无效。")]})
    cost = sum(goods[g].points * q for g, q in wanted.items())
    remaining = status.points - quota.used_points
    if cost > remaining:
        raise ConflictError(
            _("超出本月额度：本次需%(c)s积分，本户本月额度%(a)s积分，已用%(u)s，剩余%(r)s。")
            % {"c": cost, "a": status.points, "u": quota.used_points, "r": max(remaining, 0)},
            {"items": [_("超出本月额度。")]})
    distribution = Distribution.objects.create(
        supermarket=supermarket, household=household, recipient=recipient, period=quota.period, points=cost,
        groups="、".join(status.groups)[:64], handed_by=actor)
    for goods_id, quantity in sorted(wanted.items()):
        item = goods[goods_id]
        DistributionLine.objects.create(distribution=distribution, goods=item, quantity=quantity,
                                        points=item.points * quantity)
        _move(item, kind=MoveKind.DISTRIBUTION, quantity=quantity, actor=actor, distribution=distribution,
              note=household.number)
    quota.used_points += cost
    quota.save(update_fields=["used_points"])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=distribution,
                 detail={"household": household.number, "points": cost, "used": quota.used_points,
                         "allowance": status.points, "lines": {str(k): v for k, v in wanted.items()}})
    return distribution


def donation_receipt(*, actor, donation: Donation) -> bytes:
    """捐赠收据 as a PDF; printing is audited (the receipt carries the donor's name)."""
    from .pdf import render_receipt

    pdf = render_receipt(donation=donation, lines=selectors.donation_lines(donation=donation), printed_by=actor)
    audit_record(actor=actor, action=AuditAction.PRINT,
                 obj=donation, detail={"document": "receipt"})
    return pdf
