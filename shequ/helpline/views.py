"""Pages of the 96980 line: the call log, a call with its routing and call-back, the volume charts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.acceptance import selectors as acceptance
from shequ.eldercare import selectors as eldercare
from shequ.core.web import paginate, query_without_page, render_page, require, service_call
from shequ.facilities import selectors as facilities
from shequ.grid import selectors as grid

from . import selectors, services
from .choices import ACTION_LABELS, OFFERED_OUTCOMES, Outcome
from .forms import (AnswerForm, BookingForm, CallbackForm, CallbackScheduleForm, CallFilterForm, CallForm,
                    ConsultationForm, DayCareForm, GridForm, MealOrderForm, PeriodForm, ResidentSearchForm)


@require("helpline.view")
def call_list(request):
    form = CallFilterForm(request.GET or None)
    qs = selectors.call_list(user=request.user)
    if form.is_bound and not form.is_valid():
        qs = qs.none()
    elif form.is_bound:
        qs = selectors.call_filter(qs, search=form.cleaned_data["q"], status=form.cleaned_data["status"],
                                   category=form.cleaned_data["category"], outcome=form.cleaned_data["outcome"])
    page = paginate(request, qs)
    return render_page(request, "helpline/call_list.html", {"form": form, "page": page,
                                                            "query": query_without_page(request)},
                       "helpline/_call_rows.html", status=400 if form.is_bound and not form.is_valid() else 200)


@require("helpline.operate")
def call_new(request):
    committees = list(selectors.committees(user=request.user))
    form = CallForm(request.POST or None, committees=committees)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            with service_call(request, form) as outcome:
                call = services.call_log(actor=request.user, caller_name=d["caller_name"],
                                         caller_phone=d["caller_phone"], need=d["need"], category=d["category"],
                                         committee=form.committees.get(d["committee"]), address=d["address"])
            if outcome.ok:
                messages.success(request, _("已登记来电 %(n)s。") % {"n": call.number})
                return redirect("helpline:call", pk=call.pk)
        return render(request, "helpline/call_new.html", {"form": form}, status=400)
    return render(request, "helpline/call_new.html", {"form": form})


def _meal_forms(request, call, make) -> dict:
    """The meal form's residents: the caller's household, plus those found by the `who` search (kept in the
    form as a hidden field, so a posted choice is checked against the same list)."""
    user = request.user
    if call.status != "open" or not user.can("eldercare.order"):
        return {}
    search = ResidentSearchForm(request.POST if request.method == "POST" else request.GET, prefix="meal")
    who = search.cleaned_data["who"] if search.is_valid() else ""
    candidates = services.meal_candidates(actor=user, call=call, search=who)
    enrolled = {}
    for resident in candidates:
        enrolment = eldercare.active_enrolment(resident=resident)
        if enrolment is not None:
            enrolled[resident.pk] = enrolment.canteen.facility.name
    return {"meal_form": make("meal", MealOrderForm, candidates=candidates, enrolled=enrolled),
            "meal_search": search, "meal_who": who}


def _forms(request, call, bound: str = "", data=None) -> dict:
    user = request.user
    def make(name, cls, **kw):
        return cls(data if bound == name else None, prefix=name, **kw)
    # The referral list is the 街道's directory (public details), not only the centres the operator runs.
    day_care = facilities.facility_directory(user=user, level=services.DAY_CARE_LEVELS)
    rooms = facilities.room_list(user=user).filter(bookable=True, facility__is_active=True) \
        if user.can("facilities.book") else []
    return {
        "booking_form": make("booking", BookingForm, rooms=rooms),
        **_meal_forms(request, call, make),
        "answer_form": make("answer", AnswerForm),
        "grid_form": make("grid", GridForm, categories=grid.categories()),
        "consult_form": make("consult", ConsultationForm, items=acceptance.catalogue_list()),
        "daycare_form": make("daycare", DayCareForm, facilities=day_care),
        "schedule_form": make("schedule", CallbackScheduleForm),
        "callback_form": make("callback", CallbackForm),
    }


def _meal_order(user, call):
    """The meal order the call placed, for whoever may order (and so cancel) for the caller: the seat cancels it
    on the call when the caller rings back before the canteen's cut-off."""
    if not call.meal_order_id or not user.can("eldercare.order"):
        return None
    return eldercare.order_list(user=user, include_cancelled=True).filter(pk=call.meal_order_id).first()


