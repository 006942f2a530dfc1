from django.conf import settings

from .hooks import nav_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    sections = nav_for(user)
    path = request.path
    matches = [item.url for _section, items in sections for item in items
               if path == item.url or (item.url != "/" and path.startswith(item.url))]
    return {
        "nav_sections": sections,
        "nav_active_url": max(matches, key=len) if matches else None,
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
        "debug_banner": settings.DEBUG,
    }
