"""ID numbers (公民身份号码, GB 11643-1999) and phone numbers: validation, conversion and masking."""

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from shequ.core import idcard
from shequ.core.idcard import InvalidIdNumber, normalize_id_number
from shequ.core.testing import valid_id_number


def _reference_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 written independently of the code under test: weights are 2^(17-i) mod 11."""
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@pytest.mark.parametrize("number", ["11010519491231002X", "53010219200508011X"])
def test_it_accepts_valid_numbers_with_an_x_check_digit(number):
    assert normalize_id_number(number) == number


def test_it_refuses_a_wrong_check_digit():
    with pytest.raises(InvalidIdNumber) as exc:
        normalize_id_number("530102192005080119")
    assert "校验位错误" in str(exc.value)


def test_it_accepts_a_lowercase_x_and_surrounding_or_inner_spaces():
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"
    assert normalize_id_number("  530102 19200508 011x ") == "53010219200508011X"


def test_it_converts_a_15_digit_number_to_18_digits():
    assert normalize_id_number("130503670401001") == "130503196704010016"
    assert _reference_check("13050319670401001") == "6"


@pytest.mark.parametrize("number", [
    "110105194902300011",  # 30 February
    "110105194913010012",  # month 13
    "110105187001010014",  # before 1880
    "110105209901010015",  # in the future
    "130503670230001",     # 15 digits, 30 February
])
def test_it_refuses_an_impossible_birth_date(number):
    with pytest.raises(InvalidIdNumber) as exc:
        normalize_id_number(number)
    assert "出生日期无效" in str(exc.value)


@pytest.mark.parametrize("number", ["", None, "11010519491231002", "11010519491231002XX", "1101051949123100X2",
                                    "11010519491231002Y", "ABCDEFGHIJKLMNOPQR", "1234567890123456"])
def test_it_refuses_malformed_numbers_with_a_chinese_reason(number):
    with pytest.raises(InvalidIdNumber) as exc:
        normalize_id_number(number)
    assert "18位" in str(exc.value)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_it_agrees_with_an_independent_check_digit_computation(first17):
    assert idcard.check_char(first17) == _reference_check(first17)


def test_it_builds_valid_numbers_in_the_test_helpers():
    for seed in range(50):
        number = valid_id_number(seed=seed)
        assert normalize_id_number(number) == number
        assert number[17] == _reference_check(number[:17])


def test_it_reads_birth_date_and_gender():
    assert idcard.birth_date_of("11010519491231002X") == dt.date(1949, 12, 31)
    assert idcard.gender_of("11010519491231002X") == "F"
    assert idcard.gender_of("53010219200508011X") == "M"
    assert idcard.gender_of(valid_id_number(male=False, seed=3)) == "F"
    assert idcard.gender_of(valid_id_number(male=True, seed=3)) == "M"


def test_it_recognises_what_looks_like_an_id_number():
    assert idcard.looks_like_id_number("11010519491231002x")
    assert idcard.looks_like_id_number("130503670401001")
    assert not idcard.looks_like_id_number("张三")
    assert not idcard.looks_like_id_number("13812345678")


def test_it_masks_id_numbers():
    assert idcard.mask_id_number("11010519491231002X") == "1101**********002X"
    assert idcard.mask_id_number("130503670401001") == "1305*******1001"
    assert idcard.mask_id_number("12345678") == "********"
    assert idcard.mask_id_number("") == ""
    assert idcard.mask_id_number(None) == ""


@pytest.mark.parametrize("raw, expected", [
    ("13812345678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("021-65551234", "021-65551234"),
    ("（021）65551234", "02165551234"),
    ("65551234", "65551234"),
])
def test_it_normalises_phone_numbers(raw, expected):
    assert idcard.normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "1381234567", "23812345678", "138123456789", "abc", "12812345678"])
def test_it_refuses_malformed_phone_numbers(raw):
    with pytest.raises(ValueError) as exc:
        idcard.normalize_phone(raw)
    assert "电话号码格式不正确" in str(exc.value)


def test_it_masks_phone_numbers():
    assert idcard.mask_phone("13812345678") == "138****5678"
    assert idcard.mask_phone("021-65551234") == "02********34"
    assert idcard.mask_phone("65551234") == "65****34"
    assert idcard.mask_phone("") == ""
    assert idcard.looks_like_phone("13812345678")
    assert not idcard.looks_like_phone("65551234")
