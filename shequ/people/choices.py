from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class HukouType(models.TextChoices):
    REGISTERED = "registered", _("户籍")
    NON_LOCAL = "non_local", _("外来")
    SEPARATED = "separated", _("人户分离")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


# Tags kept as data; 60+/80+ are derived from the birth date and never stored.
DEFAULT_TAGS = [
    ("living_alone", _("独居"), False),
    ("empty_nest", _("空巢"), False),
    ("dibao", _("低保"), True),
    ("low_income", _("低收入"), True),
    ("disabled", _("残疾"), True),
    ("key_group", _("重点人群"), True),
    ("veteran", _("优抚对象"), False),
    ("lost_only_child", _("失独"), True),
    ("volunteer", _("志愿者"), False),
    ("party_member", _("党员"), False),
]

AGE_TAGS = {"60+": 60, "80+": 80}
