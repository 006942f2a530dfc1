from django.contrib import admin

from shequ.core.admin import ConfigAdmin, site

from .models import Tag


@admin.register(Tag, site=site)
class TagAdmin(ConfigAdmin):
    list_display = ("code", "name", "sensitive")
