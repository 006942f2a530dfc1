"""What a page must never show a user: a raw code or enum value, a Python repr, a number in scientific notation, an
untranslated English interface word. The role × page walk runs this on the visible text of every page."""

from __future__ import annotations

import re

# Python reprs and leaked internals.
REPR = [
    (re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>", re.A), "Python 对象"),
    (re.compile(r"\b[A-Z]\w+ object \(\d+\)", re.A), "模型对象"),
    (re.compile(r"\{'[\w ]+': ", re.A), "字典"),
    (re.compile(r"\[\s*'[^']*'(?:,\s*'[^']*')*\s*\]", re.A), "列表"),
    (re.compile(r"(?<![\w/.-])(?:None|True|False)(?![\w/.-])", re.A), "Python 值"),
    (re.compile(r"Traceback \(most recent call last\)", re.A), "报错堆栈"),
    (re.compile(r"\b[a-z]+\.[a-z]+log\b|\b(?:core|people|acceptance|grid|portal)\.[a-z]+\b", re.A), "模型标签"),
]
# 2E+1, 1.5e-3: a Decimal or float printed raw.
SCIENTIFIC = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]\d+(?![\w.])", re.A)
# snake_case identifiers: enum values and role codes (window_clerk, committee_worker, dine_in).
SNAKE = re.compile(r"(?<![\w@./:-])[a-z]+(?:_[a-z0-9]+)+(?![\w@./:-])", re.A)
# English words a Chinese interface must translate (the stock Django/Bootstrap strings seen before).
ENGLISH = re.compile(r"\b(?:Submit|Save|Cancel|Search|Next|Previous|Delete|Edit|Login|Log in|Logout|Log out|Yes|No|"
                     r"Close|Back|Home|Loading|Unknown|Select|Choose|Required|This field|Page \d|of \d+|"
                     r"Show|Hide|Filter|Download|Upload|Add|Remove|Update|Create|Status|Actions?|Details?|"
                     r"Today|Yesterday|Tomorrow|January|February|March|April|June|July|August|September|"
                     r"October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", re.A)


def screen_text_problems(text: str) -> list[str]:
    problems = []
    for pattern, label in REPR:
        for m in pattern.finditer(text):
            problems.append(f"{label}：{m.group(0)}")
    for m in SCIENTIFIC.finditer(text):
        problems.append(f"科学计数法：{m.group(0)}")
    for m in SNAKE.finditer(text):
        problems.append(f"代码：{m.group(0)}")
    for m in ENGLISH.finditer(text):
        problems.append(f"英文界面词：{m.group(0)}")
    return problems
