from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from agencies.models import Agency, Contact, Team, User


@admin.register(User)
class StrategyUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "agency", "team", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Role in the service", {"fields": ("role", "agency", "team", "manager")}),
    )


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "secure_email", "deactivated_at")
    list_filter = ("kind",)
    search_fields = ("name", "secure_email", "ods_code")
    inlines = [ContactInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "agency")
