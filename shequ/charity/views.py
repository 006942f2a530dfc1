"""Pages of the charity supermarket: stock, donations with their receipt, the distribution counter and the
monthly report. Views parse input, call one service and render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import Forbidden
from shequ.core.web import forbidden, paginate, query_without_page, require, service_call

from . import selectors, services
from .choices import DonationKind
from .forms import DistributionForm, DonationForm, GoodsForm, MonthForm, SearchForm, StockForm


def _ctx(request, supermarket, tab: str, **extra) -> dict:
    return {"s": supermarket, "tab": tab, "may_operate": selectors.may_operate(request.user, supermarket), **extra}


def _operator(request, supermarket) -> None:
    if not selectors.may_operate(request.user, supermarket):
        raise forbidden(request, Forbidden(_("只有本超市所属设施的运营人员可以办理。")))


@require("charity.view")
def index(request):
    markets = list(selectors.supermarket_list(user=request.user))
    if len(markets) == 1:
        return redirect("charity:stock", pk=markets[0].pk)
    return render(request, "charity/index.html", {"markets": markets})


@require("charity.view")
def stock(request, pk):
    s = selectors.supermarket_get(user=request.user, pk=pk)
    goods = list(selectors.goods_list(supermarket=s))
    status = 200
    goods_form, stock_form = GoodsForm(prefix="g"), StockForm(prefix="m", goods=goods)
    if request.method == "POST":
        _operator(request, s)
        if "g-name" in request.POST:
            goods_form = GoodsForm(request.POST, prefix="g")
            form, call = goods_form, lambda d: services.goods_create(actor=request.user, supermarket=s, **d)
        else:
            stock_form = StockForm(request.POST, prefix="m", goods=goods)
            form = stock_form

            def call(d):
                item = selectors.goods_get(supermarket=s, pk=d["goods"])
                return services.stock_adjust(actor=request.user, goods=item, kind=d["kind"],
                                             quantity=d["quantity"], note=d["note"])
        if form.is_valid():
            with service_call(request, form) as outcome:
                call(form.cleaned_data)
            if outcome.ok:
                messages.success(request, _("已保存。"))
                return redirect("charity:stock", pk=s.pk)
        status = 400
    return render(request, "charity/stock.html", _ctx(request, s, "stock", goods=goods, goods_form=goods_form,
                                                      stock_form=stock_form), status=status)


@require("charity.view")
def goods_detail(request, pk, goods_pk):
    s = selectors.supermarket_get(user=request.user, pk=pk)
    goods = selectors.goods_get(supermarket=s, pk=goods_pk)
    return render(request, "charity/goods.html", _ctx(request, s, "stock", goods=goods,
                                                      moves=selectors.goods_moves(goods=goods)))


@require("charity.view")
def donations(request, pk):
    s = selectors.supermarket_get(user=request.user, pk=pk)
    page = paginate(request, selectors.donation_list(supermarket=s))
    return render(request, "charity/donations.html", _ctx(request, s, "donations", page=page,
                                                          query=query_without_page(request)))


@require("charity.operate")
def donation_new(request, pk):
    s = selectors.supermarket_get(user=request.user, pk=pk)
    _operator(request, s)
    goods = list(selectors.goods_list(supermarket=s, active_only=True))
    form = DonationForm(request.POST or None, goods=goods)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            with service_call(request, form) as call:
                donation = services.donation_create(
                    actor=request.user, supermarket=s, kind=d["kind"], donor_kind=d["donor_kind"],
                    donor_name=d["donor_name"], donor_phone=d["donor_phone"],
                    amount=d["amount"] if d["kind"] == DonationKind.MONEY else None,
                    lines=form.lines() if d["kind"] == DonationKind.GOODS else (), received_on=d["received_on"],
                    note=d["note"])
            if call.ok:
                messages.success(request, _("已登记捐赠，收据编号 %(n)s。") % {"n": donation.number})
                return redirect("charity:donation", pk=s.pk, donation_pk=donation.pk)
        return render(request, "charity/donation_new.html", _ctx(request, s, "donations", form=form), status=400)
    return render(request, "charity/donation_new.html", _ctx(request, s, "donations", form=form))


@require("charity.view")
def donation_detail(request, pk, donation_pk):
    s = selectors.supermarket_get(user=request.user, pk=pk)
    donation = selectors.donation_get(supermarket=s, pk=donation_pk)
    return render(request, "charity/donation.html", _ctx(request, s, "donations", d=donation,
                                                         lines=selectors.donation_lines(donation=donation)))


@require("charity.view")
def donation_receipt(request, pk, donation_pk):
    s = selectors.supermarket_get(user=request.user, pk=pk)
    donation = selectors.donation_get(supermarket=s, pk=donation_pk)
    pdf = services.donation_receipt(actor=request.user, donation=donation)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{donation.pk}.pdf"'
    return response


@require("charity.operate")
def counter(request, pk):
    s = selectors.supermarket_get(user=request.user, pk=pk)
    _operator(request, s)
    form = SearchForm(request.GET or None)
    results = []
    if form.is_valid():
        results = selectors.household_search(user=request.user, search=form.cleaned_data["q"])
    return render(request, "charity/counter.html", _ctx(request, s, "counter", form=form, results=results,
                                                        searched=form.is_bound))


@require("charity.operate")
def counter_household(request, pk, household_pk):
    s = selectors.supermarket_get(user=request.user, pk=pk)
    _operator(request, s)
    status = selectors.household_allowance(user=request.user, household_id=household_pk)
    goods = [g for g in selectors.goods_list(supermarket=s, active_only=True) if g.quantity > 0]
    form = DistributionForm(request.POST or None, goods=goods, members=status.members)
    code = 200
    if request.method == "POST":
        if form.is_valid():
            with service_call(request, form) as call:
                services.distribution_create(actor=request.user, supermarket=s, household_id=status.household.pk,
                                             recipient_id=form.cleaned_data["recipient"], items=form.items())
            if call.ok:
                messages.success(request, _("已发放。"))
                return redirect("charity:counter-household", pk=s.pk, household_pk=status.household.pk)
        code = 400
    history = selectors.distribution_list(supermarket=s, household=status.household)[:12]
    return render(request, "charity/counter_household.html",
                  _ctx(request, s, "counter", a=status, form=form, history=history), status=code)


@require("charity.view")
def report(request, pk):
    s = selectors.supermarket_get(user=request.user, pk=pk)
    form = MonthForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "charity/report.html", _ctx(request, s, "report", form=form, r=None), status=400)
    month = form.cleaned_data["month"] if form.is_bound else timezone.localdate()
    data = selectors.month_report(supermarket=s, month=month)
    return render(request, "charity/report.html", _ctx(request, s, "report", form=form, r=data))
