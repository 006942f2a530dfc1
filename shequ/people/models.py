from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField
from shequ.core.models import Node

from .choices import Gender, HukouType, Relation


class Tag(models.Model):
    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=16, unique=True)
    sensitive = models.BooleanField(_("敏感标签"), default=False,
                                    help_text=_("低保、残疾等属于敏感个人信息，只在详情中显示。"))

    class Meta:
        verbose_name = _("人员标签")
        verbose_name_plural = _("人员标签")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Household(models.Model):
    """A 户: the people registered at one address under one head."""

    number = models.CharField(_("户号"), max_length=32, unique=True)
    committee = models.ForeignKey(Node, verbose_name=_("居委会"), on_delete=models.PROTECT,
                                  related_name="households")
    address = models.CharField(_("地址"), max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.address}"


class Resident(models.Model):
    """A resident. The ID number and phone are stored encrypted; their keyed hashes allow exact search."""

    name = models.CharField(_("姓名"), max_length=32)
    name_pinyin = models.CharField(max_length=128, editable=False)  # indexed with id, below
    name_initials = models.CharField(max_length=32, db_index=True, editable=False)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), db_index=True)
    id_number = EncryptedCharField(_("身份证号"))
    id_hash = models.CharField(max_length=64, editable=False)  # unique: constraint below
    phone = EncryptedCharField(_("联系电话"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)  # indexed below
    # Masked forms are stored so lists and exports never need to decrypt.
    id_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    committee = models.ForeignKey(Node, verbose_name=_("居委会"), on_delete=models.PROTECT, db_index=False,
                                  related_name="residents")  # the indexes below all start with it
    address = models.CharField(_("居住地址"), max_length=128)
    household = models.ForeignKey(Household, verbose_name=_("户"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="members")
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices, blank=True)
    hukou_type = models.CharField(_("户籍类型"), max_length=16, choices=HukouType.choices,
                                  default=HukouType.REGISTERED)
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="residents")
    note = models.CharField(_("备注"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        indexes = [
            models.Index(fields=["committee", "name_pinyin", "id"]),
            models.Index(fields=["committee", "-id"]),
            models.Index(fields=["name_pinyin", "id"], name="people_resident_pinyin_id"),
            # A committee's head count (home page, lists) from the index alone: counting through the table reads a
            # page per resident (130 MB of a million-row file for 6,000 residents).
            models.Index(fields=["committee", "is_active"], name="people_resident_committee_act"),
            # The hashes are only ever compared whole. As a constraint and a plain index (not unique=True /
            # db_index) PostgreSQL gets no extra varchar_pattern_ops index for each: two fewer indexes that every
            # insert had to maintain (a 100,000-row import on PostgreSQL: 39.6 → 30.8 s).
            models.Index(fields=["phone_hash"], name="people_resident_phone_hash"),
        ]
        constraints = [models.UniqueConstraint(fields=["id_hash"], name="people_resident_id_hash_uniq")]

    def __str__(self):
        return self.name

    @property
    def age(self) -> int:
        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    @property
    def age_tags(self) -> list[str]:
        age = self.age
        return [label for label, threshold in (("80+", 80), ("60+", 60)) if age >= threshold][:1]
