"""Serializer fields shared by the apps' APIs."""

import copy

from django.utils.functional import cached_property
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict


class ChoiceLabelField(serializers.CharField):
    """The display label of a choice field, as `get_<field>_display()` returns it, at a fraction of its cost:
    Django rebuilds and hashes the whole translated choice list on every call (16 translations per row for a
    15-state status, about a third of the time of a 50-row API page); this looks the value up in a dict built
    once and translates only the one label. Unknown values are returned as they are, like Django does."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))


class StaticFieldsMixin:
    """A serializer whose fields are built once per class instead of once per instance.

    DRF builds a serializer's fields on every instance: a deep copy of each declared field and, for a
    `ModelSerializer`, an introspection of the model for every other field. On a write that answers with the
    saved row this was a fifth of the request's CPU. Here the fields are built the first time and kept on the class
    as unbound templates; each instance binds shallow copies of them (a field's state is its configuration, set in
    its constructor; binding sets the name, parent, label and source on the copy). A field holding other fields
    (a nested serializer, a list's child, a many-relation) is deep-copied as DRF does, so that its children are
    bound to it. Only for serializers whose fields do not depend on the instance, the context or the request
    (none of ours override `get_fields`)."""

    @cached_property
    def fields(self):
        cls = type(self)
        template = cls.__dict__.get("_static_fields")
        if template is None:
            template = self.get_fields()
            cls._static_fields = template
        fields = BindingDict(self)
        for name, field in template.items():
            nested = isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") \
                or hasattr(field, "child_relation")
            fields[name] = copy.deepcopy(field) if nested else copy.copy(field)
        return fields


class ModelSerializer(StaticFieldsMixin, serializers.ModelSerializer):
    """The base of the apps' model serializers (see `StaticFieldsMixin`)."""


class Serializer(StaticFieldsMixin, serializers.Serializer):
    """The base of the apps' plain serializers (see `StaticFieldsMixin`)."""
