from django import template

from ..choices import is_appointment_number

register = template.Library()


@register.filter
def appointment_lane(number) -> bool:
    """True for a ticket of the "Y 预约" lane (a checked-in appointment)."""
    return is_appointment_number(str(number or ""))


@register.filter
def stars(score) -> str:
    """★★☆☆☆ for a rating of 2."""
    try:
        score = max(0, min(5, int(score)))
    except (TypeError, ValueError):
        return ""
    return "★" * score + "☆" * (5 - score)
