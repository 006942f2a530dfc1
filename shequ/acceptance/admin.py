"""Configuration tables the system administrator may need to correct by hand (categories only: everything else
is business data edited through the module's own pages and services)."""

from django.contrib import admin

from shequ.core.admin import ConfigAdmin, site

from .models import QueueCategory


@admin.register(QueueCategory, site=site)
class QueueCategoryAdmin(ConfigAdmin):
    list_display = ("letter", "name", "default_service_minutes", "is_active")
