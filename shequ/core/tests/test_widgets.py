"""The Python-rendered select and the cached choice labels: the same output as Django's own, for less work."""

import pytest
from django import forms
from django.template import Context, Template
from django.test.html import parse_html

from shequ.core import choices
from shequ.core.widgets import QuickSelect, quick


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=[("", "全部"), ("a", "甲 & <乙>"), ("b", "丙")], required=False)
    grouped = forms.ChoiceField(choices=[("", "请选择"), ("东区", [("1", "一"), ("2", "二")]), ("3", "三")],
                                help_text="按区选择")
    number = forms.TypedChoiceField(choices=[(1, "一"), (2, "二")], coerce=int, disabled=True)


def _both(form, name):
    """Ours and Django's rendering of one field, with the attributes the filter bars give it."""
    field = form[name]
    attrs = {"class": "form-select", "aria-label": str(field.label)}
    return (field.as_widget(widget=quick(field.field.widget), attrs=dict(attrs)),
            field.as_widget(attrs=dict(attrs)))


@pytest.mark.parametrize("data", [None, {"plain": "a", "grouped": "2", "number": "2"}, {"plain": "zz"}])
@pytest.mark.parametrize("name", ["plain", "grouped", "number"])
def test_a_plain_select_renders_as_django_renders_it(data, name):
    form = _Form(data)
    if data:
        form.is_valid()  # errors add aria-invalid; the help text aria-describedby
    ours, theirs = _both(form, name)
    assert "<select" in ours and parse_html(ours) == parse_html(theirs)
    assert "甲 &amp; &lt;乙&gt;" in _both(form, "plain")[0]  # labels escaped


def test_the_selected_option_the_required_mark_and_errors_are_kept():
    form = _Form({"plain": "a"})
    form.is_valid()
    html = Template('{% load shequ %}{{ f|add_class:"form-select" }}').render(Context({"f": form["grouped"]}))
    assert 'required' in html and 'is-invalid' in html and 'aria-invalid="true"' in html
    assert '<optgroup label="东区">' in html
    html = Template('{% load shequ %}{{ f|add_class:"form-select" }}').render(Context({"f": form["plain"]}))
    assert '<option value="a" selected>' in html


def test_only_a_plain_single_select_is_rendered_the_quick_way():
    assert type(quick(forms.Select())) is QuickSelect
    for widget in (forms.SelectMultiple(), forms.RadioSelect(), forms.TextInput()):
        assert quick(widget) is widget
    original = forms.Select(attrs={"class": "x"})
    assert type(quick(original)) is QuickSelect and type(original) is forms.Select  # the form's own is untouched


def test_choice_labels_answer_as_get_display_does_in_the_active_language():
    from django.utils import translation

    from shequ.grid.choices import CaseStatus
    from shequ.grid.models import Case

    case = Case(status=CaseStatus.DISPATCHED, urgency="urgent", source="patrol")
    for name in ("status", "urgency", "source", "kind"):
        assert choices.choice_label(case, name) == getattr(case, f"get_{name}_display")()
    with translation.override("en"):
        assert choices.choice_label(case, "status") == case.get_status_display()
    case.status = "no-such-state"
    assert choices.choice_label(case, "status") == "no-such-state"  # unknown values as they are, like Django
    rendered = Template('{% load shequ %}{{ c|label:"status" }}').render(Context({"c": case}))
    assert rendered == "no-such-state"
