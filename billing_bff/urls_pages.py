"""The browser pages of billing_bff itself (login, logout)."""

urlpatterns: list = []
