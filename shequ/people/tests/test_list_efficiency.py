"""Lists never decrypt: they show the stored masked ID numbers and phones (a 50-row API page would otherwise
decrypt 100 Fernet tokens)."""

from unittest import mock

from shequ.core.testing import make_resident
from shequ.people import selectors

ID = "11010519491231002X"


def _no_decrypt(token):
    raise AssertionError("a list decrypted a field")


def test_it_lists_residents_without_decrypting(personas, tree, api_as, client_as):
    make_resident(personas["dunhua"], tree["dunhua"], name="张三", id_number=ID, phone="13800138000")
    with mock.patch("shequ.core.crypto.decrypt", _no_decrypt):
        rows = api_as(personas["dunhua"]).get("/api/v1/residents/").json()["results"]
        assert [(r["name"], r["id_number"], r["phone"]) for r in rows] == [("张三", "1101**********002X",
                                                                             "138****8000")]
        page = client_as(personas["dunhua"]).get("/people/")
        assert page.status_code == 200 and "1101**********002X" in page.content.decode()
        found = api_as(personas["dunhua"]).get(f"/api/v1/residents/?search={ID}").json()["results"]
        assert [r["name"] for r in found] == ["张三"]


def test_it_still_reads_the_clear_id_number_of_a_listed_resident_on_demand(personas, tree):
    make_resident(personas["dunhua"], tree["dunhua"], name="张三", id_number=ID)
    resident = selectors.resident_list(user=personas["dunhua"]).get()
    assert {"id_number", "phone"} <= resident.get_deferred_fields()
    assert resident.id_number == ID
