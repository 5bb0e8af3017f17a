"""Catalog services, as everyone reads them."""

from rest_framework import serializers

from tickets.models import Service


class ServiceRef(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "slug", "name"]


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = [
            "id",
            "slug",
            "name",
            "summary",
            "description",
            "provided_by_it",
            "owning_department",
            "process_steps",
            "form_url",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]
