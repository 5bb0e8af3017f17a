"""What every part of the API answers with: its error shape, a person, and either side's view
of an object as the schema documents it."""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers


class ErrorBody(serializers.Serializer):
    status = serializers.IntegerField()
    reason = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class Error(serializers.Serializer):
    """Every error: `{"error": {"status", "reason", "fields"?}}`."""

    error = ErrorBody()


class Person(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")


def either_side(name: str, customer, staff, *, many: bool = False) -> PolymorphicProxySerializer:
    """A ticket as the schema documents it: the customer's side, or staff's (one or the other)."""
    return PolymorphicProxySerializer(
        component_name=name, serializers=[customer, staff], resource_type_field_name=None, many=many
    )
