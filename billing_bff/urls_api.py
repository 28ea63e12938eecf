"""The JSON API of billing_bff itself (identity, me); apps add theirs in config.urls."""

from django.urls import path

from billing_bff import apis

urlpatterns = [
    path("auth/token", apis.TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh", apis.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/logout", apis.LogoutApi.as_view(), name="auth-logout"),
    path("me", apis.MeApi.as_view(), name="me"),
]
