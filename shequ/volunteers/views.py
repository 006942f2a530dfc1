"""Pages of the volunteer service. Phone-first pages under /volunteers/m/ for the volunteer (a resident or a
`volunteer` login), staff pages for organisers and the 志愿中心, and two public pages: the certificate check and
the star notice list. Views parse input, call one service and render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.choices import NodeKind, Role
from shequ.core.errors import DomainError, Forbidden
from shequ.core.inputs import query_int
from shequ.core.models import Node
from shequ.core.pdf import html_to_pdf
from shequ.core.web import forbidden, paginate, query_without_page, render_page, require, service_call
from shequ.portal import services as portal

from . import selectors, services
from .choices import STAR_LABELS, NoticeStatus, RecordStatus, SignupStatus
from .forms import ActivityForm, CodeForm, CorrectForm, HonourForm, ReasonForm, RegisterForm
from .models import Certificate, Record, StarNotice


def _star_label(star: int) -> str:
    return str(STAR_LABELS.get(star, ""))


def _figures(volunteer) -> dict:
    rules = selectors.rules()
    figures = selectors.hours_and_star(volunteer_id=volunteer.pk)
    nxt = next((t for t in rules.thresholds if t > figures["credited_hours"]), None)
    figures.update(star_label=_star_label(figures["star"]), next_threshold=nxt,
                   to_next=round(nxt - figures["credited_hours"], 1) if nxt else None)
    return figures


# --- the volunteer's phone pages ----------------------------------------------------------------------------------

@require("volunteers.view")
def m_home(request):
    volunteer = selectors.volunteer_of(request.user)
    context = {"volunteer": volunteer, "upcoming": selectors.upcoming(user=request.user)[:20],
               "organised": selectors.organised_teams(user=request.user)[:20]}
    if volunteer is not None:
        context.update(figures=_figures(volunteer), signups=selectors.my_signups(volunteer=volunteer)[:20],
                       records=selectors.records_of(volunteer=volunteer)[:10],
                       certificates=volunteer.certificates.all()[:10],
                       notices=volunteer.star_notices.filter(status=NoticeStatus.NOTICE))
    return render(request, "volunteers/m_home.html", context)


@require("volunteers.view")
def m_activity(request, pk):
    activity = selectors.activity_get(user=request.user, pk=pk)
    volunteer = selectors.volunteer_of(request.user)
    signup = selectors.signup_of(activity=activity, volunteer=volunteer)
    record = selectors.open_record(activity=activity, volunteer=volunteer) if volunteer else None
    done = volunteer and Record.objects.filter(activity=activity, volunteer=volunteer).exclude(
        status__in=[RecordStatus.OPEN, RecordStatus.SUPERSEDED]).first()
    return render(request, "volunteers/m_activity.html", {
        "activity": activity, "volunteer": volunteer, "signup": signup, "record": record, "done": done,
        "position": selectors.wait_position(signup=signup) if signup else 0, "form": CodeForm(),
        "back_url": reverse("volunteers:m-home"), "now": timezone.now()})


@require("volunteers.serve")
@require_POST
def m_activity_act(request, pk, what):
    activity = selectors.activity_get(user=request.user, pk=pk)
    try:
        if what == "signup":
            signup, position = services.signup_create(actor=request.user, activity=activity)
            messages.success(request, _("报名成功。") if signup.status == SignupStatus.CONFIRMED
                             else _("名额已满，您在候补第%(n)s位。") % {"n": position})
        elif what == "cancel":
            services.signup_cancel(actor=request.user, activity=activity)
            messages.success(request, _("已取消报名。"))
        elif what in ("checkin", "checkout"):
            code = request.POST.get("code", "")
            if what == "checkin":
                services.record_check_in(actor=request.user, activity=activity, code=code)
                messages.success(request, _("签到成功。"))
            else:
                record = services.record_check_out(actor=request.user, activity=activity, code=code)
                messages.success(request, _("签退成功，在岗%(m)s分钟，等待组织者认定。") % {"m": record.stay_minutes})
        else:
            raise Http404
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("volunteers:m-activity", pk=activity.pk)


@require("volunteers.serve")
def m_register(request):
    if selectors.volunteer_of(request.user) is not None:
        return redirect("volunteers:m-home")
    resident = None
    if request.user.role == Role.RESIDENT:
        account = portal.account_for(request.user)
        resident = account.resident if account.is_bound else None
    committees = Node.objects.filter(kind=NodeKind.COMMITTEE, is_active=True).order_by("path")
    form = RegisterForm(request.POST or None, committees=committees, from_registry=resident is not None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(request, form) as call:
            services.volunteer_register(
                actor=request.user, user=request.user, resident=resident, name=d.get("name", ""),
                id_number=d.get("id_number", ""), phone=d.get("phone", ""), committee=d.get("committee"),
                skills=d["skills"], availability=d["availability"], national_number=d["national_number"],
                consent=d["consent"])
        if call.ok:
            messages.success(request, _("志愿者登记成功。"))
            return redirect("volunteers:m-home")
    return render(request, "volunteers/m_register.html", {"form": form, "resident": resident,
                                                          "back_url": reverse("volunteers:m-home")})


@require("volunteers.serve")
@require_POST
def m_certificate(request):
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    try:
        cert = services.certificate_issue(actor=request.user, volunteer=volunteer)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("volunteers:m-home")
    messages.success(request, _("已开具证明 %(n)s。") % {"n": cert.number})
    return redirect("volunteers:m-home")


@require("volunteers.view")
def certificate_pdf(request, pk):
    cert = selectors.certificate_get(user=request.user, pk=pk)
    html = render_to_string("volunteers/certificate_pdf.html", {
        "c": cert, "v": cert.volunteer, "star_label": _star_label(cert.star),
        "hours": round(cert.credited_minutes / 60, 1), "honour": round(cert.honour_minutes / 60, 1),
        "verify_url": request.build_absolute_uri(reverse("volunteers:verify")) + f"?number={cert.number}"})
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{cert.number}.pdf"'
    return response


def verify(request):
    """Public: anyone holding a certificate number sees the masked name and the figures, nothing else."""
    number = (request.GET.get("number") or "").strip()[:24]
    cert = selectors.certificate_by_number(number=number) if number else None
    return render(request, "volunteers/verify.html", {
        "number": number, "cert": cert, "star_label": _star_label(cert.star) if cert else "",
        "hours": round(cert.credited_minutes / 60, 1) if cert else 0,
        "honour": round(cert.honour_minutes / 60, 1) if cert else 0})


def notices(request):
    """Public: the star notice list (公示) before a star is granted."""
    rows = [{"name": n.volunteer.masked_name, "star": _star_label(n.star), "hours": n.hours,
             "from": n.notice_from, "until": n.notice_until} for n in selectors.notices_public()[:200]]
    return render(request, "volunteers/notices.html", {"rows": rows})


# --- organisers ---------------------------------------------------------------------------------------------------

@require("volunteers.view")
def activity_list(request):
    page = paginate(request, selectors.activity_list(user=request.user).order_by("-start", "id"), 25)
    return render_page(request, "volunteers/activity_list.html", {
        "page": page, "query": query_without_page(request),
        "may_publish": selectors.organised_teams(user=request.user).exists()})


@require("volunteers.organise")
def activity_new(request):
    teams = selectors.organised_teams(user=request.user)
    form = ActivityForm(request.POST or None, teams=teams, rooms=selectors.bookable_rooms(user=request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(request, form) as call:
            activity = services.activity_create(
                actor=request.user, team=d["team"], title=d["title"], place=d["place"], start=d["start"],
                end=d["end"], slots=d["slots"], signup_deadline=d["signup_deadline"], min_age=d["min_age"],
                max_age=d["max_age"], skills=d["skills"], description=d["description"], room=d.get("room"))
        if call.ok:
            messages.success(request, _("活动已发布。"))
            return redirect("volunteers:activity-detail", pk=activity.pk)
    return render(request, "form_page.html", {"form": form, "title": _("发布志愿活动"),
                                                    "back": reverse("volunteers:activity-list")})


@require("volunteers.view")
def activity_detail(request, pk):
    activity = selectors.activity_get(user=request.user, pk=pk)
    if activity.booking_id:
        activity = type(activity).objects.select_related("booking__room__facility", "team", "node").get(pk=activity.pk)
    organiser = selectors.may_organise(user=request.user, team=activity.team)
    context = {"activity": activity, "organiser": organiser, "booking": activity.booking,
               "cancel_form": ReasonForm(), "cancellable": organiser and activity.status == "published"
               and activity.start > timezone.now()}
    if organiser:
        context.update(signups=activity.signups.exclude(status=SignupStatus.CANCELLED)
                       .select_related("volunteer").order_by("status", "wait_position", "created_at"),
                       records=selectors.activity_records(activity=activity), code=services.activity_code(
                           activity=activity), rules=selectors.rules())
    return render(request, "volunteers/activity_detail.html", context)


@require("volunteers.organise")
def activity_code(request, pk):
    """htmx: the current check-in code, refreshed by the page every 30 s."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    if not selectors.may_organise(user=request.user, team=activity.team):
        raise Http404
    return render(request, "volunteers/partials/_code.html", {
        "activity": activity, "code": services.activity_code(activity=activity)})


