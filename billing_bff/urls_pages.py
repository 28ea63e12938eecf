"""The browser pages of billing_bff itself: login, logout and the customer switcher.

`/` is the overview app's (overview.urls_pages), which shows the switcher page
(billing_bff.views.home) while no customer is chosen.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from billing_bff import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    # Django's LogoutView answers POST only, so a link or an image cannot log anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("customer/", views.select_customer, name="select-customer"),
]
