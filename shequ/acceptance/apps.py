from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcceptanceConfig(AppConfig):
    name = "shequ.acceptance"
    label = "acceptance"
    verbose_name = _("社区事务受理服务中心")
