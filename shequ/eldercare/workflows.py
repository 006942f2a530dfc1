"""The declared actions of the month's settlement and of the care home's application (see core.workflow)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.workflow import Action, ActionNotFound, Workflow

from .choices import ApplicationStatus as A
from .choices import SettlementStatus as S
from .selectors.carehome import application_list
from .selectors.meals import canteen_managed


def _settlement_in_reach(actor, settlement):
    if not canteen_managed(user=actor).filter(pk=settlement.canteen_id).exists():
        return ActionNotFound(_("找不到该结算单。"), {"settlement": [_("不在您的范围内。")]})
    return None


def _application_in_reach(actor, application):
    if not application_list(user=actor, include_closed=True).filter(pk=application.pk).exists():
        return ActionNotFound(_("找不到该申请。"), {"application": [_("不在您的范围内。")]})
    return None


SETTLEMENT = Workflow(
    entity="eldercare.settlement", param="settlement", status_labels=lambda s: str(S(s).label),
    number=lambda s: f"{s.canteen.name} {s.month.year}年{s.month.month}月",
    actions=(
        Action("approve", gettext_lazy("审核通过"), frozenset({S.DRAFT}), S.APPROVED, "eldercare.settle_approve",
               "shequ.eldercare.services.meals.settlement_approve", guards=(_settlement_in_reach,),
               inputs=("note",)),
        Action("pay", gettext_lazy("确认拨付"), frozenset({S.APPROVED}), S.PAID, "eldercare.settle",
               "shequ.eldercare.services.meals.settlement_pay", guards=(_settlement_in_reach,), inputs=("note",)),
    ))

OPEN = frozenset({A.APPLIED, A.ASSESSED, A.WAITING})

APPLICATION = Workflow(
    entity="eldercare.application", param="application", status_labels=lambda s: str(A(s).label),
    actions=(
        Action("assess", gettext_lazy("登记评估结果"), frozenset({A.APPLIED}), A.ASSESSED, "eldercare.carehome_manage",
               "shequ.eldercare.services.carehome.application_assess", guards=(_application_in_reach,),
               inputs=("care_grade", "note"), required=("care_grade",), form=("care_grade", "note")),
        Action("queue", gettext_lazy("列入轮候"), frozenset({A.ASSESSED}), A.WAITING, "eldercare.carehome_manage",
               "shequ.eldercare.services.carehome.application_queue", guards=(_application_in_reach,),
               inputs=("note",)),
        Action("admit", gettext_lazy("安排入住"), frozenset({A.WAITING}), A.ADMITTED, "eldercare.carehome_manage",
               "shequ.eldercare.services.carehome.application_admit", guards=(_application_in_reach,),
               inputs=("bed", "note"), required=("bed",), form=("bed", "note")),
        Action("withdraw", gettext_lazy("撤回申请"), OPEN, A.WITHDRAWN, "eldercare.carehome_apply",
               "shequ.eldercare.services.carehome.application_withdraw", guards=(_application_in_reach,),
               inputs=("note",), required=("note",), danger=True, hint=gettext_lazy("撤回原因")),
    ))
