from django import forms, template

from shequ.core.choices import choice_label
from shequ.core.formatting import date_text, datetime_text
from shequ.core.widgets import quick

register = template.Library()


@register.filter
def add_class(field, css):
    widget = field.field.widget
    if isinstance(widget, (forms.Select, forms.SelectMultiple)) and "form-control" in css:
        css = css.replace("form-control", "form-select")
    existing = widget.attrs.get("class", "")
    attrs = {"class": f"{existing} {css}".strip()}
    # Filter bars render fields without a visible label: the field's own label names it for screen readers
    # (WCAG 4.1.2). Where a <label for> exists too, both say the same.
    if field.label and not widget.attrs.get("aria-label") and not widget.attrs.get("aria-labelledby") \
            and not isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
        attrs["aria-label"] = str(field.label)
    if field.errors:
        attrs["class"] += " is-invalid"
    return field.as_widget(widget=quick(widget), attrs=attrs)


@register.filter
def label(obj, name):
    """`{{ case|label:"status" }}`: the display label of a choice field, as `get_status_display` gives it, without
    rebuilding the choice list (`core.choices.choice_label`)."""
    return choice_label(obj, name)


@register.filter
def is_checkbox(field):
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_multi_checkbox(field):
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple)


def _chinese() -> bool:
    from shequ.core.formatting import chinese

    return chinese()


register.filter("cn_date", date_text)
register.filter("cn_datetime", datetime_text)


WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@register.filter
def weekday_cn(value):
    if not value:
        return ""
    return "周" + WEEKDAYS_ZH[value.weekday()] if _chinese() else WEEKDAYS_EN[value.weekday()]


@register.simple_tag
def weekday_headers():
    return list(WEEKDAYS_ZH) if _chinese() else list(WEEKDAYS_EN)


@register.simple_tag(takes_context=True)
def can(context, capability):
    user = context.get("user")
    return bool(user and user.is_authenticated and user.can(capability))


@register.filter
def num(value, places=None):
    """`{{ x|num }}` plain decimal text (no exponent, no trailing zeros); `{{ x|num:1 }}` at most one decimal."""
    from shequ.core.formatting import number_text

    try:
        places = int(places) if places not in (None, "") else None
    except (TypeError, ValueError):
        places = None
    return number_text(value, places)


@register.filter
def rate(value, suffix="%"):
    """`{{ r.close_rate|rate }}` a percentage ("87.5%"), or "无数据" when there was nothing to divide by."""
    from django.utils.translation import gettext

    if value is None or value == "":
        return gettext("无数据")
    return f"{num(value, 1)}{suffix or ''}"


@register.filter
def calendar_source(source):
    from shequ.core.workcal import source_label

    return source_label(source or "")


@register.filter
def audit_role(code):
    from shequ.core.audit_display import role_label

    return role_label(code)


@register.filter
def audit_object_type(label):
    from shequ.core.audit_display import object_type_label

    return object_type_label(label)


@register.filter
def audit_object(row):
    from shequ.core.audit_display import object_text

    return object_text(row)


@register.filter
def audit_detail(detail):
    from shequ.core.audit_display import detail_items

    return detail_items(detail)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
