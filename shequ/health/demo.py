"""Demo data of the family-doctor contracts: the institutions of "1+1+1" around 延吉新村街道, the family doctors of
the 延吉 centre and contracts for about a quarter of the households (the seed: 7,000+ households of the 街道
signed family-doctor agreements), the elderly first; several contracts fall due within the next 60 days. The
demo `resident` login's household is signed, one contract due soon. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind, Role
from shequ.core.models import Node
from shequ.people import selectors as people_selectors
from shequ.people import services as people_services
from shequ.portal import services as portal_services

from . import services
from .choices import ContractStatus, InstitutionLevel
from .models import Contract, ContractEvent, Doctor, Institution

INSTITUTIONS = [
    ("杨浦区延吉社区卫生服务中心", InstitutionLevel.COMMUNITY, "延吉新村街道", "021-65430000"),
    ("杨浦区延吉社区卫生服务中心延吉七村服务站", InstitutionLevel.COMMUNITY, "延吉七村睦邻中心内", ""),
    ("杨浦区中心医院", InstitutionLevel.DISTRICT, "腾越路450号", ""),
    ("杨浦区市东医院", InstitutionLevel.DISTRICT, "临青路", ""),
    ("杨浦区控江医院", InstitutionLevel.DISTRICT, "控江路", ""),
    ("上海交通大学医学院附属新华医院", InstitutionLevel.CITY, "控江路1665号", ""),
    ("海军军医大学第一附属医院（长海医院）", InstitutionLevel.CITY, "长海路168号", ""),
    ("复旦大学附属中山医院", InstitutionLevel.CITY, "徐汇区医学院路", ""),
    ("复旦大学附属华山医院", InstitutionLevel.CITY, "静安区乌鲁木齐中路", ""),
]
# (name, title, team, centre index). Phones are synthetic (the demo's numbering, not real lines).
DOCTORS = [
    ("沈丽华", "主治医师", "延吉第一团队", 0), ("顾建平", "副主任医师", "延吉第二团队", 0),
    ("陆晓燕", "主治医师", "延吉第三团队", 0), ("蔡志明", "主治医师", "延吉第四团队", 0),
    ("朱雪梅", "医师", "延吉第五团队", 0), ("钱文斌", "主治医师", "延吉第六团队", 0),
    ("金玉兰", "主治医师", "延吉七村团队", 1), ("唐海峰", "医师", "延吉七村团队", 1),
]
CONDITIONS = ["高血压", "2型糖尿病", "高血压、2型糖尿病", "冠心病", "慢性阻塞性肺疾病", "高血压、冠心病"]


def _institutions() -> list[Institution]:
    out = []
    for name, level, address, phone in INSTITUTIONS:
        inst, _created = Institution.objects.get_or_create(name=name, defaults={
            "level": level, "address": address, "phone": phone,
            "district": "杨浦区" if "区" in name or level == InstitutionLevel.COMMUNITY or "新华" in name
            or "长海" in name else "徐汇区" if "中山" in name else "静安区"})
        out.append(inst)
    return out


def _doctors(institutions: list[Institution]) -> list[Doctor]:
    out = []
    for i, (name, title, team, centre) in enumerate(DOCTORS):
        doctor = Doctor.objects.filter(name=name, team=team).first()
        if doctor is None:
            doctor = Doctor(name=name, title=title, team=team, institution=institutions[centre],
                            phone=f"1391620{i:04d}", capacity=2000)
            doctor.save()
        out.append(doctor)
    return out


def seed(*, stdout, password: str, rng: random.Random) -> None:
    institutions = _institutions()
    doctors = _doctors(institutions)
    district = [i for i in institutions if i.level == InstitutionLevel.DISTRICT]
    city = [i for i in institutions if i.level == InstitutionLevel.CITY]
    if Contract.objects.filter(source="demo").exists():
        stdout.write(f"  家庭医生签约：已有 {Contract.objects.count()} 份，跳过")
        return
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT, name="延吉新村街道").first()
    User = get_user_model()
    officer = _health_officer(sub, password)
    leader = User.objects.filter(role=Role.LEADER, username="leader").first()
    if sub is None or officer is None:
        stdout.write("  家庭医生签约：没有延吉新村街道或演示用户，跳过")
        return
    rng = random.Random(2027)
    today = timezone.localdate()
    residents = people_selectors.resident_sample(under=sub, limit=100000)
    households: dict = {}
    for r in residents:
        households.setdefault(r.household_id or -r.pk, []).append(r)
    chronic = _chronic_tag(residents)
    with transaction.atomic():
        rows, events, chronic_marked = [], [], 0
        for key in sorted(households, key=lambda k: (k is None, k)):
            members = households[key]
            elderly = any(m.age >= 60 for m in members)
            if rng.random() > (0.32 if elderly else 0.06):
                continue
            doctor = rng.choice(doctors)
            d_hosp = rng.choice(district) if rng.random() < 0.9 else None
            c_hosp = rng.choice(city) if rng.random() < 0.85 else None
            end = today + dt.timedelta(days=rng.randint(-20, 700))
            years = 1 if rng.random() < 0.7 else 2
            start = services.add_years(end + dt.timedelta(days=1), -years)
            for m in members:
                if m.age < 18 and rng.random() < 0.5:
                    continue
                conditions = ""
                if m.age >= 55 and rng.random() < 0.35:
                    conditions = rng.choice(CONDITIONS)
                rows.append(Contract(number=f"D{m.pk:019d}"[:20], resident=m, committee_id=m.committee_id,
                                     household_id=m.household_id, doctor=doctor, district_hospital=d_hosp,
                                     city_hospital=c_hosp, start_date=start, end_date=end, conditions=conditions,
                                     has_conditions=bool(conditions), source="demo", signed_by=officer))
        Contract.objects.bulk_create(rows, batch_size=500)
        for c in Contract.objects.filter(source="demo", number__startswith="D"):
            Contract.objects.filter(pk=c.pk).update(number=f"QY{c.start_date:%Y}{c.pk:07d}")
            events.append(ContractEvent(contract=c, action="sign", actor=officer,
                                        at=timezone.make_aware(dt.datetime.combine(c.start_date, dt.time(9, 30)))))
        ContractEvent.objects.bulk_create(events, batch_size=1000)
        audit_record(actor=officer, action=AuditAction.IMPORT, object_type="health.contract",
                     detail={"via": "demo", "rows": len(rows)})
    _history(officer, rng)
    _resident_household(officer, doctors, district, city)
    if chronic is not None:
        chronic_marked = _mark_chronic(officer, chronic, residents, rng)
    if leader is not None:
        services.coverage_refresh(actor=leader)
    due = Contract.objects.filter(status=ContractStatus.ACTIVE, end_date__lte=today + dt.timedelta(days=60)).count()
    signed = Contract.objects.filter(status=ContractStatus.ACTIVE).values("household_id").distinct().count()
    stdout.write(f"  家庭医生签约：{len(institutions)} 家机构，{len(doctors)} 位家庭医生，"
                 f"{Contract.objects.count()} 份协议（{len(households)} 户中 {signed} 户签约），{due} 份60天内到期，"
                 f"{chronic_marked} 位慢病居民")


def _health_officer(sub, password):
    """The back-office officer of the health commission (卫健, `settings.SHEQU_DEPARTMENTS["health"]`), who holds
    the family-doctor work among officers: the demo's `officer_wj`, created once."""
    from django.conf import settings

    from shequ.core.models import Department
    from shequ.core.services import user_create

    User = get_user_model()
    department = Department.objects.filter(code=settings.SHEQU_DEPARTMENTS.get("health", "")).first()
    if sub is None or department is None:
        return None
    officer = User.objects.filter(role=Role.DEPT_OFFICER, department=department).order_by("id").first()
    return officer or user_create(actor=None, username="officer_wj", full_name="沈卫平", role=Role.DEPT_OFFICER,
                                  password=password, nodes=[sub], department=department,
                                  password_is_temporary=False)


