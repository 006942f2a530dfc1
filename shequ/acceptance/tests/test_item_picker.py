"""The intake's item picker: the ticket's queue category first, the items most taken in here first inside each
group, and search terms (name, code, pinyin initials) on each option for the filter box."""

import re

import pytest
from django.urls import reverse

from shequ.acceptance.forms import IntakeForm
from shequ.acceptance.models import ServiceItem

pytestmark = pytest.mark.django_db


def _groups(form):
    return [(label, [pk for pk, _l in options]) for label, options in form.fields["item"].widget.choices[1:]]


def test_it_puts_the_tickets_category_first_and_the_most_used_first(centre):
    items = {i.code: i for i in ServiceItem.objects.filter(is_active=True)}
    b_items = [i for i in items.values() if i.queue_category_id == centre["B"].pk]
    assert len(b_items) >= 2
    favourite = b_items[-1]
    form = IntakeForm(category=centre["B"], use_counts={favourite.pk: 40})
    groups = _groups(form)
    assert groups[0][0] == "本号类别：民政救助" and groups[-1][0] == "其他事项"
    assert groups[0][1][0] == favourite.pk
    assert set(groups[0][1]) == {i.pk for i in b_items}
    assert not set(groups[0][1]) & set(groups[1][1])


def test_it_offers_one_flat_list_without_a_ticket(centre):
    form = IntakeForm()
    choices = form.fields["item"].widget.choices
    assert choices[0][0] == "" and all(not isinstance(options, list) for _pk, options in choices[1:])


def test_it_writes_name_code_and_pinyin_initials_on_each_option(centre):
    html = str(IntakeForm(category=centre["B"])["item"])
    dibao = re.search(r'<option value="%d"[^>]*data-search="([^"]+)"' % centre["dibao"].pk, html)
    assert dibao, html[:500]
    terms = dibao.group(1)
    assert "城乡居民最低生活保障申请" in terms and "mz-jz-01" in terms and "cxjmzdshbzsq" in terms


def test_it_still_refuses_an_unknown_or_inactive_item(centre):
    ServiceItem.objects.filter(pk=centre["dibao"].pk).update(is_active=False)
    form = IntakeForm({"item": centre["dibao"].pk, "decision": "accept"}, category=centre["B"])
    assert not form.is_valid() and "item" in form.errors


def test_it_shows_the_picker_on_the_intake_page(centre, client_as):
    page = client_as(centre["clerk"]).get(reverse("acceptance:case-intake"))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-item-filter="id_item"' in body and "查找事项" in body
