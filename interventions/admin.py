"""Admin views of the interventions records, read mostly: changes go through the services and the screens."""

from django.contrib import admin

from interventions import models


class ActionInline(admin.TabularInline):
    model = models.Action
    fk_name = "support_plan"
    extra = 0
    fields = ("description", "owner", "due_on", "completed_on")


class ContractPartyInline(admin.TabularInline):
    model = models.ContractParty
    extra = 0
    raw_id_fields = ("parent",)


@admin.register(models.SupportPlan)
class SupportPlanAdmin(admin.ModelAdmin):
    list_display = ("case", "status", "agreed_on", "review_on", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("case", "created_by")
    inlines = [ActionInline]


@admin.register(models.Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("description", "owner", "due_on", "completed_on", "case")
    raw_id_fields = ("case", "support_plan", "meeting", "owner_user")


@admin.register(models.AttendanceContract)
class AttendanceContractAdmin(admin.ModelAdmin):
    list_display = ("case", "status", "starts_on", "review_on", "status_changed_on")
    list_filter = ("status",)
    raw_id_fields = ("case", "created_by")
    inlines = [ContractPartyInline]


@admin.register(models.EarlyHelp)
class EarlyHelpAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "agency", "started_on", "ended_on", "family_consented")
    list_filter = ("kind",)
    raw_id_fields = ("case", "created_by")


@admin.register(models.ReasonableAdjustment)
class ReasonableAdjustmentAdmin(admin.ModelAdmin):
    list_display = ("pupil", "area", "status", "starts_on", "review_on", "agreed_with")
    list_filter = ("status", "area")
    raw_id_fields = ("pupil", "recorded_by")


@admin.register(models.AdjustmentReview)
class AdjustmentReviewAdmin(admin.ModelAdmin):
    list_display = ("pupil", "reviewed_on", "reviewed_by")
    raw_id_fields = ("pupil", "case", "reviewed_by")


@admin.register(models.PartTimeTimetable)
class PartTimeTimetableAdmin(admin.ModelAdmin):
    list_display = ("pupil", "starts_on", "planned_end_on", "ended_on", "la_notified_of_start_on", "la_notified_of_end_on")
    raw_id_fields = ("pupil", "case", "recorded_by")


@admin.register(models.LANotification)
class LANotificationAdmin(admin.ModelAdmin):
    list_display = ("pupil", "kind", "sent_on", "acknowledged_on")
    list_filter = ("kind",)
    raw_id_fields = ("pupil", "case", "part_time_timetable", "sent_by")


@admin.register(models.LeaveOfAbsenceRequest)
class LeaveOfAbsenceRequestAdmin(admin.ModelAdmin):
    list_display = ("pupil", "first_day", "last_day", "decision", "decided_on")
    list_filter = ("decision",)
    raw_id_fields = ("pupil", "requested_by", "decided_by")