def _history(officer, rng) -> None:
    """A few renewals, switches and terminations through the services, so the detail pages have a history."""
    today = timezone.localdate()
    due = list(Contract.objects.filter(status=ContractStatus.ACTIVE, end_date__lte=today + dt.timedelta(days=60))
               .order_by("id")[:12])
    for i, contract in enumerate(due[:8]):
        if i % 4 == 0:
            services.contract_renew(actor=officer, contract=contract, years=1)
        elif i % 4 == 1:
            services.contract_terminate(actor=officer, contract=contract, reason="moved", note="")
    later = list(Contract.objects.filter(status=ContractStatus.ACTIVE, end_date__gt=today + dt.timedelta(days=200))
                 .order_by("id")[:3])
    others = list(Doctor.objects.filter(is_active=True).order_by("id"))
    for contract in later:
        replacement = next(d for d in others if d.pk != contract.doctor_id)
        services.contract_switch(actor=officer, contract=contract, doctor=replacement,
                                 district_hospital=contract.district_hospital, city_hospital=contract.city_hospital)


def _resident_household(officer, doctors, district, city) -> None:
    """The demo `resident` login: his own contract falls due in 30 days; his family members are signed too."""
    user = get_user_model().objects.filter(username="resident", role=Role.RESIDENT).first()
    if user is None:
        return
    account = portal_services.account_for(user)
    if account.resident is None:
        return
    today = timezone.localdate()
    people = [account.resident] + list(people_selectors.household_members(household=account.resident.household)
                                       if account.resident.household else [])
    seen = set()
    for person in people:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        Contract.objects.filter(resident=person, status=ContractStatus.ACTIVE).update(
            status=ContractStatus.TERMINATED, terminate_reason="other", terminate_note="演示数据重排",
            closed_at=timezone.now())
        end = today + dt.timedelta(days=30 if person.pk == account.resident_id else 300)
        services.contract_sign(actor=officer, resident=person, doctor=doctors[0], district_hospital=district[0],
                               city_hospital=city[0], start_date=services.add_years(end + dt.timedelta(days=1), -1),
                               end_date=end)


def _chronic_tag(residents):
    """The registry's 慢病 tag (created by this app's migration), read off a resident's tag relation."""
    if not residents:
        return None
    return residents[0].tags.model.objects.filter(code="chronic").first()


def _mark_chronic(officer, tag, residents, rng) -> int:
    """Residents whose contract records a chronic condition carry the registry's 慢病 tag, and a few unsigned
    elderly too (the group's denominator is the registry, not the contracts)."""
    signed = set(Contract.objects.filter(status=ContractStatus.ACTIVE).values_list("resident_id", flat=True))
    ids = list(Contract.objects.filter(has_conditions=True, status=ContractStatus.ACTIVE)
               .values_list("resident_id", flat=True)[:400])
    ids += [r.pk for r in residents if r.pk not in signed and r.age >= 60 and rng.random() < 0.15]
    marked = 0
    for pk in ids:
        resident = people_selectors.resident_get(user=officer, pk=pk)
        tags = list(resident.tags.all())
        if tag not in tags:
            people_services.resident_update(actor=officer, resident=resident, data={}, committee=None,
                                            tags=tags + [tag])
            marked += 1
    return marked
