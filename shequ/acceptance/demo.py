"""Demo data for the acceptance centre of 延吉新村街道: the catalogue, 6 ticket categories, 12 windows, clerks and
department officers, rota and skills, hall devices, and a simulated fortnight of service — ten working days of
history and today so far (tickets, cases in every state, reviews and rectifications). Idempotent: each part is
skipped when it already exists.

The history is simulated, not replayed through the services (they stamp "now"): a small event simulation puts
each ticket at the first free window of its category, and each case walks the same state machine with dates in
the past; every case gets the history rows (`CaseEvent`) that the services would have written.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets

from django.db import transaction
from django.utils import timezone

from shequ.core import crypto, idcard, workcal
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, Role
from shequ.core.models import Department, Node, User
from shequ.core.services import user_create

from . import catalogue_data
from .choices import (REJECT_REASONS, TERMINATE_REASONS, ArchiveRelation, ArchiveStatus,
                      CallbackResult, CaseStatus, ContactMethod, DeviceKind, HalfDay, IdCheck, ItemMode,
                      RectificationStatus, Recipient, ReviewChannel, SkillLevel, TicketStatus)
from .models import (ArchiveAccessLog, ArchiveRequest, Case, CaseEvent, CaseMaterial, DailyCounter, Device,
                     ItemMaterial, QueueCategory, Rectification, RectificationEvent, Review, RotaSlot, ServiceItem,
                     StaffSkill, Ticket, TicketEvent, Window, WindowSkill)

SUBDISTRICT_CODE = "310110015000"

CLERKS = [("clerk", "陈晓燕"), ("clerk02", "王丽华"), ("clerk03", "张伟民"), ("clerk04", "刘芳"), ("clerk05", "杨静"),
          ("clerk06", "赵明杰"), ("clerk07", "孙玉梅"), ("clerk08", "周海燕"), ("clerk09", "吴建华"),
          ("clerk10", "徐晓东"), ("clerk11", "朱丽娟")]
OFFICERS = [("officer_rs", "钱志刚", "RS"), ("officer_yb", "何美玲", "YB"), ("officer_pcs", "马国庆", "PCS"),
            ("officer_fg", "胡建新", "FG"), ("officer_cl", "郭淑芬", "CL"), ("officer_wj", "林晓红", "WJ"),
            ("officer_da", "罗文静", "DA"), ("officer_ty", "高建军", "TYJR"), ("officer_gh", "梁秀英", "GH"),
            ("officer_gjj", "宋立明", "GJJ")]
# number, name, categories in call order
WINDOWS = [(n, "综合受理", "ABCE") for n in range(1, 6)] + [(6, "综合受理", "BAE"), (7, "综合受理", "BAE"),
                                                         (8, "证件办理", "CA"), (9, "证件办理", "CA"),
                                                         (10, "民生档案", "DF"), (11, "住房保障", "EAB"),
                                                         (12, "绿色通道·咨询", "FABCDE")]
CATEGORY_WEIGHTS = {"A": 40, "B": 26, "C": 17, "D": 6, "E": 6, "F": 5}
VISITOR_NAMES = ["李建平", "王秀兰", "张国华", "刘玉珍", "陈志明", "杨桂芳", "赵海涛", "黄美英", "周建国", "吴丽娟",
                 "徐金妹", "孙德胜", "马晓红", "朱永康", "胡凤英", "郭振华"]
POOR_COMMENTS = ["等了将近四十分钟才叫到号", "窗口工作人员解释不够耐心", "第一次来没有一次性说清楚要带什么材料",
                 "办理时间比承诺的长", "材料要求和网上办事指南不一致"]
GOOD_COMMENTS = ["工作人员很耐心，谢谢", "办得很快", "绿色通道对老年人很方便", ""]
HISTORY_DAYS = 10


def seed(*, stdout, password: str, rng: random.Random) -> None:
    sub = Node.objects.filter(code=SUBDISTRICT_CODE).first()
    if sub is None:
        stdout.write("  受理中心：没有延吉新村街道，跳过")
        return
    rng = random.Random(3101100150)
    categories = _categories()
    created_items = _catalogue()
    users = _users(sub, password)
    windows = _windows(sub, categories)
    _skills(users["clerks"], windows)
    from .demo_staff import seed_staff

    staffed = seed_staff(sub=sub, clerks=users["clerks"], supervisor=users["supervisor"], password=password,
                         created=users["created"])
    today = timezone.localdate()
    days = _working_days_before(today, HISTORY_DAYS) + [today]
    _rota(sub, windows, users["clerks"], days + _next_week(today))
    _devices(sub, windows, users["supervisor"])
    simulated = ""
    if not Ticket.objects.filter(node=sub).exists():
        stats = Simulation(sub, windows, users, rng).run(days)
        simulated = (f"；模拟 {len(days) - 1} 个工作日和今天：排队号 {stats['tickets']} 个，办件 {stats['cases']} 件，"
                     f"评价 {stats['reviews']} 条，差评整改 {stats['rects']} 件，民生档案查询 {stats['archives']} 次")
    stdout.write(f"  受理中心：事项 {ServiceItem.objects.count()} 项（新建 {created_items}），取号类别 "
                 f"{QueueCategory.objects.count()} 个，窗口 {Window.objects.filter(node=sub).count()} 个"
                 f"{staffed}{simulated}")
    from .demo_transfers import seed_transfers

    seed_transfers(sub=sub, clerk=users["clerks"][0], stdout=stdout)
    if users["created"]:
        stdout.write("  受理中心新建账号（密码同上）：")
        for user in users["created"]:
            dept = f"，{user.department.short_name}" if user.department else ""
            stdout.write(f"    {user.username:<12} {user.full_name}（{user.get_role_display()}{dept}）")


# --- static parts ------------------------------------------------------------------------------------------------

def _categories() -> dict[str, QueueCategory]:
    result = {}
    for order, (letter, name, description, minutes) in enumerate(catalogue_data.CATEGORIES):
        result[letter], _c = QueueCategory.objects.get_or_create(letter=letter, defaults={
            "name": name, "description": description, "default_service_minutes": minutes, "sort_order": order})
    return result


def _catalogue() -> int:
    departments = {d.code: d for d in Department.objects.all()}
    categories = {c.letter: c for c in QueueCategory.objects.all()}
    created = 0
    for order, row in enumerate(catalogue_data.ITEMS):
        (code, name, dept, category, letter, mode, limit, legal, tongban, separated, agent, fee, online,
         materials) = row
        if ServiceItem.objects.filter(code=code).exists() or dept not in departments:
            continue
        item = ServiceItem.objects.create(
            code=code, name=name, department=departments[dept], category=category, queue_category=categories[letter],
            mode=mode, limit_days=limit, legal_limit_days=legal, tongban=tongban, separated=separated,
            agent_allowed=agent, agent_note=catalogue_data.AGENT_NOTES.get(code, ""), fee=fee, online=online,
            sort_order=order, is_active=code not in catalogue_data.INACTIVE,
            conditions="" if mode == ItemMode.INSTANT else "材料齐全、符合法定形式的予以受理；审核时限按工作日计算。")
        ItemMaterial.objects.bulk_create([
            ItemMaterial(item=item, name=m, is_key=key, original_required=original, sort_order=i,
                         condition=catalogue_data.MATERIAL_CONDITIONS.get(m, ""))
            for i, (m, key, original) in enumerate(materials)])
        created += 1
    if created:
        audit_record(actor=None, action=AuditAction.IMPORT, object_type="acceptance.serviceitem",
                     detail={"via": "seed_demo", "created": created})
    return created


def _user(sub, username, full_name, role, password, department=None, created=None) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(actor=None, username=username, full_name=full_name, role=role, password=password,
                           nodes=[sub], department=department, password_is_temporary=False)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password_changed_at"])
        created.append(user)
    return user


def _users(sub, password) -> dict:
    created: list[User] = []
    slzx = Department.objects.filter(code="SLZX").first()
    clerks = [_user(sub, u, n, Role.WINDOW_CLERK, password, slzx, created) for u, n in CLERKS]
    supervisor = _user(sub, "supervisor", "李敏", Role.HALL_SUPERVISOR, password, slzx, created)
    officers = {"MZ": _user(sub, "officer", "周立群", Role.DEPT_OFFICER, password,
                            Department.objects.get(code="MZ"), created)}
    for username, name, code in OFFICERS:
        dept = Department.objects.filter(code=code).first()
        if dept:
            officers[code] = _user(sub, username, name, Role.DEPT_OFFICER, password, dept, created)
    return {"clerks": clerks, "supervisor": supervisor, "officers": officers, "created": created}


def _windows(sub, categories) -> list[Window]:
    result = []
    for number, name, letters in WINDOWS:
        window, made = Window.objects.get_or_create(node=sub, number=number, defaults={"name": name})
        if made:
            WindowSkill.objects.bulk_create([WindowSkill(window=window, category=categories[c], rank=i + 1)
                                             for i, c in enumerate(letters)])
        result.append(window)
    return result


def _skills(clerks, windows) -> None:
    """Generalist staff (全岗通): everyone handles A–E; each has one speciality (熟练), the 民生档案 desk and the
    consultation category are the ones still being learned by some."""
    if StaffSkill.objects.filter(user__in=clerks).exists():
        return
    categories = {c.letter: c for c in QueueCategory.objects.all()}
    rows = []
    for i, clerk in enumerate(clerks):
        speciality = WINDOWS[i][2][0]
        for letter in "ABCDEF":
            if letter == speciality:
                level = SkillLevel.EXPERT
            elif letter in "DF":
                level = SkillLevel.COMPETENT if i % 3 == 0 else SkillLevel.LEARNING
            else:
                level = SkillLevel.COMPETENT
            rows.append(StaffSkill(user=clerk, category=categories[letter], level=level))
    StaffSkill.objects.bulk_create(rows)


def _is_workday(day: dt.date) -> bool:
    try:
        return workcal.is_workday(day)
    except workcal.CalendarUnavailable:
        return day.weekday() < 5


def _working_days_before(today: dt.date, n: int) -> list[dt.date]:
    days, day = [], today
    while len(days) < n:
        day -= dt.timedelta(days=1)
        if _is_workday(day):
            days.append(day)
    return sorted(days)


def _next_week(today: dt.date) -> list[dt.date]:
    return [today + dt.timedelta(days=i) for i in range(1, 8) if _is_workday(today + dt.timedelta(days=i))]


def _rota(sub, windows, clerks, days) -> None:
    """Eleven clerks on windows 1–11; they rotate by day so everyone works every category (全岗通); window 12
    (green channel) is staffed in the morning by whoever is off that day."""
    existing = set(RotaSlot.objects.filter(window__node=sub, date__in=days).values_list("date", flat=True))
    rows = []
    for index, day in enumerate(sorted(set(days))):
        if day in existing:
            continue
        for half in HalfDay.values:
            for w in range(11):
                clerk = clerks[(w + index * (1 if half == "am" else 2)) % len(clerks)] if w < len(clerks) else None
                if clerk is not None:
                    rows.append(RotaSlot(window=windows[w], date=day, half=half, clerk=clerk))
    RotaSlot.objects.bulk_create(rows)


def _devices(sub, windows, supervisor) -> None:
    if Device.objects.filter(node=sub).exists():
        return
    for name, kind, window in (("大厅取号机1", DeviceKind.KIOSK, None), ("大厅取号机2", DeviceKind.KIOSK, None),
                               ("大厅主显示屏", DeviceKind.HALL, None), ("1号窗口评价器", DeviceKind.WINDOW, windows[0]),
                               ("12号窗口评价器", DeviceKind.WINDOW, windows[11])):
        Device.objects.create(node=sub, name=name, kind=kind, window=window, created_by=supervisor)


# --- the simulated fortnight --------------------------------------------------------------------------------

def _at(day: dt.date, minutes: float) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz) + dt.timedelta(minutes=minutes)


class Simulation:
    def __init__(self, sub, windows, users, rng):
        self.sub, self.windows, self.rng = sub, windows, rng
        self.clerks, self.officers, self.supervisor = users["clerks"], users["officers"], users["supervisor"]
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.items_by_letter: dict[str, list[ServiceItem]] = {}
        for item in ServiceItem.objects.filter(is_active=True).select_related("department", "queue_category")\
                .prefetch_related("materials"):
            self.items_by_letter.setdefault(item.queue_category.letter, []).append(item)
        self.categories = {c.letter: c for c in QueueCategory.objects.all()}
        self.skills = {w.pk: [(s.category.letter, s.rank) for s in w.skills.select_related("category")]
                       for w in windows}
        self.rota = {(s.window_id, s.date, s.half): s.clerk for s in
                     RotaSlot.objects.filter(window__in=windows).select_related("clerk")}
        from shequ.people.selectors import resident_sample

        self.residents = resident_sample(under=sub, limit=1500)
        self.tickets, self.ticket_events, self.cases = [], [], []
        self.counters: dict[tuple[str, dt.date], int] = {}

    # tickets -------------------------------------------------------------------------------------------------
    def run(self, days: list[dt.date]) -> dict:
        with transaction.atomic():
            for day in days:
                self._day(day)
            Ticket.objects.bulk_create(self.tickets, batch_size=1000)
            for ticket, events in self.ticket_events:
                for e in events:
                    e.ticket = ticket
            TicketEvent.objects.bulk_create([e for _t, evs in self.ticket_events for e in evs], batch_size=2000)
            Window.objects.filter(pk__in=[w.pk for w in self.windows]).update(current_clerk=None, signed_in_at=None)
            self._sign_in_today()
            cases = self._cases()
            reviews, rects = self._reviews(cases)
            archives = self._archives()
            DailyCounter.objects.bulk_create([DailyCounter(node=self.sub, key=k, day=d, last=n)
                                              for (k, d), n in self.counters.items()])
            audit_record(actor=None, action=AuditAction.IMPORT, object_type="acceptance.case",
                         detail={"via": "seed_demo", "tickets": len(self.tickets), "cases": len(cases)})
        return {"tickets": len(self.tickets), "cases": len(cases), "reviews": reviews, "rects": rects,
                "archives": archives}

    def _count(self, key: str, day: dt.date) -> int:
        self.counters[key, day] = self.counters.get((key, day), 0) + 1
        return self.counters[key, day]

    def _arrivals(self, day: dt.date) -> list[float]:
        """Arrival minutes after midnight: a morning peak and a smaller afternoon one, 08:30–16:15."""
        rng = self.rng
        n = rng.randint(200, 260)
        result = []
        while len(result) < n:
            t = rng.gauss(9.9 * 60, 55) if rng.random() < 0.6 else rng.gauss(14.3 * 60, 50)
            if 8.5 * 60 <= t <= 16.25 * 60:
                result.append(t)
        return sorted(result)

    def _day(self, day: dt.date) -> None:
        rng = self.rng
        is_today = day == self.today
        now_min = (timezone.localtime(self.now) - _at(day, 0).astimezone(timezone.get_current_timezone())) \
            .total_seconds() / 60 if is_today else 24 * 60
        free = {w.pk: 8.5 * 60 for w in self.windows}
        letters = list(CATEGORY_WEIGHTS)
        weights = list(CATEGORY_WEIGHTS.values())
        arrivals = [(t, rng.choices(letters, weights)[0], rng.random() < 0.12) for t in self._arrivals(day)]
        if is_today:
            arrivals = [a for a in arrivals if a[0] <= now_min]
            if not arrivals and now_min > 8.5 * 60:
                arrivals = [(now_min - 5, "A", False)]
        for issued, letter, priority in arrivals:
            seq = self._count(f"T:{letter}", day)
            ticket = Ticket(node=self.sub, day=day, category=self.categories[letter], seq=seq,
                            number=f"{letter}{seq:03d}", priority=priority,
                            priority_reason="elderly" if priority else "", issued_at=_at(day, issued),
                            status=TicketStatus.WAITING)
            events = [TicketEvent(action="issue", to_status=TicketStatus.WAITING, at=ticket.issued_at,
                                  actor_name="取号机·大厅取号机1")]
            half = "am" if issued < 12 * 60 else "pm"
            eligible = [w for w in self.windows if self.rota.get((w.pk, day, half))
                        and any(c == letter for c, _r in self.skills[w.pk])]
            if not eligible:
                eligible = [self.windows[11]] if self.rota.get((self.windows[11].pk, day, half)) else []
            window = min(eligible, key=lambda w: (max(free[w.pk], issued),
                                                  dict(self.skills[w.pk]).get(letter, 9))) if eligible else None
            if window is None or (not is_today and rng.random() < 0.01):
                # Nobody could take it (no open window for the category): the number lapses at the end of day.
                ticket.status = TicketStatus.EXPIRED if not is_today else TicketStatus.WAITING
                self.tickets.append(ticket)
                self.ticket_events.append((ticket, events))
                continue
            called = max(free[window.pk], issued) + rng.uniform(0.2, 1.5)
            if priority:
                # 优先 numbers are called as soon as the window is free, never while it still serves someone.
                called = max(free[window.pk] + rng.uniform(0.2, 0.5), issued + rng.uniform(0.5, 4),
                             min(called, issued + 6))
            clerk = (self.rota.get((window.pk, day, "am" if called < 12 * 60 else "pm"))
                     or self.rota[(window.pk, day, half)])
            minutes = self.categories[letter].default_service_minutes
            handle = max(2.0, rng.gauss(minutes, minutes * 0.35))
            started = called + rng.uniform(0.4, 1.6)
            finished = started + handle
            no_show = rng.random() < 0.04
            if called > now_min:  # still waiting (today only)
                self.tickets.append(ticket)
                self.ticket_events.append((ticket, events))
                continue
            ticket.window, ticket.clerk = window, clerk
            ticket.called_at = ticket.last_called_at = _at(day, called)
            ticket.call_count = 1
            events.append(TicketEvent(action="call", from_status="waiting", to_status="called", at=ticket.called_at,
                                      actor=clerk, actor_name=clerk.display_name, window=window))
            if no_show:
                ticket.call_count = 3
                ticket.last_called_at = _at(day, called + 2)
                done_at = called + 2.5
                if done_at <= now_min:
                    ticket.status = TicketStatus.NO_SHOW if is_today else TicketStatus.EXPIRED
                    events.append(TicketEvent(action="no_show", from_status="called", to_status="no_show",
                                              at=_at(day, done_at), actor=clerk, actor_name=clerk.display_name,
                                              window=window))
                else:
                    ticket.status = TicketStatus.CALLED
                free[window.pk] = done_at
            else:
                if started > now_min:
                    ticket.status = TicketStatus.CALLED
                else:
                    ticket.started_at = _at(day, started)
                    events.append(TicketEvent(action="start", from_status="called", to_status="serving",
                                              at=ticket.started_at, actor=clerk, actor_name=clerk.display_name,
                                              window=window))
                    if finished > now_min:
                        ticket.status = TicketStatus.SERVING
                    else:
                        ticket.status = TicketStatus.DONE
                        ticket.finished_at = _at(day, finished)
                        events.append(TicketEvent(action="finish", from_status="serving", to_status="done",
                                                  at=ticket.finished_at, actor=clerk, actor_name=clerk.display_name,
                                                  window=window))
                free[window.pk] = finished + rng.uniform(0.3, 1.2)
            ticket._sim = {"clerk": clerk, "start": started, "finish": finished}
            self.tickets.append(ticket)
            self.ticket_events.append((ticket, events))

    def _sign_in_today(self) -> None:
        half = "am" if timezone.localtime(self.now).hour < 12 else "pm"
        active = {t.window_id for t in self.tickets if t.day == self.today and t.status in ("called", "serving")}
        for window in self.windows:
            clerk = self.rota.get((window.pk, self.today, half))
            if clerk is not None and (window.pk in active or self.rng.random() < 0.9):
                Window.objects.filter(pk=window.pk).update(current_clerk=clerk, signed_in_at=self.now)

    # cases ------------------------------------------------------------------------------------------------------
    def _applicant(self) -> dict:
        rng = self.rng
        if self.residents and rng.random() < 0.75:
            r = rng.choice(self.residents)
            return {"resident": r, "name": r.name, "id": r.id_number, "phone": r.phone, "committee": r.committee}
        birth = dt.date(rng.randint(1940, 2000), rng.randint(1, 12), rng.randint(1, 28))
        area = rng.choice(["310110", "310109", "320106", "340104", "420106"])
        body = f"{area}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        phone = f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
        return {"resident": None, "name": rng.choice(VISITOR_NAMES), "id": body + idcard.check_char(body),
                "phone": phone, "committee": None}

    def _workday_after(self, day: dt.date, n: int) -> dt.date:
        try:
            return workcal.add_working_days(day, n)
        except workcal.CalendarUnavailable:
            return day + dt.timedelta(days=math.ceil(n * 7 / 5))

    def _moment(self, day: dt.date, rng_minutes=(9 * 60, 16 * 60)) -> dt.datetime:
        return _at(day, self.rng.uniform(*rng_minutes))

    def _computable(self, day: dt.date, limit: int) -> bool:
        key = (day, limit)
        if key not in self._computable_cache:
            try:
                _due(day, limit)
                self._computable_cache[key] = True
            except workcal.CalendarUnavailable:
                self._computable_cache[key] = False
        return self._computable_cache[key]

    def _cases(self) -> list[Case]:
        rng = self.rng
        self._computable_cache: dict = {}
        plans = []
        for ticket in self.tickets:
            if ticket.status not in (TicketStatus.DONE, TicketStatus.SERVING):
                continue
            if ticket.category.letter == "F" and rng.random() < 0.7:
                continue
            # The service refuses to accept what it cannot give a due date (no calendar for next year yet).
            items = [i for i in self.items_by_letter.get(ticket.category.letter, [])
                     if self._computable(ticket.day, i.limit_days)]
            if not items:
                continue
            for _n in range(2 if rng.random() < 0.08 else 1):
                plans.append(self._plan(ticket, rng.choice(items)))
        cases = [p["case"] for p in plans]
        Case.objects.bulk_create(cases, batch_size=500)
        materials, events = [], []
        for p in plans:
            for m in p["materials"]:
                m.case = p["case"]
                materials.append(m)
            for e in p["events"]:
                e.case = p["case"]
                events.append(e)
        CaseMaterial.objects.bulk_create(materials, batch_size=2000)
        CaseEvent.objects.bulk_create(events, batch_size=2000)
        return cases

    def _plan(self, ticket: Ticket, item: ServiceItem) -> dict:
        rng = self.rng
        clerk = ticket._sim["clerk"]
        day = ticket.day
        received = min(ticket.started_at + dt.timedelta(minutes=rng.uniform(0.5, 3)), self.now)
        decided_at = min(received + dt.timedelta(minutes=rng.uniform(2, 6)), self.now)
        seq = self._count("CASE", day)
        person = self._applicant()
        case = Case(number=f"SL{day:%y%m%d}{self.sub.code[6:9]}{seq:04d}",
                    check_code=f"{secrets.randbelow(10 ** 6):06d}", node=self.sub, item=item,
                    department=item.department, ticket=ticket, applicant_resident=person["resident"],
                    committee=person["committee"], applicant_name=person["name"], applicant_id_number=person["id"],
                    applicant_id_hash=crypto.keyed_hash(person["id"]),
                    applicant_id_masked=idcard.mask_id_number(person["id"]), applicant_phone=person["phone"],
                    applicant_phone_masked=idcard.mask_phone(person["phone"]), received_at=received,
                    received_by=clerk)
        # 情形材料 apply to about one applicant in five.
        situations = sorted({m.condition for m in item.materials.all() if m.condition and rng.random() < 0.2})
        case.situations = situations
        item_materials = [m for m in item.materials.all() if not m.condition or m.condition in situations]
        optional = [m for m in item_materials if not m.is_key]
        roll = rng.random()
        if item.mode == ItemMode.INSTANT:
            decision = "accept" if roll < 0.9 or not item_materials else ("notify" if roll < 0.98 else "reject")
        elif roll < 0.64:
            decision = "accept"
        elif roll < 0.82 and item_materials:
            decision = "notify"
        elif roll < 0.92 and optional:
            decision = "rongque"
        elif roll < 0.95:
            decision = "reject"
        else:
            decision = "accept"
        missing = set()
        if decision == "notify":
            missing = {m.pk for m in rng.sample(item_materials, k=min(len(item_materials), rng.choice([1, 1, 2])))}
        elif decision == "rongque":
            missing = {rng.choice(optional).pk}
        materials = [CaseMaterial(material=m, name=m.name, is_key=m.is_key, provided=m.pk not in missing,
                                  provided_at=received if m.pk not in missing else None, sort_order=i)
                     for i, m in enumerate(item_materials)]
        intake = CaseEvent(action="intake", to_status="", at=received, actor=clerk, actor_name=clerk.display_name,
                           detail={"item": item.code, "ticket": ticket.number})
        plan = {"case": case, "materials": materials, "events": [intake], "clerk": clerk}

        if decision == "reject":
            case.status, case.closing_reason, case.closed_at = CaseStatus.REJECTED, str(rng.choice(REJECT_REASONS)), \
                decided_at
            intake.to_status = case.status
            self._event(plan, "reject", "", case.status, decided_at, clerk, note=case.closing_reason)
        elif decision == "notify":
            case.status, case.notice_at = CaseStatus.NOTIFIED, decided_at
            intake.to_status = case.status
            self._event(plan, "notify", "", case.status, decided_at, clerk,
                        detail={"missing": [m.name for m in materials if not m.provided]})
            back_at = self._moment(self._workday_after(day, rng.randint(1, 5)))
            if rng.random() < 0.6 and back_at < self.now and self._computable(timezone.localdate(back_at),
                                                                                item.limit_days):
                for m in materials:
                    if not m.provided:
                        m.provided, m.supplemented, m.provided_at = True, True, back_at
                self._event(plan, "supplement", case.status, case.status, back_at, clerk,
                            note="、".join(m.name for m in materials if m.supplemented))
                self._accept(plan, back_at + dt.timedelta(minutes=3), clerk, previous=CaseStatus.NOTIFIED)
            elif (self.today - day).days > 12 and rng.random() < 0.5:
                at = self._moment(self._workday_after(day, 10))
                case.status, case.closing_reason, case.closed_at = CaseStatus.TERMINATED, str(TERMINATE_REASONS[2]), at
                self._event(plan, "terminate", CaseStatus.NOTIFIED, case.status, at, self.supervisor,
                            note=case.closing_reason)
        else:
            if decision == "rongque":
                case.promise_signed, case.rongque_pending = True, True
            intake.to_status = CaseStatus.ACCEPTED
            self._accept(plan, decided_at, clerk, previous="", rongque=decision == "rongque")
        return plan

    @staticmethod
    def _event(plan, action, before, after, when, actor, note="", detail=None):
        plan["events"].append(CaseEvent(action=action, from_status=before or "", to_status=after, at=when,
                                        actor=actor, actor_name=actor.display_name, note=note, detail=detail or {}))

    def _accept(self, plan, at: dt.datetime, clerk, previous, rongque=False) -> None:
        """Acceptance and whatever happened after it up to now: back office, 补正, 办结, 出件."""
        rng = self.rng
        case, materials = plan["case"], plan["materials"]
        item = case.item
        start = timezone.localdate(at)
        case.warn_date, case.due_date = _due(start, item.limit_days)
        case.status, case.accepted_at, case.accepted_by, case.clock_start = CaseStatus.ACCEPTED, at, clerk, start
        if rongque:
            case.rongque_deadline = min(case.due_date, self._workday_after(start, 5))
        self._event(plan, "rongque" if rongque else "accept", previous, CaseStatus.ACCEPTED, at, clerk,
                    detail={"due_date": case.due_date.isoformat()})
        event = lambda *a, **k: self._event(plan, *a, **k)  # noqa: E731
        if rongque:
            back = self._moment(self._workday_after(start, rng.randint(1, 6)))
            if back < self.now and timezone.localdate(back) <= case.rongque_deadline and rng.random() < 0.85:
                for m in materials:
                    if not m.provided:
                        m.provided, m.supplemented, m.provided_at = True, True, back
                case.rongque_pending = False
                event("supplement", CaseStatus.ACCEPTED, CaseStatus.ACCEPTED, back, clerk,
                      note="、".join(m.name for m in materials if m.supplemented))
            elif case.rongque_deadline < self.today and rng.random() < 0.6:
                when = self._moment(self._workday_after(case.rongque_deadline, 1))
                if when < self.now:
                    case.status, case.closing_reason = CaseStatus.TERMINATED, str(TERMINATE_REASONS[0])
                    case.closed_at, case.rongque_pending = when, False
                    event("terminate", CaseStatus.ACCEPTED, case.status, when, self.supervisor,
                          note=case.closing_reason)
                    return
        if item.mode == ItemMode.INSTANT:
            done = at + dt.timedelta(minutes=rng.uniform(2, 8))
            if done > self.now:
                return
            case.status, case.completed_at, case.completed_by, case.on_time = CaseStatus.COMPLETED, done, clerk, True
            event("complete", CaseStatus.ACCEPTED, case.status, done, clerk)
            self._deliver(plan, done + dt.timedelta(minutes=1), clerk)
            return
        officer = self.officers.get(case.department.code) or self.officers["MZ"]
        limit = item.limit_days
        claim = self._moment(self._workday_after(start, rng.randint(0, 1) if limit > 1 else 0))
        if claim > self.now:
            return
        case.status, case.handler = CaseStatus.REVIEWING, officer
        event("claim", CaseStatus.ACCEPTED, case.status, claim, officer)
        if rng.random() < 0.05 and limit >= 5:
            ret = self._moment(self._workday_after(start, max(1, limit // 4)))
            if ret > self.now:
                return
            case.status, case.paused_at, case.return_count = CaseStatus.RETURNED, ret, 1
            try:
                remaining = max(workcal.count_working_days(timezone.localdate(ret), case.due_date), 0)
            except workcal.CalendarUnavailable:
                return
            event("return", CaseStatus.REVIEWING, case.status, ret, officer, note="申请表信息与证件不一致，请补正")
            requested = CaseMaterial(name="更正后的申请表", is_key=True, requested_by_backoffice=True,
                                     sort_order=len(materials))
            materials.append(requested)
            back = self._moment(self._workday_after(timezone.localdate(ret), rng.randint(1, 4)))
            if back > self.now or not self._computable(timezone.localdate(back), limit):
                return
            requested.provided = requested.supplemented = True
            requested.provided_at = back
            # 补正 pauses the clock: it resumes with the working days that were left.
            resumed = timezone.localdate(back)
            case.clock_resumed_on, case.clock_remaining = resumed, remaining
            case.warn_date, case.due_date, case.due_provisional = _due_resumed(resumed, limit, limit - remaining)
            case.status, case.paused_at, start = CaseStatus.ACCEPTED, None, resumed
            event("supplement", CaseStatus.RETURNED, CaseStatus.RETURNED, back, clerk, note=requested.name)
            event("resubmit", CaseStatus.RETURNED, case.status, back + dt.timedelta(minutes=2), clerk)
        late = rng.random() < 0.06
        span = limit + rng.randint(1, 3) if late else max(1, round(limit * rng.uniform(0.3, 0.9)))
        decided = self._moment(self._workday_after(start, span))
        if decided > self.now or case.rongque_pending:
            return
        refused = rng.random() < 0.06
        decided_status = CaseStatus.REFUSED if refused else CaseStatus.APPROVED
        case.status, case.decided_at, case.handler = decided_status, decided, officer
        case.decision_reason = "经核查，申请人不符合认定条件" if refused else "符合条件，同意"
        event("refuse" if refused else "approve", CaseStatus.REVIEWING, case.status, decided, officer,
              note=case.decision_reason)
        completed = decided + dt.timedelta(hours=rng.uniform(1, 30))
        if completed > self.now:
            return
        case.status, case.completed_at, case.completed_by = CaseStatus.COMPLETED, completed, officer
        case.on_time = timezone.localdate(completed) <= case.due_date
        case.result_note = "" if refused else f"证照/批复编号 {case.number[-6:]}"
        event("complete", decided_status, CaseStatus.COMPLETED, completed, officer, note=case.result_note)
        delivered = self._moment(self._workday_after(timezone.localdate(completed), rng.randint(0, 4)))
        if delivered < self.now and rng.random() < 0.9:
            self._deliver(plan, delivered, clerk)

    def _deliver(self, plan, at, clerk) -> None:
        case = plan["case"]
        case.status, case.delivered_at, case.delivered_by = CaseStatus.DELIVERED, at, clerk
        case.delivered_to, case.recipient_name = Recipient.APPLICANT, case.applicant_name
        case.recipient_id_masked = case.applicant_id_masked
        self._event(plan, "deliver", CaseStatus.COMPLETED, case.status, at, clerk,
                    note=f"交付申请人本人 {case.applicant_name}（身份证读卡器）")

    # reviews ------------------------------------------------------------------------------------------------
    def _reviews(self, cases) -> tuple[int, int]:
        rng = self.rng
        reviewed_cases = set()
        by_ticket: dict[int, list[Case]] = {}
        for case in cases:
            by_ticket.setdefault(case.ticket_id, []).append(case)
        reviews = []
        from .choices import REVIEW_TAGS

        bad_tags = [str(t) for t in REVIEW_TAGS[:7]]
        good_tags = [str(t) for t in REVIEW_TAGS[7:]]
        for ticket in self.tickets:
            if ticket.status != TicketStatus.DONE or rng.random() > 0.45:
                continue
            score = rng.choices([5, 4, 3, 2, 1], [80, 12, 5, 2, 1])[0]
            ticket_cases = by_ticket.get(ticket.pk, [])
            case = ticket_cases[0] if len(ticket_cases) == 1 else None
            channel = ReviewChannel.WINDOW if case is None or rng.random() < 0.7 else ReviewChannel.WEB
            poor = score <= 2
            at = ticket.finished_at + dt.timedelta(minutes=rng.uniform(0.2, 3)) if channel == ReviewChannel.WINDOW \
                else ticket.finished_at + dt.timedelta(hours=rng.uniform(2, 48))
            if at > self.now:
                continue
            department = case.department if case and case.status in (CaseStatus.COMPLETED, CaseStatus.DELIVERED) \
                and case.item.mode == ItemMode.PROMISE and poor and rng.random() < 0.5 else None
            reviews.append(Review(node=self.sub, case=case, ticket=ticket, window=ticket.window, clerk=ticket.clerk,
                                  department=department, score=score,
                                  tags=rng.sample(bad_tags, 1) if poor else (rng.sample(good_tags, 1)
                                                                             if rng.random() < 0.4 else []),
                                  comment=rng.choice(POOR_COMMENTS) if poor else rng.choice(GOOD_COMMENTS),
                                  channel=channel, created_at=at))
            if case:
                reviewed_cases.add(case.pk)
        Review.objects.bulk_create(reviews, batch_size=1000)
        rects, rect_events = [], []
        for review in reviews:
            if review.score > 2:
                continue
            rect = Rectification(review=review, node=self.sub, department=review.department,
                                 created_at=review.created_at)
            start = timezone.localdate(review.created_at)
            rect.contact_deadline = self._workday_after(start, 1)
            rect.deadline = self._workday_after(start, 5)
            handler = self.officers.get(review.department.code) if review.department else self.supervisor
            steps = [("open", "", RectificationStatus.OPEN, review.created_at, None, "差评自动生成整改任务")]
            age = (self.today - start).days
            if age >= 1 or rng.random() < 0.3:
                at = review.created_at + dt.timedelta(hours=rng.uniform(1, 20))
                if at < self.now:
                    rect.status, rect.contacted_at = RectificationStatus.CONTACTED, at
                    rect.contact_method = ContactMethod.PHONE
                    rect.contact_note = "已电话联系评价人，了解情况并致歉"
                    steps.append(("contact", RectificationStatus.OPEN, rect.status, at, handler, rect.contact_note))
            if age >= 4 and rect.status == RectificationStatus.CONTACTED:
                at = self._moment(self._workday_after(start, rng.randint(2, 4)))
                if at < self.now:
                    rect.status, rect.rectified_at = RectificationStatus.RECTIFIED, at
                    rect.measures = "已在窗口张贴材料清单，组织窗口人员开展一次性告知培训"
                    steps.append(("rectify", RectificationStatus.CONTACTED, rect.status, at, handler, rect.measures))
            if age >= 6 and rect.status == RectificationStatus.RECTIFIED:
                at = self._moment(self._workday_after(start, 5))
                if at < self.now:
                    rect.status, rect.callback_at = RectificationStatus.CLOSED, at
                    rect.callback_result = CallbackResult.SATISFIED
                    rect.callback_note, rect.closed_at = "回访评价人，对整改结果表示满意", at
                    steps.append(("close", RectificationStatus.RECTIFIED, rect.status, at, handler, rect.callback_note))
            rects.append(rect)
            rect_events.append(steps)
        Rectification.objects.bulk_create(rects)
        RectificationEvent.objects.bulk_create([
            RectificationEvent(rectification=rect, action=a, from_status=f, to_status=t, at=at, actor=u,
                               actor_name=u.display_name if u else "系统", note=note)
            for rect, steps in zip(rects, rect_events) for a, f, t, at, u, note in steps])
        return len(reviews), len(rects)

    # 民生档案 -------------------------------------------------------------------------------------------------
    def _archives(self) -> int:
        rng = self.rng
        archive = Department.objects.filter(code="DA").first()
        officer = self.officers.get("DA")
        days = sorted({t.day for t in self.tickets})
        created = 0
        for day in days:
            for _n in range(rng.randint(1, 3)):
                person = self._applicant()
                code = rng.choice(["marriage", "marriage", "only_child", "zhiqing_down", "school", "veteran"])
                relation = ArchiveRelation.SELF
                if code == "only_child" and rng.random() < 0.4:
                    relation = ArchiveRelation.PARENT
                if rng.random() < 0.08:
                    relation = ArchiveRelation.AGENT
                clerk = rng.choice(self.clerks)
                at = self._moment(day, (9 * 60, 15.5 * 60))
                if at > self.now:
                    continue
                from .services.archives import refusal_reason

                reason = refusal_reason(code, relation)
                seq = self._count("DA", day)
                req = ArchiveRequest(
                    number=f"DA{day:%y%m%d}{self.sub.code[6:9]}{seq:04d}", node=self.sub, record_type=code,
                    requester_name=person["name"], requester_id_number=person["id"],
                    requester_id_hash=crypto.keyed_hash(person["id"]),
                    requester_id_masked=idcard.mask_id_number(person["id"]), requester_resident=person["resident"],
                    relation=relation, subject_name=person["name"] if relation == ArchiveRelation.SELF else "王某某",
                    id_check=rng.choice([IdCheck.CARD_READER, IdCheck.CARD_READER, IdCheck.FACE, IdCheck.SUISHENBAN]),
                    purpose=rng.choice(["办理退休手续", "子女入学", "房屋继承公证", "补办证件"]),
                    status=ArchiveStatus.REFUSED if reason else ArchiveStatus.SUBMITTED, refusal_reason=reason,
                    archive=archive, created_at=at, created_by=clerk)
                if not reason and at + dt.timedelta(minutes=35) < self.now:
                    found = rng.random() < 0.85
                    req.status = ArchiveStatus.FOUND if found else ArchiveStatus.NOT_FOUND
                    req.result_at, req.result_by = at + dt.timedelta(minutes=rng.uniform(20, 40)), officer or clerk
                    req.file_reference = f"A{rng.randint(1980, 2005)}-{rng.randint(1, 999):03d}" if found else ""
                    req.pages = rng.randint(1, 6) if found else 0
                    req.result_note = "" if found else "区档案馆未查到相应档案"
                    if found:
                        req.status, req.copies = ArchiveStatus.ISSUED, rng.randint(1, 2)
                        req.issued_at, req.issued_by = req.result_at + dt.timedelta(minutes=5), clerk
                req.save()
                for action, when, actor, decision, copies in _archive_steps(req):
                    row = ArchiveAccessLog(at=when, user=actor, username=actor.username, role=actor.role,
                                           action=action, request=req, request_number=req.number,
                                           record_type=req.record_type, requester_id_masked=req.requester_id_masked,
                                           requester_id_hash=req.requester_id_hash, relation=req.relation,
                                           id_check=req.id_check, purpose=req.purpose, decision=decision,
                                           copies=copies, detail={"via": "seed_demo"})
                    row.save()
                created += 1
        return created


def _archive_steps(req):
    refused = req.status == ArchiveStatus.REFUSED
    steps = [("refuse" if refused else "request", req.created_at, req.created_by,
              str((ArchiveStatus.REFUSED if refused else ArchiveStatus.SUBMITTED).label), 0)]
    if req.result_at:
        steps.append(("result", req.result_at, req.result_by,
                      str(ArchiveStatus.NOT_FOUND.label if req.status == ArchiveStatus.NOT_FOUND
                          else ArchiveStatus.FOUND.label), 0))
    if req.issued_at:
        steps.append(("issue", req.issued_at, req.issued_by, str(ArchiveStatus.ISSUED.label), req.copies))
    return steps


def _due(start: dt.date, limit: int):
    from .services.cases import due_dates

    return due_dates(start, limit)


def _due_resumed(start: dt.date, limit: int, used: int):
    from .services.cases import due_preview

    return due_preview(start, limit, used)
