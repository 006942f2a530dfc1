"""A scope holding every root of the tree is not filtered by a list of node ids; any other scope still is."""

from shequ.core import services
from shequ.core.choices import NodeKind, Role
from shequ.core.scoping import filter_by_scope, scope_is_whole_tree
from shequ.core.testing import make_resident, make_user
from shequ.people.models import Resident


def test_it_treats_a_district_leader_of_the_only_district_as_seeing_everything(tree, personas):
    district_leader = make_user(Role.LEADER, [tree["district"]])
    make_resident(personas["dunhua"], tree["dunhua"], name="张三")
    make_resident(personas["yinxing"], tree["yinxing"], name="李四")
    assert scope_is_whole_tree(district_leader)
    rows = filter_by_scope(Resident.objects.all(), district_leader, "committee", NodeKind.COMMITTEE)
    assert "IN (" not in str(rows.query)
    assert sorted(rows.values_list("name", flat=True)) == ["张三", "李四"]


def test_it_still_filters_a_subdistrict_scope_without_asking_for_the_roots(tree, personas,
                                                                          django_assert_num_queries):
    make_resident(personas["dunhua"], tree["dunhua"], name="张三")
    make_resident(personas["yinxing"], tree["yinxing"], name="李四")
    leader = personas["leader"]  # 延吉新村街道
    with django_assert_num_queries(1):  # the scope's paths; no question about the roots
        assert not scope_is_whole_tree(leader)
    rows = filter_by_scope(Resident.objects.all(), leader, "committee", NodeKind.COMMITTEE)
    assert list(rows.values_list("name", flat=True)) == ["张三"]


def test_it_filters_a_district_leader_once_the_tree_has_another_district(tree, personas):
    district_leader = make_user(Role.LEADER, [tree["district"]])
    other = services.node_create(actor=None, kind=NodeKind.DISTRICT, code="310109000000", name="虹口区")
    sub = services.node_create(actor=None, kind=NodeKind.SUBDISTRICT, code="310109001000", name="四川北路街道",
                               parent=other)
    committee = services.node_create(actor=None, kind=NodeKind.COMMITTEE, code="310109001001", name="长春居委会",
                                     parent=sub)
    make_resident(make_user(Role.COMMITTEE_WORKER, [committee]), committee, name="王五")
    make_resident(personas["dunhua"], tree["dunhua"], name="张三")
    assert not scope_is_whole_tree(district_leader)
    rows = filter_by_scope(Resident.objects.all(), district_leader, "committee", NodeKind.COMMITTEE)
    assert list(rows.values_list("name", flat=True)) == ["张三"]
    both = make_user(Role.LEADER, [tree["district"], other])
    assert scope_is_whole_tree(both)
    assert sorted(filter_by_scope(Resident.objects.all(), both, "committee").values_list("name", flat=True)) == [
        "张三", "王五"]
