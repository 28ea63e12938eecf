"""Input rules of the usage record lists, shared by the API and the pages: paging, filters
and sorting, validated before anything is read."""

from __future__ import annotations

from rest_framework import serializers

from billing_bff.web.api import PageQuery

from . import store


class CommaList(serializers.ListField):
    """`usage_type=voice,sms` and `usage_type=voice&usage_type=sms` alike."""

    def get_value(self, dictionary):
        values = dictionary.getlist(self.field_name) if hasattr(dictionary, "getlist") else []
        if not values:
            return serializers.empty
        return [part for value in values for part in value.split(",") if part]


class UsageQuery(PageQuery):
    usage_type = CommaList(child=serializers.ChoiceField(choices=store.USAGE_TYPES), required=False)
    zone = CommaList(child=serializers.ChoiceField(choices=store.ZONES), required=False)
    roaming = serializers.BooleanField(required=False, allow_null=True, default=None)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    q = serializers.CharField(required=False, max_length=64, allow_blank=True, default="")
    sort = serializers.ChoiceField(choices=store.SORTS, default="-time")

    def validate(self, attrs):
        if (
            attrs.get("date_from")
            and attrs.get("date_to")
            and attrs["date_from"] > attrs["date_to"]
        ):
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return attrs

    def to_query(self) -> store.Query:
        data = self.validated_data
        return store.Query(
            usage_types=tuple(data.get("usage_type") or ()),
            zones=tuple(data.get("zone") or ()),
            roaming=data.get("roaming"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            search=data.get("q", "").strip(),
            sort=data["sort"],
            page=data["page"],
            page_size=data["page_size"],
        )
