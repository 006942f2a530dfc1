"""Form widgets rendered in Python where Django's template rendering is the cost of a page."""

from __future__ import annotations

import copy

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


_SELECTED = {"selected": True}


class QuickSelect(forms.Select):
    """A single `<select>` with the markup of Django's `select.html`, built in Python.

    Django renders a select through three templates, two of them once per option (the option and its attributes):
    a list page's filter bar of nine selects (a committee, a unit, a status…) spent a quarter of the page's time
    there. The context is Django's own (`get_context`: the selected values, `optgroups`, the attributes the bound
    field adds), so only the way it is written out differs."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                attrs = option["attrs"]
                # Nearly every option has no attribute or only `selected`: no call to write them out.
                extra = "" if not attrs else " selected" if attrs == _SELECTED else flatatt(attrs)
                parts.append(f'\n  <option value="{conditional_escape(option["value"])}"{extra}>'
                             f'{conditional_escape(option["label"])}</option>')
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 — every value and label above is escaped


def quick(widget: forms.Widget) -> forms.Widget:
    """The same widget, rendered by `QuickSelect` when it is a plain single `Select` (a subclass may render its
    own way and keeps it)."""
    if type(widget) is not forms.Select:
        return widget
    fast = copy.copy(widget)
    fast.__class__ = QuickSelect
    return fast
