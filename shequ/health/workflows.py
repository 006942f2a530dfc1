"""The family-doctor contract's actions as data (`shequ.core.workflow`): 续约, 改签, 解约 of an active contract. The
detail page's buttons and the API's allowed actions are computed from this declaration; every service checks it
first under its row lock."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.errors import ConflictError
from shequ.core.scoping import in_scope
from shequ.core.workflow import Action, ActionNotFound, Workflow

from .choices import DUE_DAYS, ContractStatus

ACTIVE = frozenset({ContractStatus.ACTIVE})


def _in_scope(actor, contract):
    if not in_scope(actor, contract.committee):
        return ActionNotFound(_("没有找到该签约记录。"), {"contract": [_("不在您的管辖范围内。")]})
    return None


def _due(actor, contract):
    """Renewal opens 60 days before the end date (and stays open once it has passed)."""
    days = (contract.end_date - timezone.localdate()).days
    if days > DUE_DAYS:
        return ConflictError(
            _("协议 %(n)s 还有%(d)d天到期，到期前%(w)d天内才能续约。") % {"n": contract.number, "d": days, "w": DUE_DAYS},
            {"end_date": [_("尚未进入续约期。")]})
    return None


CONTRACT = Workflow(
    entity="health.contract", param="contract",
    status_labels=lambda s: str(ContractStatus(s).label),
    number=lambda c: c.number,
    actions=(
        Action("renew", gettext_lazy("续约"), ACTIVE, ContractStatus.RENEWED, "health.manage",
               "shequ.health.services.contract_renew", guards=(_in_scope, _due),
               inputs=("years", "expected_version"), rename={"expected_version": "version"}, form=("years",)),
        Action("switch", gettext_lazy("改签"), ACTIVE, ContractStatus.SWITCHED, "health.manage",
               "shequ.health.services.contract_switch", guards=(_in_scope,),
               inputs=("doctor", "district_hospital", "city_hospital", "years", "expected_version"),
               rename={"expected_version": "version"},
               form=("doctor", "district_hospital", "city_hospital", "years")),
        Action("terminate", gettext_lazy("解约"), ACTIVE, ContractStatus.TERMINATED, "health.manage",
               "shequ.health.services.contract_terminate", guards=(_in_scope,),
               inputs=("reason", "note", "expected_version"), rename={"expected_version": "version"},
               required=("reason",), form=("reason", "note"), danger=True),
    ),
)
