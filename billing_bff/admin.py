"""Admin: users with their customer links, the links themselves, the audit log (read-only).

Customer-service agents are staff users holding `billing_bff.act_as_agent`, given
directly or through a group (seed_demo makes a "Customer service" group).
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone

from billing_bff.forms import AdminLoginForm
from billing_bff.models import AuditLog, CustomerLink, TokenFamily

User = get_user_model()


class CustomerLinkInline(admin.TabularInline):
    model = CustomerLink
    extra = 0
    fields = ["ledger_no", "customer_no", "display_name", "role", "created_at"]
    readonly_fields = ["created_at"]


# Agents may open any customer: the admin's login counts failures like every login
# (billing_bff.throttle); billing_bff.views.admin_login answers its refusals with 429.
admin.site.login_form = AdminLoginForm

admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [*DjangoUserAdmin.inlines, CustomerLinkInline]


@admin.register(CustomerLink)
class CustomerLinkAdmin(admin.ModelAdmin):
    list_display = ["user", "customer_no", "display_name", "role", "ledger_no", "created_at"]
    list_filter = ["role", "ledger_no"]
    search_fields = ["user__username", "customer_no", "display_name"]
    autocomplete_fields = ["user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Readable by staff with the view permission; nobody may add, change or delete."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """The audit log: append-only for the application, read-only here."""

    list_display = ["at", "actor_username", "actor_role", "action", "customer_no", "channel"]
    list_filter = ["action", "channel", "actor_role"]
    search_fields = ["actor_username", "customer_no", "request_id"]
    date_hierarchy = "at"


@admin.register(TokenFamily)
class TokenFamilyAdmin(admin.ModelAdmin):
    """Mobile logins; support can end one (a lost phone) with the revoke action."""

    list_display = ["user", "created_at", "revoked_at", "revoked_reason"]
    list_filter = ["revoked_reason"]
    search_fields = ["user__username"]
    readonly_fields = ["id", "user", "created_at", "revoked_at", "revoked_reason"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected mobile logins", permissions=["change"])
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason="admin"
        )
