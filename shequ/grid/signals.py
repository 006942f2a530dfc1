"""Cache invalidation only (no domain logic): a grid polygon saved anywhere — our import, the tree admin —
marks the spatial index stale in every process."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shequ.core.choices import NodeKind
from shequ.core.models import Node


@receiver([post_save, post_delete], sender=Node)
def _grid_changed(sender, instance, **kwargs):
    if instance.kind == NodeKind.GRID:
        from . import spatial

        spatial.clear()
        transaction.on_commit(spatial.touch)
