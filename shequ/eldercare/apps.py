from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EldercareConfig(AppConfig):
    name = "shequ.eldercare"
    label = "eldercare"
    verbose_name = _("为老服务")
