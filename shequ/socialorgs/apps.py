from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialorgsConfig(AppConfig):
    name = "shequ.socialorgs"
    label = "socialorgs"
    verbose_name = _("社会组织")
