"""The JSON API of billing_bff itself (identity, me); apps add theirs in config.urls."""

urlpatterns: list = []