@require("volunteers.organise")
def review(request):
    page = paginate(request, selectors.records_to_review(user=request.user).order_by("check_in", "id"), 50)
    return render(request, "volunteers/review.html", {"page": page, "query": query_without_page(request),
                                                      "reject_form": ReasonForm()})


@require("volunteers.organise")
def record_act(request, pk, action):
    record = Record.objects.select_related("activity__team").filter(
        pk=pk, activity__in=selectors.activity_list(user=request.user)).first()
    if record is None or action not in ("approve", "reject", "correct"):
        raise Http404
    back = request.POST.get("next") or reverse("volunteers:activity-detail", args=[record.activity_id])
    if not back.startswith("/"):
        back = reverse("volunteers:review")
    if action == "correct":
        initial = {"check_in": timezone.localtime(record.check_in),
                   "check_out": timezone.localtime(record.check_out or record.activity.end)}
        form = CorrectForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            with service_call(request, form) as call:
                services.record_correct(actor=request.user, record=record, check_in=d["check_in"],
                                        check_out=d["check_out"], reason=d["reason"])
            if call.ok:
                messages.success(request, _("已提交更正，待认定后生效。"))
                return redirect(back)
        return render(request, "form_page.html", {
            "form": form, "title": _("更正服务记录：%(n)s %(v)s") % {"n": record.number, "v": record.volunteer.name},
            "back": back})
    if request.method != "POST":
        raise Http404
    try:
        if action == "approve":
            services.record_approve(actor=request.user, record=record)
            messages.success(request, _("已认定 %(v)s 的服务时长。") % {"v": record.volunteer.name})
        else:
            services.record_reject(actor=request.user, record=record, reason=request.POST.get("reason", ""))
            messages.success(request, _("已不予认定。"))
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(back)


