"""Pages of events and festivals: the calendar list (by series and festival), an event's page (registrations,
wait-list, check-in, photos), a new event, and visiting delegations. Views parse input, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import DomainError, Forbidden
from shequ.core.inputs import query_int
from shequ.core.scoping import scoped_nodes
from shequ.core.web import forbidden, paginate, query_without_page, render_page, require, service_call
from shequ.facilities import selectors as facilities

from . import selectors, services
from .choices import RegistrationStatus
from .forms import DelegationForm, EventForm, FestivalForm, PartnerUnitForm, PhotoForm, SeriesForm, WalkInForm
from .workflows import REGISTRATION


@require("events.view")
def event_list(request):
    qs = selectors.event_list(user=request.user)
    series_id, festival_id = query_int(request.GET.get("series")), query_int(request.GET.get("festival"))
    if series_id:
        qs = qs.filter(series_id=series_id)
    if festival_id:
        qs = qs.filter(festival_id=festival_id)
    page = paginate(request, qs)
    rows = [(e, selectors.counts(e)) for e in page.object_list]
    return render_page(request, "events/event_list.html", {
        "page": page, "rows": rows, "query": query_without_page(request),
        "series": selectors.series_list(user=request.user), "festivals": selectors.festival_list(user=request.user),
        "series_id": series_id, "festival_id": festival_id,
        "can_manage": request.user.can("events.manage")})


@require("events.view")
def event_detail(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    manage = selectors.event_manageable(user=request.user, event=event)
    registrations = list(selectors.registration_list(user=request.user, event=event))
    actions = {r.pk: REGISTRATION.available(request.user, r) for r in registrations}
    return render_page(request, "events/event_detail.html", {
        "event": event, "counts": selectors.counts(event), "manage": manage,
        "registrations": [(r, actions[r.pk]) for r in registrations if r.status != RegistrationStatus.CANCELLED],
        "photos": selectors.photos(event), "walk_in": WalkInForm(), "photo_form": PhotoForm(),
        "partners": event.partners.all()})


@require("events.manage")
def event_new(request):
    nodes = scoped_nodes(request.user)
    kwargs = {"nodes": nodes, "partners": selectors.partner_units(),
              "series": selectors.series_list(user=request.user),
              "festivals": selectors.festival_list(user=request.user),
              "rooms": facilities.room_list(user=request.user).filter(bookable=True)}
    form = EventForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(request, form) as call:
            event = services.event_create(actor=request.user, title=d["title"], node=d["node"],
                                          organiser=d["organiser"], start=d["start"], end=d["end"],
                                          capacity=d["capacity"], venue=d["venue"], room=d["room"],
                                          partners=d["partners"], series=d["series"], festival=d["festival"],
                                          description=d["description"], waitlist_limit=d["waitlist_limit"])
        if call.ok:
            messages.success(request, _("活动已创建。"))
            return redirect("events:detail", pk=event.pk)
    return render_page(request, "form_page.html", {"form": form, "title": _("新建活动"), "back": "/events/"})


def _back(event):
    return redirect("events:detail", pk=event.pk)


@require_POST
@require("events.register")
def event_register(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写报名人姓名，电话应为数字。"))
        return _back(event)
    try:
        reg = services.registration_create(actor=request.user, event=event, **form.cleaned_data)
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if reg.status == RegistrationStatus.WAITLISTED:
            messages.warning(request, _("名额已满，%(n)s已进入候补。") % {"n": reg.name})
        else:
            messages.success(request, _("%(n)s报名成功。") % {"n": reg.name})
    return _back(event)


@require_POST
@require("events.register")
def registration_act(request, pk, action):
    registration = selectors.registration_get(user=request.user, pk=pk)
    try:
        REGISTRATION.perform(request.user, registration, action)
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已办理：%(a)s") % {"a": REGISTRATION.action(action).label})
    return _back(registration.event)


@require_POST
@require("events.manage")
def photo_add(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    try:
        services.event_photo_add(actor=request.user, event=event, uploads=request.FILES.getlist("photos"),
                                 caption=request.POST.get("caption", ""))
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("照片已上传。"))
    return _back(event)


@require("events.view")
def photo(request, pk):
    row = selectors.photo_get(user=request.user, pk=pk)
    response = FileResponse(row.image.open("rb"), content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require("events.view")
def delegation_list(request):
    page = paginate(request, selectors.delegation_list(user=request.user))
    editable = {d.pk for d in page.object_list if selectors.node_manageable(user=request.user, node=d.node)}
    return render_page(request, "events/delegation_list.html", {
        "page": page, "query": query_without_page(request), "can_manage": request.user.can("events.manage"),
        "editable": editable})


@require("events.manage")
def delegation_new(request):
    return _delegation_form(request, None)


@require("events.manage")
def delegation_edit(request, pk):
    delegation = selectors.delegation_get(user=request.user, pk=pk)
    if not selectors.node_manageable(user=request.user, node=delegation.node):
        raise forbidden(request, Forbidden(_("只有接待辖区的工作人员可以修改来访记录。")))
    return _delegation_form(request, delegation)


def _delegation_form(request, delegation):
    initial = None
    if delegation is not None:
        initial = {"date": delegation.date, "origin": delegation.origin, "node": delegation.node,
                   "members": "\n".join(delegation.members), "member_count": delegation.member_count,
                   "programme": delegation.programme, "facilities": list(delegation.facilities.all())}
    form = DelegationForm(request.POST or None, initial=initial, nodes=scoped_nodes(request.user),
                          facilities=facilities.facility_list(user=request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        kwargs = dict(actor=request.user, date=d["date"], origin=d["origin"], node=d["node"], members=d["members"],
                      member_count=d["member_count"], programme=d["programme"], facilities=d["facilities"])
        with service_call(request, form) as call:
            if delegation is None:
                services.delegation_create(**kwargs)
            else:
                services.delegation_update(delegation=delegation, **kwargs)
        if call.ok:
            messages.success(request, _("来访记录已保存。"))
            return redirect("events:delegation-list")
    title = _("登记来访考察") if delegation is None else _("修改来访记录")
    return render_page(request, "form_page.html", {"form": form, "title": title, "back": "/events/delegations/"})


# --- series, festivals and partner units -------------------------------------------------------------------------

@require("events.view")
def groups(request):
    """系列、节庆与共建单位: the series and festivals of the user's jurisdiction (and the 街道's above it), the
    partner units; edit links where the user may edit."""
    user = request.user
    series = [(s, selectors.node_manageable(user=user, node=s.node))
              for s in selectors.series_list(user=user).annotate(n_events=Count("events"))]
    festivals = [(f, selectors.node_manageable(user=user, node=f.node))
                 for f in selectors.festival_list(user=user).annotate(n_events=Count("events"))]
    return render_page(request, "events/groups.html", {
        "series": series, "festivals": festivals, "partners": selectors.partner_unit_list(user=user),
        "can_manage": user.can("events.manage"), "can_partners": selectors.partners_manageable(user=user)})


def _group_form(request, *, form_class, obj, create, update, title, done, initial=None, **form_kwargs):
    form = form_class(request.POST or None, initial=initial, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            if obj is None:
                create(actor=request.user, **form.cleaned_data)
            else:
                update(request.user, obj, form.cleaned_data)
        if call.ok:
            messages.success(request, done)
            return redirect("events:groups")
    return render_page(request, "form_page.html", {"form": form, "title": title, "back": "/events/groups/"})


def _editable(request, obj):
    if not selectors.node_manageable(user=request.user, node=obj.node):
        raise forbidden(request, Forbidden(_("只有所属辖区的工作人员可以修改。")))
    return obj


@require("events.manage")
def series_new(request):
    return _group_form(request, form_class=SeriesForm, obj=None, create=services.series_create, update=None,
                       title=_("新建活动系列"), done=_("活动系列已保存。"), nodes=scoped_nodes(request.user))


@require("events.manage")
def series_edit(request, pk):
    series = _editable(request, selectors.series_get(user=request.user, pk=pk))
    return _group_form(request, form_class=SeriesForm, obj=series, create=None,
                       update=lambda actor, obj, d: services.series_update(actor=actor, series=obj, **d),
                       title=_("修改活动系列"), done=_("活动系列已保存。"), nodes=scoped_nodes(request.user),
                       initial={"name": series.name, "node": series.node, "description": series.description})


@require("events.manage")
def festival_new(request):
    return _group_form(request, form_class=FestivalForm, obj=None, create=services.festival_create, update=None,
                       title=_("新建节庆"), done=_("节庆已保存。"), nodes=scoped_nodes(request.user))


@require("events.manage")
def festival_edit(request, pk):
    festival = _editable(request, selectors.festival_get(user=request.user, pk=pk))
    return _group_form(request, form_class=FestivalForm, obj=festival, create=None,
                       update=lambda actor, obj, d: services.festival_update(actor=actor, festival=obj, **d),
                       title=_("修改节庆"), done=_("节庆已保存。"), nodes=scoped_nodes(request.user),
                       initial={"name": festival.name, "node": festival.node, "date_from": festival.date_from,
                                "date_to": festival.date_to, "description": festival.description})


def _partners_editable(request):
    if not selectors.partners_manageable(user=request.user):
        raise forbidden(request, Forbidden(_("共建单位由街道工作人员维护。")))


@require("events.manage")
def partner_new(request):
    _partners_editable(request)
    return _group_form(request, form_class=PartnerUnitForm, obj=None,
                       create=lambda actor, is_active, **d: services.partner_unit_create(actor=actor, **d),
                       update=None, title=_("新增共建单位"), done=_("共建单位已保存。"))


@require("events.manage")
def partner_edit(request, pk):
    _partners_editable(request)
    unit = selectors.partner_unit_get(user=request.user, pk=pk)
    return _group_form(request, form_class=PartnerUnitForm, obj=unit, create=None,
                       update=lambda actor, obj, d: services.partner_unit_update(actor=actor, unit=obj, **d),
                       title=_("修改共建单位"), done=_("共建单位已保存。"),
                       initial={"name": unit.name, "kind": unit.kind, "contact": unit.contact,
                                "is_active": unit.is_active})
