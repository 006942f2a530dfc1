"""The log filter's net: full ID numbers (18 and 15 digits) and mobile numbers in a log line are written masked;
other numbers stay readable."""

import logging

import pytest

from shequ.core.logfilters import MaskPersonalData, mask_personal


@pytest.mark.parametrize("text,masked", [
    ("身份证 110101199003071234 已核验", "身份证 110***********1234 已核验"),
    ("id=11010119900307123X", "id=110***********123X"),
    ("旧证 110101900307123", "旧证 110********7123"),
    ("phone=13812345678;", "phone=138****5678;"),
    ("user13812345678x", "user138****5678x"),  # a letter beside it does not protect it in a log
])
def test_it_masks_id_and_mobile_numbers(text, masked):
    assert mask_personal(text) == masked


@pytest.mark.parametrize("text", ["订单 20261204 第 12 行", "1381234567812345", "case 31011001500012", "12812345678"])
def test_it_leaves_other_numbers_alone(text):
    assert mask_personal(text) == text


def test_the_filter_rewrites_the_record():
    record = logging.LogRecord("shequ", logging.INFO, __file__, 1, "来电 %s", ("13812345678",), None)
    assert MaskPersonalData().filter(record) is True
    assert record.getMessage() == "来电 138****5678"
