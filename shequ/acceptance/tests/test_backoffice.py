"""The department's back-office queue (部门审核): search, filters, paging and a count, scoped to the officer's
department; bad filter values show the Chinese errors and no rows, never a 500."""

import re

import pytest
import time_machine

from shequ.acceptance import services

from .conftest import at, intake, visitor

pytestmark = pytest.mark.django_db


def count(html: str) -> int:
    return int(re.search(r'data-count>(\d+)<', html).group(1))


def test_it_reaches_every_case_of_the_department_through_pages(centre, client_as):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        numbers = {intake(centre, applicant=visitor(seed=100 + i)).number for i in range(27)}
        client = client_as(centre["officer"])
        first = client.get("/acceptance/backoffice/").content.decode()
        second = client.get("/acceptance/backoffice/?page=2").content.decode()
    assert count(first) == 27 and "共 27 条，第 1/2 页" in first and "显示最紧急的" not in first
    seen = {n for n in numbers if n in first} | {n for n in numbers if n in second}
    assert seen == numbers
    assert not {n for n in numbers if n in first} & {n for n in numbers if n in second}


def test_it_searches_by_number_applicant_and_item(centre, client_as):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        dibao = intake(centre, applicant=visitor(name="赵小明", seed=11))
        card = intake(centre, item=centre["long"], applicant=visitor(name="钱大伟", seed=12))
        client = client_as(centre["officer"])

        def found(q):
            html = client.get("/acceptance/backoffice/", {"q": q}).content.decode()
            return {c.number for c in (dibao, card) if c.number in html}

        assert found(dibao.number) == {dibao.number}
        assert found(dibao.number.lower()) == {dibao.number}
        assert found("钱") == {card.number}
        assert found("敬老卡") == {card.number}
        assert found("MZ-JZ-01") == {dibao.number}
        assert found("没有这个人") == set()


def test_it_filters_by_item_status_and_due_state(centre, client_as):
    with time_machine.travel(at(2026, 11, 2), tick=False):
        late = intake(centre, applicant=visitor(seed=21))
    with time_machine.travel(at(2026, 11, 16), tick=False):
        fresh = intake(centre, item=centre["long"], applicant=visitor(seed=22))
        paused = intake(centre, applicant=visitor(seed=23))
        services.case_return(actor=centre["officer"], case=paused, reason="缺少收入证明",
                             materials=["家庭成员收入证明"])
    with time_machine.travel(at(2026, 11, 25), tick=False):
        client = client_as(centre["officer"])

        def found(**params):
            html = client.get("/acceptance/backoffice/", params).content.decode()
            return {c.number for c in (late, fresh, paused) if c.number in html}

        assert found() == {late.number, fresh.number}  # default: waiting for review
        assert found(status="returned") == {paused.number}
        assert found(status="all") == {late.number, fresh.number, paused.number}
        assert found(item=centre["long"].pk) == {fresh.number}
        assert found(light="overdue") == {late.number}
        html = client.get("/acceptance/backoffice/", {"item": centre["cg_item"].pk}).content.decode()
        assert "筛选条件有误" in html and late.number not in html  # another department's item
        html = client.get("/acceptance/backoffice/", {"status": "delivered", "light": "x"}).content.decode()
        assert "筛选条件有误" in html and late.number not in html


def test_it_stays_within_the_officers_department(centre, client_as):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        mine = intake(centre, applicant=visitor(seed=31))
        other = intake(centre, item=centre["cg_item"], applicant=visitor(seed=32))
        html = client_as(centre["officer"]).get("/acceptance/backoffice/", {"status": "all"}).content.decode()
        assert mine.number in html and other.number not in html and count(html) == 1
        html = client_as(centre["officer_other"]).get("/acceptance/backoffice/", {"q": mine.number}).content.decode()
        assert f"/acceptance/cases/{mine.pk}/" not in html and count(html) == 0
        assert client_as(centre["clerk"]).get("/acceptance/backoffice/").status_code == 403


def test_it_answers_htmx_with_the_rows_only(centre, client_as):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        case = intake(centre)
        html = client_as(centre["officer"]).get("/acceptance/backoffice/", {"q": "王"},
                                                HTTP_HX_REQUEST="true").content.decode()
    assert html.startswith('<div id="backoffice-rows">') and case.number in html and "<html" not in html
