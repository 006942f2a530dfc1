from django import template

register = template.Library()


@register.filter
def stars(score) -> str:
    """★★☆☆☆ for a rating of 2."""
    try:
        score = max(0, min(5, int(score)))
    except (TypeError, ValueError):
        return ""
    return "★" * score + "☆" * (5 - score)
