"""`core.web.service_call`: how a page runs one service for a bound form."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from shequ.core.errors import DomainError, Forbidden
from shequ.core.web import service_call

pytestmark = pytest.mark.django_db


class NameForm(forms.Form):
    name = forms.CharField()


def _request(personas):
    request = RequestFactory().post("/x/")
    request.user = personas["dunhua"]
    return request


def test_it_marks_a_call_that_went_through(personas):
    form = NameForm({"name": "a"})
    assert form.is_valid()
    with service_call(_request(personas), form) as call:
        pass
    assert call.ok and not form.errors


def test_it_puts_a_refusal_on_the_form(personas):
    form = NameForm({"name": "a"})
    assert form.is_valid()
    with service_call(_request(personas), form) as call:
        raise DomainError("名称已被使用。", {"name": ["名称已被使用。"]})
    assert not call.ok and form.errors["name"] == ["名称已被使用。"]


def test_it_turns_forbidden_into_the_403_page(personas):
    form = NameForm({"name": "a"})
    assert form.is_valid()
    with pytest.raises(PermissionDenied):
        with service_call(_request(personas), form):
            raise Forbidden("您不能这样做。")
