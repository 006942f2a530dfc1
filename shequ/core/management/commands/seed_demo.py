import random

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string, module_has_submodule

DEFAULT_PASSWORD = "Shequ#2026demo"


class Command(BaseCommand):
    help = "建立演示数据：杨浦区 → 延吉新村街道、17个居委会、网格、部门、各角色账号和合成居民。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD,
                            help="所有演示账号的密码（须满足密码策略）")

    def handle(self, *args, password, **options):
        rng = random.Random(310110015)
        self.stdout.write("建立演示数据 …")
        for config in apps.get_app_configs():
            if not config.name.startswith("shequ.") or not module_has_submodule(config.module, "demo"):
                continue
            seed = import_string(f"{config.name}.demo.seed")
            with transaction.atomic():
                seed(stdout=self.stdout, password=password, rng=rng)
        from shequ.core.demo import DEMO_USERS

        self.stdout.write(self.style.SUCCESS("演示账号（密码均为 %s）：" % password))
        for username, full_name, role, scope, _dept in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {full_name}（{role.label}{'，' + scope if scope and scope != 'subdistrict' else ''}）")
