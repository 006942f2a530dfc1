"""Builders for the family-doctor tests (unit and browser): the institutions, two doctors, and residents built
through the registry's own services."""

from __future__ import annotations

import datetime as dt

from .choices import InstitutionLevel
from .models import Doctor, Institution


def build_health() -> dict:
    centre = Institution.objects.create(name="杨浦区延吉社区卫生服务中心", level=InstitutionLevel.COMMUNITY)
    district = Institution.objects.create(name="杨浦区中心医院", level=InstitutionLevel.DISTRICT)
    city = Institution.objects.create(name="上海交通大学医学院附属新华医院", level=InstitutionLevel.CITY)
    city2 = Institution.objects.create(name="复旦大学附属中山医院", level=InstitutionLevel.CITY)
    shen = Doctor(name="沈丽华", team="延吉第一团队", institution=centre, phone="13916200001")
    shen.save()
    gu = Doctor(name="顾建平", team="延吉第二团队", institution=centre, phone="13916200002")
    gu.save()
    return {"centre": centre, "district": district, "city": city, "city2": city2, "shen": shen, "gu": gu}


def sign(actor, resident, health: dict, *, start: dt.date, years: int = 1, doctor=None, conditions: str = ""):
    from . import services

    return services.contract_sign(actor=actor, resident=resident, doctor=doctor or health["shen"],
                                  district_hospital=health["district"], city_hospital=health["city"],
                                  start_date=start, end_date=services.term_end(start, years), conditions=conditions)
