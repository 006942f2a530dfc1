from django.conf import settings

from .hooks import nav_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    return {
        "nav_sections": nav_for(user),
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
        "debug_banner": settings.DEBUG,
    }
