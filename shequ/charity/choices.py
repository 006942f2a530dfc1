from django.db import models
from django.utils.translation import gettext_lazy as _


class DonorKind(models.TextChoices):
    PERSON = "person", _("个人")
    COMPANY = "company", _("单位")


class DonationKind(models.TextChoices):
    GOODS = "goods", _("物资")
    MONEY = "money", _("善款")


class MoveKind(models.TextChoices):
    """Why the stock of a goods item changed; every change is one row, the stock is never edited directly."""

    DONATION = "donation", _("捐赠入库")
    PURCHASE = "purchase", _("采购入库")
    DISTRIBUTION = "distribution", _("发放出库")
    LOSS = "loss", _("报损出库")


MOVES_IN = {MoveKind.DONATION, MoveKind.PURCHASE}
