"""Give the linkage team, its members, their patrol logs and the inspections a node, so that they are read within
the reader's jurisdiction like every other record. Existing rows are filled from what they already say: a team
belongs to the 街道 of its members' accounts (else the first 街道), a member and a patrol log to their team's
街道, an inspection to the committee it scored or else its inspector's 街道."""

import django.db.models.deletion
from django.db import migrations, models

SUBDISTRICT = "subdistrict"


def _subdistrict_of(Node, node):
    if node is None:
        return None
    if node.kind == SUBDISTRICT:
        return node
    codes = node.path.strip("/").split("/")
    return Node.objects.filter(code__in=codes, kind=SUBDISTRICT).first()


def _user_subdistrict(Node, user):
    if user is None:
        return None
    for node in user.nodes.all().order_by("path"):
        found = _subdistrict_of(Node, node)
        if found is not None:
            return found
    return None


def fill(apps, schema_editor):
    Node = apps.get_model("core", "Node")
    DutyTeam = apps.get_model("grid", "DutyTeam")
    TeamMember = apps.get_model("grid", "TeamMember")
    PatrolLog = apps.get_model("grid", "PatrolLog")
    Inspection = apps.get_model("grid", "Inspection")
    first = Node.objects.filter(kind=SUBDISTRICT).order_by("code").first()
    needs_node = DutyTeam.objects.exists() or Inspection.objects.exists()
    if needs_node and first is None:
        raise RuntimeError("grid: linkage teams or inspections exist but no 街道 node does; create the 街道 first.")
    for team in DutyTeam.objects.all():
        node = None
        for member in TeamMember.objects.filter(team=team, user__isnull=False).select_related("user"):
            node = _user_subdistrict(Node, member.user)
            if node is not None:
                break
        team.node = node or first
        team.save(update_fields=["node"])
    for team in DutyTeam.objects.all():
        TeamMember.objects.filter(team=team).update(node=team.node)
    for member in TeamMember.objects.all():
        PatrolLog.objects.filter(member=member).update(node=member.node)
    for inspection in Inspection.objects.select_related("committee", "inspector"):
        inspection.node = inspection.committee or _user_subdistrict(Node, inspection.inspector) or first
        inspection.save(update_fields=["node"])


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_lean_write_indexes'),
        ('grid', '0003_case_list_covering_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='dutyteam', name='node',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='core.node', verbose_name='所属街道', limit_choices_to={'kind': 'subdistrict'})),
        migrations.AddField(
            model_name='teammember', name='node',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='core.node', verbose_name='所属街道', limit_choices_to={'kind': 'subdistrict'})),
        migrations.AddField(
            model_name='patrollog', name='node',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='core.node', verbose_name='所属街道', limit_choices_to={'kind': 'subdistrict'})),
        migrations.AddField(
            model_name='inspection', name='node',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='core.node', verbose_name='辖区')),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
