"""大字模式 (适老化) and the form renderer's accessible markup; the browser checks are in tests/e2e."""

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client

from shequ.core.choices import AuditAction
from shequ.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_it_saves_large_text_on_the_user_and_renders_it(client_as, personas):
    client = client_as(personas["dunhua"])
    response = client.post("/accounts/large-text/", {"on": "1", "next": "/inbox/"})
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    personas["dunhua"].refresh_from_db()
    assert personas["dunhua"].large_text is True
    assert AuditLog.objects.filter(action=AuditAction.UPDATE, username="dunhua").exists()
    page = client.get("/").content.decode()
    assert 'class="sq-large ' in page and 'aria-pressed="true"' in page
    client.post("/accounts/large-text/", {"on": "0"})
    personas["dunhua"].refresh_from_db()
    assert personas["dunhua"].large_text is False
    assert 'class="sq-large ' not in client.get("/").content.decode()


def test_it_keeps_large_text_in_a_cookie_for_an_anonymous_visitor(db):
    client = Client()
    response = client.post("/accounts/large-text/", {"on": "1", "next": "/accounts/login/"})
    assert response.cookies["sq_large_text"].value == "1"
    assert 'class="sq-large ' in client.get("/accounts/login/").content.decode()


def test_it_refuses_to_redirect_large_text_to_another_site(client_as, personas):
    response = client_as(personas["dunhua"]).post("/accounts/large-text/", {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_it_refuses_large_text_by_get(client_as, personas):
    assert client_as(personas["dunhua"]).get("/accounts/large-text/?on=1").status_code == 405


def test_it_ties_labels_help_and_errors_to_their_field(db):
    class F(forms.Form):
        name = forms.CharField(label="姓名", help_text="与身份证一致")
        kind = forms.ChoiceField(label="类别", choices=[("a", "甲")])

    form = F(data={"name": "", "kind": "a"})
    form.is_valid()
    html = Template('{% include "partials/_form.html" %}').render(Context({"form": form}))
    assert '<label class="form-label" for="id_name">' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'id="id_name_helptext"' in html and 'id="id_name_error"' in html
    assert 'aria-invalid="true"' in html
    assert "（必填）" in html  # the required star is spoken, not only shown
    assert 'aria-label="类别"' in html  # a select always has a name, even in a bare filter bar


def test_it_lets_a_signed_in_user_extend_the_idle_timeout(client_as, personas):
    client = client_as(personas["dunhua"])
    assert client.get("/accounts/keepalive/").status_code == 204
    page = client.get("/").content.decode()
    assert 'data-idle-timeout="1800"' in page
    assert Client().get("/accounts/keepalive/").status_code == 302
