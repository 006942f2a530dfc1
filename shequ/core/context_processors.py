from django.conf import settings

from .hooks import nav_for
from .selectors import unread_count


LARGE_TEXT_COOKIE = "sq_large_text"


def large_text_on(request) -> bool:
    """大字模式: the user's setting when logged in, the cookie for an anonymous visitor."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.large_text
    return request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "large_text": large_text_on(request)}
    sections = nav_for(user)
    path = request.path
    matches = [item.url for _section, items in sections for item in items
               if path == item.url or (item.url != "/" and path.startswith(item.url))]
    return {
        "nav_sections": sections,
        "nav_active_url": max(matches, key=len) if matches else None,
        "unread_count": unread_count(user),
        "debug_banner": settings.DEBUG,
        "large_text": user.large_text,
        "idle_timeout": settings.SESSION_IDLE_TIMEOUT,
    }
