import datetime as dt
from decimal import Decimal

import pytest

from shequ.core.choices import Role
from shequ.core.testing import make_resident, make_user, valid_id_number
from shequ.facilities.services import facility_create, facility_staff_assign
from shequ.people.selectors import tags_by_code

# Fixed "now" for every test that depends on the clock: Wednesday 2 December 2026, 10:00 in Shanghai.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TODAY = NOW.date()


@pytest.fixture
def clock():
    import time_machine

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def born(age: int, *, days_after_birthday: int = 10) -> dt.date:
    """A birth date making someone exactly `age` on TODAY, `days_after_birthday` days past the birthday."""
    day = TODAY - dt.timedelta(days=days_after_birthday)
    return day.replace(year=day.year - age)


@pytest.fixture
def places(tree, personas):
    from shequ.eldercare.models import Canteen, DeliveryRoute, MealTier
    from shequ.eldercare.tiers import ensure_default_tiers

    ensure_default_tiers(MealTier)  # a transactional test's flush removes the migration's rows
    officer = personas["officer"]
    canteen_facility = facility_create(actor=officer, level="canteen", name="延吉睦邻中心长者食堂", node=tree["sub"],
                                       address="延吉中路99号")
    point_facility = facility_create(actor=officer, level="canteen", name="控江路645弄助餐点", node=tree["kongjiang"],
                                     address="控江路645弄1号")
    daycare = facility_create(actor=officer, level="day_care", name="延吉日间照料中心", node=tree["sub"],
                              address="延吉中路99号2楼")
    home = facility_create(actor=officer, level="care_home", name="延吉敬老院", node=tree["dunhua"],
                           address="敦化路100号")
    other = facility_create(actor=officer, level="canteen", name="殷行长者食堂", node=tree["other_sub"],
                            address="殷行路1号")
    canteen = Canteen.objects.create(facility=canteen_facility, breakfast_price=Decimal("5.00"),
                                     lunch_price=Decimal("15.00"), dinner_price=Decimal("12.00"),
                                     cutoff_time=dt.time(16, 0), cutoff_days_before=1)
    point = Canteen.objects.create(facility=point_facility, kind="meal_point", kitchen=canteen,
                                   lunch_price=Decimal("15.00"), cutoff_time=dt.time(9, 0), cutoff_days_before=0)
    other_canteen = Canteen.objects.create(facility=other, lunch_price=Decimal("14.00"))
    route = DeliveryRoute.objects.create(canteen=canteen, name="敦化路线")
    cook = make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="cook")
    facility_staff_assign(actor=None, facility=canteen_facility, user=cook)
    nurse = make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="nurse")
    facility_staff_assign(actor=None, facility=daycare, user=nurse)
    warden = make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="warden")
    facility_staff_assign(actor=None, facility=home, user=warden)
    stranger = make_user(Role.FACILITY_OPERATOR, [tree["other_sub"]], username="stranger")
    facility_staff_assign(actor=None, facility=other, user=stranger)
    return {"canteen": canteen, "point": point, "other_canteen": other_canteen, "route": route, "daycare": daycare,
            "home": home, "cook": cook, "nurse": nurse, "warden": warden, "stranger": stranger}


@pytest.fixture
def elder(tree, personas):
    """Make a resident of 敦化路 (or another committee) of a given age on TODAY."""

    def _make(age: int = 82, *, committee="dunhua", tags=(), hukou="registered", name="王秀英", birth=None,
              **data):
        birth = birth or born(age)
        return make_resident(personas["dunhua"] if committee == "dunhua" else personas["officer"],
                             tree[committee], name=name, birth_date=birth,
                             id_number=valid_id_number(birth=birth, male=False), gender="F",
                             hukou_type=hukou, tags=tags_by_code(codes=tags), **data)

    return _make


@pytest.fixture
def enrolled(places, personas, elder, clock):
    from shequ.eldercare.services import meal_enrol

    def _make(age: int = 82, **kw):
        resident = elder(age, **kw)
        actor = personas["dunhua"] if kw.get("committee", "dunhua") == "dunhua" else personas["officer"]
        meal_enrol(actor=actor, resident=resident, canteen=places["canteen"], route=places["route"])
        return resident

    return _make
