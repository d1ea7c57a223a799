"""Meetings in the admin, read-only: every change goes through meetings.services (chronology and audit)."""

from __future__ import annotations

from django.contrib import admin

from meetings.models import Contact, Meeting, MeetingAttendee


class MeetingAttendeeInline(admin.TabularInline):
    model = MeetingAttendee
    extra = 0
    can_delete = False
    readonly_fields = ["role", "parent", "name", "organisation", "attended"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "starts_at", "location", "status"]
    list_filter = ["kind", "status"]
    date_hierarchy = "starts_at"
    search_fields = ["case__pupil__surname", "case__pupil__forename", "case__pupil__upn", "location"]
    list_select_related = ["case__pupil"]
    inlines = [MeetingAttendeeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["case", "made_at", "method", "with_name", "outcome"]
    list_filter = ["method", "outcome"]
    date_hierarchy = "made_at"
    search_fields = ["case__pupil__surname", "case__pupil__forename", "case__pupil__upn", "with_name"]
    list_select_related = ["case__pupil"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
