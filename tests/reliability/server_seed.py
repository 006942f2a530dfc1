"""Seed the minimum a server under test needs, in the database named by DATABASE_URL / SQLITE_PATH:
the test jurisdiction tree, the grid catalogue, a few staff accounts and their API tokens. Prints one JSON line.

    DATABASE_URL=postgres://…/db .venv/bin/python -m tests.reliability.server_seed
"""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.test_settings")


def main() -> dict:
    import django

    django.setup()
    from django.db import transaction

    from shequ.core import services
    from shequ.core.choices import Role
    from shequ.core.testing import PASSWORD, build_tree, make_user
    from shequ.grid.taxonomy import ensure_process_limits, ensure_taxonomy
    from shequ.people.services import tags_ensure_defaults

    with transaction.atomic():
        tags_ensure_defaults()
        tree = build_tree()
        ensure_taxonomy()
        ensure_process_limits()
        sub = tree["sub"]
        users = {
            "dunhua": make_user(Role.COMMITTEE_WORKER, [tree["dunhua"]], username="dunhua"),
            "inspector": make_user(Role.INSPECTOR, [sub], username="inspector"),
            "clerk": make_user(Role.WINDOW_CLERK, [sub], username="clerk"),
        }
        tokens = {name: services.api_token_issue(user=user, ttl_hours=24) for name, user in users.items()}
    return {"tokens": tokens, "password": PASSWORD, "committee": tree["dunhua"].code, "subdistrict": sub.code,
            "users": {name: user.pk for name, user in users.items()}}


if __name__ == "__main__":
    print(json.dumps(main()))
