"""The demo, small: every module's demo data on a registry of 150 residents, as `manage.py seed_demo` builds it
(the grid's 320-case simulation replaced by four reports), for the tests that walk or scan a demo build."""

from __future__ import annotations

import io
import random

PASSWORD = "Shequ#2026demo"


def seed_small_demo(*, password: str = PASSWORD, residents: int = 150) -> list[str]:
    """Seeds every app's demo in INSTALLED_APPS order; returns the demo usernames."""
    from django.apps import apps
    from django.utils.module_loading import import_string, module_has_submodule
    from shapely.geometry import shape

    from shequ.acceptance import demo as acceptance_demo
    from shequ.core import demo as core_demo
    from shequ.core.choices import NodeKind
    from shequ.core.models import Node, User
    from shequ.grid import demo as grid_demo
    from shequ.grid.taxonomy import ensure_process_limits, ensure_taxonomy
    from shequ.grid.testing import report
    from shequ.people import demo as people_demo

    out, rng = io.StringIO(), random.Random(18)
    core_demo.seed(stdout=out, password=password, rng=rng)
    people_demo.seed(stdout=out, password=password, rng=rng, count=residents)
    acceptance_demo.seed(stdout=out, password=password, rng=rng)
    # A few cases through the service before the grid demo, which then skips its 320-case simulation.
    ensure_taxonomy()
    ensure_process_limits()
    inspector = User.objects.get(username="inspector")
    grids = Node.objects.filter(kind=NodeKind.GRID).order_by("code")[:4]
    for grid, category in zip(grids, ["E0102", "E0502", "C0109", "E0602"]):
        p = shape(grid.geometry).representative_point()
        report({"inspector": inspector}, category=category, point=(round(p.y, 6), round(p.x, 6)))
    grid_demo.seed(stdout=out, password=password, rng=rng)
    # Every later module's demo (residents' side, facilities, meals, doctors, supermarket, 96980).
    done = {"shequ.core", "shequ.people", "shequ.acceptance", "shequ.grid"}
    for config in apps.get_app_configs():
        if config.name.startswith("shequ.") and config.name not in done \
                and module_has_submodule(config.module, "demo"):
            import_string(f"{config.name}.demo.seed")(stdout=out, password=password, rng=rng)
    return [u for u, *_ in core_demo.DEMO_USERS]
