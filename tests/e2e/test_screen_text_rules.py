"""The screen-text rules themselves (no browser): each kind of leak is caught, ordinary Chinese pages are not."""

import pytest

from .screen_text import screen_text_problems


@pytest.mark.parametrize("text", [
    "办结时限 2E+1工作日", "角色 window_clerk", "对象 grid.patrollog PatrolLog object (11)", "详情 {'channel': 'web'}",
    "<shequ.core.models.User object at 0x7f3a2c>", "结果 None", "按钮 Submit", "材料 ['身份证', '户口簿']",
])
def test_it_catches_what_a_user_must_not_see(text):
    assert screen_text_problems(text)


@pytest.mark.parametrize("text", [
    "2026年11月23日 星期一 10:00", "SL261123-0001 张三 已受理", "手机 138****0001", "E0102 暴露垃圾",
    "邮箱 wang_li@example.cn", "/grid/cases/310110015-20261123-0001/", "PDF Excel API 12345 GeoJSON",
    "满意率 96.5% · 无数据", "身份证号 310110********0012",
])
def test_it_leaves_ordinary_pages_alone(text):
    assert screen_text_problems(text) == []
