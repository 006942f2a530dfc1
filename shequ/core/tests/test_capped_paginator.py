from django.test import RequestFactory

from shequ.core.models import Node
from shequ.core.web import paginate


def test_it_gives_every_page_the_rows_of_a_plain_slice(tree, django_assert_num_queries):
    def qs():
        return Node.objects.select_related("parent").order_by("-code")

    expected = list(qs())
    assert len(expected) > 6
    pages = []
    for number in range(1, 5):
        page = paginate(RequestFactory().get("/", {"page": number}), qs(), 2)
        pages.append([n.pk for n in page.object_list])
        if number == 3:
            with django_assert_num_queries(0):  # the parents came with the rows
                [n.parent for n in page.object_list]
    flat = [pk for page in pages for pk in page]
    assert flat == [n.pk for n in expected][:len(flat)]
    assert paginate(RequestFactory().get("/", {"page": 2}), Node.objects.order_by("code").values("code"), 3
                    ).object_list[0] == {"code": sorted(n.code for n in expected)[3]}


def test_the_capped_count_reads_at_most_cap_plus_one_rows_in_no_particular_order(tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shequ.core.web import CappedPaginator

    total = Node.objects.count()
    for cap, expected in ((total + 5, total), (3, 4)):
        paginator = CappedPaginator(Node.objects.order_by("-code"), 2, cap=cap)
        with CaptureQueriesContext(connection) as ctx:
            assert paginator.count == expected
        assert paginator.capped == (total > cap)
        (sql,) = [q["sql"] for q in ctx.captured_queries]
        assert "COUNT(" in sql.upper() and "ORDER BY" not in sql.upper()  # the order only cost the database time
