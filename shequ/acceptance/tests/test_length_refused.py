"""Text longer than its field is refused with the limit, never cut: a material's note, a queue category's
description and the note of a transfer. The refusal saves nothing; text at the limit is kept whole."""

import pytest

from shequ.acceptance import services
from shequ.acceptance.models import ItemMaterial, QueueCategory, ServiceItem, TicketEvent
from shequ.core.errors import DomainError

pytestmark = pytest.mark.django_db


def _item(centre, note):
    return services.item_save(actor=centre["supervisor"], materials=[{"name": "身份证", "note": note}], data={
        "code": "NEW-01", "name": "新事项", "department": centre["dibao"].department, "category": "其他",
        "queue_category": centre["A"], "mode": "promise", "limit_days": 10})


def test_a_material_note_longer_than_200_is_refused(centre):
    with pytest.raises(DomainError) as caught:
        _item(centre, "注" * 201)
    assert "200" in caught.value.message and "materials" in caught.value.errors
    assert not ServiceItem.objects.filter(code="NEW-01").exists()
    _item(centre, "注" * 200)
    assert ItemMaterial.objects.get(item__code="NEW-01").note == "注" * 200


def test_a_category_description_longer_than_120_is_refused(centre):
    with pytest.raises(DomainError) as caught:
        services.category_save(actor=centre["supervisor"], letter="Q", name="新类别", description="说" * 121)
    assert "120" in caught.value.message and "description" in caught.value.errors
    assert not QueueCategory.objects.filter(letter="Q").exists()
    saved = services.category_save(actor=centre["supervisor"], letter="Q", name="新类别", description="说" * 120)
    assert saved.description == "说" * 120


def test_a_transfer_note_longer_than_100_is_refused_and_the_visitor_stays_at_the_window(centre):
    ticket = services.ticket_issue(node=centre["sub"], category="A", actor=centre["clerk"])
    services.window_call_next(actor=centre["clerk"], window=centre["w1"])
    with pytest.raises(DomainError) as caught:
        services.window_transfer(actor=centre["clerk"], window=centre["w1"], to_category=centre["B"], note="转" * 101)
    assert "100" in caught.value.message
    ticket.refresh_from_db()
    assert ticket.category == centre["A"] and ticket.transfer_count == 0
    services.window_transfer(actor=centre["clerk"], window=centre["w1"], to_category=centre["B"], note="转" * 100)
    assert TicketEvent.objects.get(ticket=ticket, action="transfer").note.endswith("；" + "转" * 100)