def _detail(request, call, forms=None, status: int = 200):
    user = request.user
    ctx = {"call": call, "events": selectors.call_history(call=call), "action_labels": ACTION_LABELS,
           "may_operate": user.can("helpline.operate"), "same_caller": selectors.same_caller(user=user, call=call),
           "offered": OFFERED_OUTCOMES, "not_offered": [o for o in Outcome if o not in OFFERED_OUTCOMES],
           "may_grid": user.can("grid.view"), "may_catalogue": user.can("acceptance.catalogue"),
           "materials": list(call.service_item.materials.all()) if call.service_item_id else [],
           "may_bookings": user.can("facilities.view"), "may_orders": user.can("eldercare.view"),
           "meal_order": _meal_order(user, call),
           **(forms or _forms(request, call))}
    return render(request, "helpline/call_detail.html", ctx, status=status)


@require("helpline.view")
def call_detail(request, pk):
    return _detail(request, selectors.call_get(user=request.user, pk=pk))


ACTIONS = {
    "answer": lambda u, c, d: services.call_answer(actor=u, call=c, reply=d["reply"]),
    "grid": lambda u, c, d: services.call_route_grid(actor=u, call=c, category=d["category"], lat=d["lat"],
                                                     lng=d["lng"], address=d["address"]),
    "consult": lambda u, c, d: services.call_route_consultation(actor=u, call=c, item_id=d["item"], reply=d["reply"]),
    "daycare": lambda u, c, d: services.call_route_day_care(actor=u, call=c, facility_id=d["facility"],
                                                           reply=d["reply"]),
    "booking": lambda u, c, d: services.call_route_booking(actor=u, call=c, room_id=d["room"], start=d["start"],
                                                           end=d["end"], purpose=d["purpose"],
                                                           attendees=d["attendees"]),
    "meal": lambda u, c, d: services.call_route_meal_order(actor=u, call=c, resident_id=d["resident"],
                                                           date=d["date"], meal=d["meal"], mode=d["mode"]),
    "schedule": lambda u, c, d: services.callback_schedule(actor=u, call=c, due=d["due"]),
    "callback": lambda u, c, d: services.callback_record(actor=u, call=c, reached=d["reached"], result=d["result"],
                                                         satisfaction=d["satisfaction"]),
    "close": lambda u, c, d: services.call_close(actor=u, call=c),
}


FORMS = {"answer": "answer_form", "grid": "grid_form", "consult": "consult_form", "daycare": "daycare_form",
         "booking": "booking_form", "meal": "meal_form", "schedule": "schedule_form", "callback": "callback_form"}


@require("helpline.operate")
@require_POST
def call_act(request, pk, action):
    call = selectors.call_get(user=request.user, pk=pk)
    if action not in ACTIONS:
        return _detail(request, call, status=404)
    forms = _forms(request, call, bound=action, data=request.POST)
    form = forms.get(FORMS.get(action, ""))
    if action in FORMS and form is None:  # a routing the operator's role does not offer (or the call is handled)
        messages.error(request, _("该来电不能这样办理。"))
        return _detail(request, call, forms, status=403)
    if form is None or form.is_valid():
        with service_call(request, form if form is not None else forms.Form()) as outcome:
            ACTIONS[action](request.user, call, form.cleaned_data if form is not None else {})
        if not outcome.ok:
            messages.error(request, outcome.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("helpline:call", pk=call.pk)
    return _detail(request, selectors.call_get(user=request.user, pk=pk), forms, status=400)


@require("helpline.operate")
@require_POST
def call_reveal(request, pk):
    call = selectors.call_get(user=request.user, pk=pk)
    phone = services.call_reveal_phone(actor=request.user, call=call)
    return render(request, "helpline/_phone.html", {"phone": phone})


@require("helpline.view")
def stats(request):
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "helpline/stats.html", {"form": form}, status=400)
    if not form.is_bound:
        import datetime as dt

        from django.utils import timezone

        end = timezone.localdate()
        form = PeriodForm({"start": (end - dt.timedelta(days=29)).isoformat(), "end": end.isoformat()})
        form.is_valid()
    d = form.cleaned_data
    categories, hours, figures = selectors.volume(user=request.user, start=d["start"], end=d["end"])
    charts = [{"id": "chart-category", "title": _("按类别"), "data": categories, "json": categories.as_json()},
              {"id": "chart-hour", "title": _("按时段"), "data": hours, "json": hours.as_json()}]
    return render(request, "helpline/stats.html", {"form": form, "charts": charts, "figures": figures,
                                                   "start": d["start"], "end": d["end"]})
