"""系统配置: the weight of each kind of outside evaluator in the departments' composite assessment."""

from django.utils.translation import gettext_lazy as _

from shequ.core.config import ConfigTable, config_table

from .models import EvaluatorWeight

config_table(
    ConfigTable("evaluators-weight", EvaluatorWeight, _("社会监督评议"), fields=["kind", "weight", "note"],
                columns=["kind", "weight", "note"], order=90, readonly_on_edit=["kind"],
                help=_("人大代表、行风政风监督员、督察队员评议得分在部门综合考评（100分）中所占的分值，合计不超过100分；"
                       "其余为大联动综合指标值。")),
)
