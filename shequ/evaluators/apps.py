from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluatorsConfig(AppConfig):
    name = "shequ.evaluators"
    label = "evaluators"
    verbose_name = _("社会监督评议")
