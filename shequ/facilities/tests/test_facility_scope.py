import pytest
from django.http import Http404

from shequ.core.choices import Role
from shequ.core.errors import ConflictError, DomainError
from shequ.core.testing import make_user
from shequ.facilities import selectors, services
from shequ.facilities.choices import FacilityLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(tree, personas):
    centre = services.facility_create(actor=personas["leader"], level=FacilityLevel.NEIGHBOURHOOD_CENTRE,
                                      name="敦化路睦邻中心", node=tree["dunhua"], address="敦化路1号",
                                      lng="121.53", lat="31.28")
    shop = services.facility_create(actor=personas["leader"], level=FacilityLevel.OTHER, name="敦化路慈善超市",
                                    node=tree["dunhua"], address="敦化路1号", parent=centre)
    other = services.facility_create(actor=personas["leader"], level=FacilityLevel.NEIGHBOURHOOD_POINT,
                                     name="殷行一村睦邻点", node=tree["yinxing"], address="殷行路1号")
    return centre, shop, other


def test_it_scopes_an_operator_to_his_facility_and_its_children(tree, personas, network):
    centre, shop, other = network
    operator = make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="op1")
    services.facility_staff_assign(actor=None, facility=centre, user=operator)
    assert set(selectors.facility_list(user=operator)) == {centre, shop}
    with pytest.raises(Http404):
        selectors.facility_get(user=operator, pk=other.pk)


def test_it_scopes_staff_to_their_jurisdiction(personas, network):
    centre, shop, other = network
    assert set(selectors.facility_list(user=personas["dunhua"])) == {centre, shop}
    assert set(selectors.facility_list(user=personas["yinxing"])) == {other}


def test_it_refuses_bad_input_and_duplicates(tree, personas, network):
    with pytest.raises(DomainError) as exc:
        services.facility_create(actor=personas["leader"], level="x", name="", node=tree["dunhua"],
                                 address="", lng="abc", lat="99")
    assert set(exc.value.errors) == {"level", "name", "address", "lng", "lat"}
    with pytest.raises(ConflictError):
        services.facility_create(actor=personas["leader"], level=FacilityLevel.OTHER, name="敦化路睦邻中心",
                                 node=tree["dunhua"], address="x")
    with pytest.raises(DomainError):
        services.facility_staff_assign(actor=personas["secadmin"], facility=network[0], user=personas["dunhua"])