# --- the 志愿中心 ----------------------------------------------------------------------------------------------------

@require("volunteers.manage")
def volunteer_list(request):
    page = paginate(request, selectors.volunteer_list(user=request.user), 25)
    return render_page(request, "volunteers/volunteer_list.html", {"page": page, "query": query_without_page(request)})


@require("volunteers.manage")
def volunteer_new(request):
    committees = Node.objects.filter(kind=NodeKind.COMMITTEE, is_active=True,
                                     id__in=[n.pk for n in selectors.committees_for(user=request.user)])
    form = RegisterForm(request.POST or None, committees=committees)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(request, form) as call:
            volunteer = services.volunteer_register(
                actor=request.user, name=d["name"], id_number=d["id_number"], phone=d["phone"],
                committee=d["committee"], skills=d["skills"], availability=d["availability"],
                national_number=d["national_number"], consent=d["consent"])
        if call.ok:
            messages.success(request, _("志愿者登记成功。"))
            return redirect("volunteers:volunteer-detail", pk=volunteer.pk)
    return render(request, "form_page.html", {"form": form, "title": _("登记志愿者"),
                                                    "back": reverse("volunteers:volunteer-list")})


@require("volunteers.manage")
def volunteer_detail(request, pk):
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    form = HonourForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_call(request, form) as call:
            services.honour_add(actor=request.user, volunteer=volunteer, minutes=form.cleaned_data["minutes"],
                                reason=form.cleaned_data["reason"])
        if call.ok:
            messages.success(request, _("已添加荣誉时长。"))
            return redirect("volunteers:volunteer-detail", pk=volunteer.pk)
    return render(request, "volunteers/volunteer_detail.html", {
        "v": volunteer, "figures": _figures(volunteer), "records": selectors.records_of(volunteer=volunteer)[:50],
        "honours": volunteer.honours.all()[:50], "certificates": volunteer.certificates.all(), "form": form})


