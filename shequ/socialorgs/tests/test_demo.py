import io
import random

import pytest


@pytest.mark.django_db
def test_it_seeds_the_demo_once():
    from shequ.core import demo as core_demo
    from shequ.socialorgs import demo
    from shequ.socialorgs.models import Claim, ClaimProject, Instalment, Organisation, Project

    out = io.StringIO()
    core_demo.seed(stdout=out, password="Demo#2026pass", rng=random.Random(1))
    demo.seed(stdout=out, password="Demo#2026pass", rng=random.Random(1))
    assert Organisation.objects.count() == 12
    assert ClaimProject.objects.filter(event=demo.FESTIVAL).count() == 4
    assert Claim.objects.count() == 8
    assert set(Project.objects.values_list("status", flat=True)) == {"appraised", "midterm", "call"}
    assert Instalment.objects.filter(status="held").count() == 1
    demo.seed(stdout=out, password="Demo#2026pass", rng=random.Random(1))
    assert Organisation.objects.count() == 12 and Claim.objects.count() == 8
