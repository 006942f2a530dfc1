from django.core.management.base import BaseCommand, CommandError

from shequ.core.errors import DomainError
from shequ.core.models import Node


class Command(BaseCommand):
    help = "为 Open311 客户端签发 API 密钥（客户端不存在时新建；已存在时更换密钥，旧密钥立即失效）。只保存密钥的哈希。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="客户端名称")
        parser.add_argument("--jurisdiction", default="", help="所属街道代码（默认第一个街道）")
        parser.add_argument("--contact", default="")

    def handle(self, *args, name, jurisdiction, contact, **options):
        from shequ.grid.services import open311_client_issue

        node = None
        if jurisdiction:
            node = Node.objects.filter(code=jurisdiction, kind="subdistrict").first()
            if node is None:
                raise CommandError(f"街道代码 {jurisdiction} 不存在")
        try:
            client, key = open311_client_issue(actor=None, name=name, jurisdiction=node, contact=contact)
        except DomainError as exc:
            raise CommandError(exc.message)
        self.stderr.write(f"客户端“{client.name}”的新 API 密钥（只显示这一次）：")
        self.stdout.write(key)
