from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "shequ.grid"
    label = "grid"
    verbose_name = _("城区综合管理")
