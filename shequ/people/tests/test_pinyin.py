"""Pinyin of names: the sort key and the initials search read a surname as a surname."""

import pytest

from shequ.people.validation import pinyin_of


@pytest.mark.parametrize("name, full, initials", [
    ("张三", "zhangsan", "zs"),
    ("单雄信", "shanxiongxin", "sxx"),
    ("曾国藩", "zengguofan", "zgf"),
    ("解缙", "xiejin", "xj"),
    ("仇英", "qiuying", "qy"),
    ("朴树", "piaoshu", "ps"),
    ("尉迟恭", "yuchigong", "ycg"),
    ("长孙无忌", "zhangsunwuji", "zswj"),
])
def test_it_reads_the_surname_as_a_surname(name, full, initials):
    assert pinyin_of(name) == (full, initials)


def test_it_keeps_non_chinese_characters():
    assert pinyin_of("Anna李") == ("annali", "al")
