from __future__ import annotations

from django.contrib import admin

from cases import models


class CodeOfConductInline(admin.StackedInline):
    model = models.CodeOfConduct
    can_delete = False


@admin.register(models.LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    inlines = [CodeOfConductInline]


class TermDateInline(admin.TabularInline):
    model = models.TermDate
    extra = 0


@admin.register(models.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["urn", "name", "local_authority", "phone", "email"]
    list_filter = ["local_authority"]
    search_fields = ["urn", "name"]
    inlines = [TermDateInline]


@admin.register(models.Pupil)
class PupilAdmin(admin.ModelAdmin):
    list_display = ["upn", "surname", "forename", "school", "year_group", "sen_status"]
    list_filter = ["school", "year_group", "sen_status"]
    search_fields = ["upn", "surname", "forename"]
    list_select_related = ["school"]


@admin.register(models.StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "position", "school", "local_authority"]
    list_filter = ["role"]
    list_select_related = ["user", "school", "local_authority"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "pupil", "school", "detail"]
    list_filter = ["action"]
    list_select_related = ["user", "pupil", "school"]

    # The audit trail is evidence: nobody edits or deletes it, not even an administrator.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
