"""Demo data of the residents' side: the `resident` login bound to a registered resident of 敦化路, `resident01` …
`resident12` bound to residents of twelve other committees, and appointment slots for the next ten working days.
Idempotent: a second run creates nothing."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from shequ.acceptance.models import QueueCategory, Window
from shequ.core import idcard, workcal
from shequ.core.choices import NodeKind, Role
from shequ.core.crypto import keyed_hash
from shequ.core.errors import DomainError
from shequ.core.models import Node, User
from shequ.core.services import user_create
from shequ.people.choices import Relation
from shequ.people.models import Resident

from .models import AppointmentSlot, ResidentAccount

SLOT_TIMES = [((9, 0), (10, 0)), ((10, 0), (11, 0)), ((13, 30), (14, 30)), ((14, 30), (16, 0))]
SLOT_CAPACITY = 6


def _pick_resident(committee: Node) -> Resident | None:
    """An adult head of household (18–59) with a parent or spouse in the household, so 代办 can be shown."""
    today = timezone.localdate()
    qs = (Resident.objects.filter(committee=committee, is_active=True, relation=Relation.HEAD,
                                  birth_date__lte=today.replace(year=today.year - 18),
                                  birth_date__gt=today.replace(year=today.year - 60), portal_account__isnull=True)
          .exclude(household__isnull=True).order_by("id"))
    fallback = None
    for resident in qs[:200]:
        fallback = fallback or resident
        if Resident.objects.filter(household_id=resident.household_id, is_active=True,
                                   relation__in=[Relation.PARENT, Relation.SPOUSE]).exists():
            return resident
    return fallback


def _bind(user: User, resident: Resident, serial: int) -> ResidentAccount:
    phone = f"1390000{serial:04d}"
    now = timezone.now()
    account, _created = ResidentAccount.objects.get_or_create(user=user, defaults={
        "phone": phone, "phone_hash": keyed_hash(phone), "phone_masked": idcard.mask_phone(phone)})
    if not account.resident_id:
        account.resident, account.bound_at = resident, now
        account.consent_version, account.consent_at = "2026-12", now
        account.save()
        user.full_name = resident.name
        user.save(update_fields=["full_name"])
    return account


def seed(*, stdout, password: str, rng: random.Random) -> None:
    committees = list(Node.objects.filter(kind=NodeKind.COMMITTEE, code__startswith="310110015").order_by("code"))
    if not committees or not Resident.objects.filter(committee__in=committees).exists():
        stdout.write("  居民端：没有居民数据，跳过")
        return
    bound = 0
    with transaction.atomic():
        dunhua = next((c for c in committees if c.name.startswith("敦化路")), committees[0])
        user = User.objects.filter(username="resident").first()
        if user is not None and not getattr(getattr(user, "resident_account", None), "resident_id", None):
            resident = _pick_resident(dunhua)
            if resident:
                _bind(user, resident, 0)
                bound += 1
        others = [c for c in committees if c.pk != dunhua.pk][:12]
        for index, committee in enumerate(others, start=1):
            username = f"resident{index:02d}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(actor=None, username=username, full_name="", role=Role.RESIDENT, password=password,
                                   password_is_temporary=False)
            if getattr(getattr(user, "resident_account", None), "resident_id", None):
                continue
            resident = _pick_resident(committee)
            if resident:
                _bind(user, resident, index)
                bound += 1
        slots = _publish_slots()
    stdout.write(f"  居民端：绑定居民账号 {bound} 个；新发布预约时段 {slots} 个")


def _publish_slots() -> int:
    supervisor = User.objects.filter(role=Role.HALL_SUPERVISOR).order_by("id").first()
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT, code__startswith="310110015").first()
    if supervisor is None or sub is None:
        return 0
    categories = [c for c in QueueCategory.objects.filter(is_active=True).order_by("letter")
                  if Window.objects.filter(node=sub, is_active=True, categories=c).exists()]
    day, days, created = timezone.localdate(), [], 0
    try:
        while len(days) < 10:
            day += dt.timedelta(days=1)
            if workcal.is_workday(day):
                days.append(day)
    except DomainError:  # next year's holiday schedule not entered yet: publish what is known
        pass
    for d in days:
        for category in categories:
            for (sh, sm), (eh, em) in SLOT_TIMES:
                _obj, made = AppointmentSlot.objects.get_or_create(
                    node=sub, date=d, start=dt.time(sh, sm), category=category,
                    defaults={"end": dt.time(eh, em), "capacity": SLOT_CAPACITY, "created_by": supervisor})
                created += made
    return created
