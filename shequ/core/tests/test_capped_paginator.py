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
