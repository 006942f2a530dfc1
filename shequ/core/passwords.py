from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """等保 complexity: the password mixes at least `min_classes` of upper, lower, digit and symbol."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = sum([
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ])
        if classes < self.min_classes:
            raise ValidationError(
                _("密码至少需要包含大写字母、小写字母、数字、符号中的%(n)d类。") % {"n": self.min_classes},
                code="password_too_simple")

    def get_help_text(self):
        return _("密码至少需要包含大写字母、小写字母、数字、符号中的%(n)d类。") % {"n": self.min_classes}
