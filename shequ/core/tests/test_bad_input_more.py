"""Bad input, continued: dates at the edges of the calendar in every date parameter and non-numeric ids in query
strings give a form error or a 400, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

EDGE_DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"]

# (persona, path, date parameters) — every HTML list and API that takes a date in its query string.
HTML_DATE_PARAMS = [
    ("leader", "/grid/cases/", ["date_from", "date_to"]),
    ("leader", "/grid/cases/export/", ["date_from", "date_to"]),
    ("leader", "/grid/stats/", ["start", "end"]),
    ("leader", "/grid/stats/trend.json", ["start", "end"]),
    ("leader", "/grid/stats/export/", ["start", "end"]),
    ("leader", "/grid/roster/", ["start", "date", "week"]),
    ("leader", "/grid/inspections/", ["date", "date_from", "date_to"]),
    ("clerk", "/acceptance/cases/", ["date_from", "date_to"]),
    ("clerk", "/acceptance/rota/", ["week", "date"]),
    ("leader", "/acceptance/figures/", ["start", "end"]),
    ("auditor", "/audit/", ["date_from", "date_to"]),
    ("sysadmin", "/calendar/", ["start"]),
]
API_DATE_PARAMS = [
    ("leader", "/api/v1/grid/cases/", ["date_from", "date_to"]),
    ("leader", "/api/v1/grid/indicators/", ["start", "end"]),
    ("clerk", "/api/v1/acceptance/cases/", ["date_from", "date_to"]),
    ("leader", "/api/v1/calendar/add-working-days", ["start"]),
    ("leader", "/api/v1/calendar/count-working-days", ["start", "end"]),
]


def _cases(table):
    return [(who, path, param, value) for who, path, params in table for param in params for value in EDGE_DATES]


@pytest.mark.parametrize("who,path,param,value", _cases(HTML_DATE_PARAMS))
def test_html_date_parameters_at_the_edges_of_the_calendar(personas, client_as, who, path, param, value):
    answer = client_as(personas[who]).get(path, {param: value, "end": "2026-01-31", "days": "3"})
    assert answer.status_code in (200, 302, 400, 403, 404)


@pytest.mark.parametrize("who,path,param,value", _cases(API_DATE_PARAMS))
def test_api_date_parameters_at_the_edges_of_the_calendar(personas, api_as, who, path, param, value):
    answer = api_as(personas[who]).get(path, {param: value, "days": "3"})
    assert answer.status_code in (200, 400, 403, 404)


BAD_IDS = ["abc", "²", "٣", "9" * 30, "-1", "1.5", "\U0010ffff"]
ID_PARAMS = [
    ("leader", "/grid/inspections/new/", "template"),
    ("leader", "/grid/duplicates/", "exclude"),
    ("clerk", "/acceptance/cases/new/materials/", "item"),
    ("clerk", "/acceptance/cases/new/materials/", "materials"),
    ("clerk", "/acceptance/cases/new/", "item"),
    ("clerk", "/acceptance/cases/new/", "ticket"),
    ("leader", "/grid/cases/", "unit"),
    ("leader", "/grid/cases/", "committee"),
    ("leader", "/grid/cases/", "page"),
    ("sysadmin", "/calendar/", "year"),
    ("sysadmin", "/calendar/year/", "year"),
]


@pytest.mark.parametrize("who,path,param", ID_PARAMS)
@pytest.mark.parametrize("value", BAD_IDS)
def test_non_numeric_ids_in_query_strings(personas, client_as, who, path, param, value):
    answer = client_as(personas[who]).get(path, {param: value, "lat": "31.3", "lng": "121.5"})
    assert answer.status_code in (200, 302, 400, 403, 404)


def test_query_int_reads_only_plain_ascii_ids():
    from shequ.core.inputs import query_int

    assert [query_int(v) for v in ("12", " 7 ", "²", "٣", "9" * 30, "-1", "0", "", None, "1e3")] == \
        [12, 7, None, None, None, None, None, None, None, None]


def test_a_date_outside_the_range_is_a_form_error_in_chinese(personas, client_as):
    answer = client_as(personas["auditor"]).get("/audit/", {"date_from": "0001-01-01"})
    assert answer.status_code == 200 and "日期须在1900年1月1日至2100年12月31日之间" in answer.content.decode()


def test_a_date_outside_the_range_is_a_400_with_the_field(personas, api_as):
    answer = api_as(personas["leader"]).get("/api/v1/grid/cases/", {"date_to": "9999-12-31"})
    assert answer.status_code == 400 and "date_to" in answer.json()["errors"]
    answer = api_as(personas["leader"]).get("/api/v1/grid/indicators/", {"end": "9999-12-31"})
    assert answer.status_code == 400 and "end" in answer.json()["errors"]


def test_an_invalid_audit_filter_never_widens_the_list(personas, client_as):
    from shequ.core.audit import audit_record
    from shequ.core.choices import AuditAction

    audit_record(actor=personas["leader"], action=AuditAction.VIEW, object_repr="标记行")
    answer = client_as(personas["auditor"]).get("/audit/", {"date_from": "9999-12-31"})
    assert answer.status_code == 200 and "标记行" not in answer.content.decode()


# Search boxes and filters that took text straight from the query string: a NUL cannot be sent to PostgreSQL and a
# term longer than the box is refused with a message, never cut.
SEARCH_PAGES = [
    ("secadmin", "/users/", "q"),
    ("auditor", "/acceptance/archives/log/", "username"),
    ("auditor", "/acceptance/archives/log/", "number"),
    ("clerk", "/acceptance/cases/new/applicants/", "q"),
]


@pytest.mark.parametrize("who,path,param", SEARCH_PAGES)
@pytest.mark.parametrize("value", ["a\x00b", "长" * 500])
def test_search_terms_with_nul_or_too_long_are_refused_with_a_message(personas, client_as, who, path, param, value):
    answer = client_as(personas[who]).get(path, {param: value})
    assert answer.status_code in (200, 400)
    text = answer.content.decode()
    assert "筛选条件有误" in text or "搜索词无效" in text
