"""Six residents ask for two places and one wait-list place at the same moment: exactly two get a place, one is
waitlisted and the others are refused with a 409, never an over-filled event."""

import pytest

from shequ.core.errors import ConflictError
from shequ.core.testing import run_threads
from shequ.events import services
from shequ.events.models import Event, Registration

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_registrations_never_overfill(event, residents, threaded_db):
    def register(index):
        return services.registration_create(actor=residents[index], event=Event.objects.get(pk=event.pk))

    results = run_threads(register, 6, timeout=60)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, ConflictError)]
    assert not unexpected, unexpected
    statuses = run_threads(lambda i: sorted(Registration.objects.values_list("status", flat=True)), 1)[0]
    assert statuses == ["registered", "registered", "waitlisted"]