@require("volunteers.view")
def teams(request):
    year = query_int(request.GET.get("year")) or timezone.localdate().year
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    monthly = selectors.monthly_hours_by_team(user=request.user, year=year)
    table: dict = {}
    for row in monthly:
        table.setdefault(row["team"], [0] * 12)[row["month"] - 1] = row["hours"]
    return render(request, "volunteers/teams.html", {
        "teams": selectors.team_list(user=request.user).prefetch_related("admins"),
        "stations": selectors.stations(user=request.user), "year": year,
        "monthly": sorted(table.items()), "months": range(1, 13)})


@require("volunteers.view")
def team_detail(request, pk):
    """A team's page: its admins, members (names for its organisers and the centre, masked for others), upcoming
    activities and this year's credited hours month by month."""
    team = selectors.team_get(user=request.user, pk=pk)
    year = timezone.localdate().year
    months = selectors.team_year_hours(team=team, year=year)
    organiser = selectors.may_organise(user=request.user, team=team)
    members = selectors.team_members(team=team)
    return render(request, "volunteers/team_detail.html", {
        "team": team, "organiser": organiser, "admins": team.admins.order_by("full_name", "id"),
        "members": members[:200], "member_count": members.count(), "year": year, "months": months,
        "year_total": round(sum(months), 1),
        "upcoming": selectors.upcoming(user=request.user).filter(team=team)[:20],
        "station": selectors.stations(user=request.user).filter(committee=team.committee_id).first()
        if team.committee_id else None})


@require("volunteers.view")
def station_detail(request, pk):
    """A committee's volunteer station: its head, the committee's own team and the 街道-wide teams serving it,
    the activities held in the committee."""
    station = selectors.station_get(user=request.user, pk=pk)
    own, wide = selectors.station_teams(station=station)
    return render(request, "volunteers/station_detail.html", {
        "station": station, "own_teams": own, "wide_teams": wide,
        "activities": selectors.station_activities(user=request.user, station=station).select_related("team")[:30]})


@require("volunteers.organise")
@require_POST
def activity_cancel(request, pk):
    activity = selectors.activity_get(user=request.user, pk=pk)
    try:
        services.activity_cancel(actor=request.user, activity=activity, reason=request.POST.get("reason", ""))
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("活动已取消，已通知报名的志愿者。") + (_("活动室预约已释放。") if activity.booking_id else ""))
    return redirect("volunteers:activity-detail", pk=activity.pk)


@require("volunteers.manage")
def stars(request):
    rows = StarNotice.objects.filter(volunteer__in=selectors.volunteer_list(user=request.user)) \
        .select_related("volunteer").order_by("status", "-notice_from")[:200]
    certs = Certificate.objects.filter(volunteer__in=selectors.volunteer_list(user=request.user)) \
        .select_related("volunteer")[:200]
    return render(request, "volunteers/stars.html", {"notices": rows, "certs": certs, "today": timezone.localdate(),
                                                     "labels": {k: str(v) for k, v in STAR_LABELS.items()}})


@require("volunteers.manage")
@require_POST
def notice_act(request, pk, action):
    notice = StarNotice.objects.filter(pk=pk, volunteer__in=selectors.volunteer_list(user=request.user)).first()
    if notice is None or action not in ("grant", "withdraw"):
        raise Http404
    try:
        if action == "grant":
            services.star_grant(actor=request.user, notice=notice)
            messages.success(request, _("已授予星级。"))
        else:
            services.star_withdraw(actor=request.user, notice=notice, reason=request.POST.get("reason", ""))
            messages.success(request, _("已撤回公示。"))
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("volunteers:stars")


@require("volunteers.manage")
@require_POST
def certificate_issue(request, pk):
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    try:
        cert = services.certificate_issue(actor=request.user, volunteer=volunteer)
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已开具证明 %(n)s。") % {"n": cert.number})
    return redirect("volunteers:volunteer-detail", pk=volunteer.pk)

