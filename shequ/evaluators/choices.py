"""Outside evaluators (社会监督评议): 人大代表, 行风政风监督员 and 督察队员 inspect departments on the 大联动督查
sheets; their kind follows their role. Statuses of an evaluation; the actions between them are declared in
`workflows.py`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Role


class EvaluatorKind(models.TextChoices):
    NPC = "npc", _("人大代表")
    ETHICS = "ethics", _("行风政风监督员")
    TEAM = "team", _("督察队员")


ROLE_KIND = {Role.NPC_DEPUTY: EvaluatorKind.NPC, Role.ETHICS_MONITOR: EvaluatorKind.ETHICS,
             Role.INSPECTION_TEAM: EvaluatorKind.TEAM}


class EvaluationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待测评")
    PUBLISHED = "published", _("已发布")
    DISPUTED = "disputed", _("申诉中")
    CANCELLED = "cancelled", _("已取消")


class DisputeOutcome(models.TextChoices):
    NONE = "", _("未申诉")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉驳回")
