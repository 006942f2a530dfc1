from django.utils import translation

from shequ.acceptance.models import Case as AcceptanceCase
from shequ.core.api_fields import ChoiceLabelField
from shequ.grid.models import Case as GridCase


def test_it_labels_a_choice_exactly_like_get_display():
    for model in (GridCase, AcceptanceCase):
        field = ChoiceLabelField(model._meta.get_field("status").choices, source="status")
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for value, _label in model._meta.get_field("status").choices:
                    assert field.to_representation(value) == model(status=value).get_status_display()
        assert field.to_representation("no-such-state") == "no-such-state"
