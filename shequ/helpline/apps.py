from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelplineConfig(AppConfig):
    name = "shequ.helpline"
    label = "helpline"
    verbose_name = _("96980服务热线")
