from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = _("基础平台")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import signals  # noqa: F401  (audit of login events)

        autodiscover_modules("registry")
