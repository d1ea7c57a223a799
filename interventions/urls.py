"""Case-level records under /cases/<case_pk>/, pupil-level ones under /pupils/<upn>/, and the SENCo's register."""

from django.urls import path

from interventions import la_views, views

app_name = "interventions"

CASE = "cases/<int:case_pk>/"
PUPIL = "pupils/<str:upn>/"
PLAN = CASE + "support-plans/<int:pk>/"
CONTRACT = CASE + "contracts/<int:pk>/"

urlpatterns = [
    # Support plans and their actions
    path(CASE + "support-plans/new/", views.support_plan_create, name="support_plan_create"),
    path(PLAN, views.support_plan_detail, name="support_plan_detail"),
    path(PLAN + "agree/", views.support_plan_agree, name="support_plan_agree"),
    path(PLAN + "actions/new/", views.support_plan_action_add, name="support_plan_action_add"),
    path(PLAN + "review/", views.support_plan_review, name="support_plan_review"),
    path(CASE + "support-plans/<int:plan_pk>/actions/<int:pk>/done/", views.action_complete, name="action_complete"),
    # Attendance contracts
    path(CASE + "contracts/new/", views.contract_create, name="contract_create"),
    path(CONTRACT, views.contract_detail, name="contract_detail"),
    path(CONTRACT + "offer/", views.contract_offer, name="contract_offer"),
    path(CONTRACT + "breach/", views.contract_breach, name="contract_breach"),
    path(CONTRACT + "end/", views.contract_end, name="contract_end"),
    path(CASE + "contracts/<int:contract_pk>/parties/<int:pk>/response/", views.contract_party_response,
         name="contract_party_response"),
    # Early help
    path(CASE + "early-help/new/", views.early_help_create, name="early_help_create"),
    path(CASE + "early-help/<int:pk>/end/", views.early_help_end, name="early_help_end"),
    # Pupil-level records
    path(PUPIL + "support/", views.pupil_interventions, name="pupil_interventions"),
    path(PUPIL + "adjustments/new/", views.adjustment_create, name="adjustment_create"),
    path(PUPIL + "adjustments/<int:pk>/update/", views.adjustment_update, name="adjustment_update"),
    path(PUPIL + "adjustment-reviews/new/", views.adjustment_review_create, name="adjustment_review_create"),
    path(PUPIL + "ehc-plan-notification/new/", views.ehc_notification_create, name="ehc_notification_create"),
    path(PUPIL + "part-time-timetables/new/", views.part_time_create, name="part_time_create"),
    path(PUPIL + "part-time-timetables/<int:pk>/review/", views.part_time_review, name="part_time_review"),
    path(PUPIL + "part-time-timetables/<int:pk>/end/", views.part_time_end, name="part_time_end"),
    path(PUPIL + "part-time-timetables/<int:pk>/la-notified-of-<str:which>/", views.part_time_notify,
         name="part_time_notify"),
    path(PUPIL + "sickness-return/new/", views.sickness_return_create, name="sickness_return_create"),
    path(PUPIL + "cme-referral/new/", views.cme_referral_create, name="cme_referral_create"),
    path(PUPIL + "leave-requests/new/", views.leave_request_create, name="leave_request_create"),
    path(PUPIL + "leave-requests/<int:pk>/decision/", views.leave_request_decide, name="leave_request_decide"),
    # The SENCo's register of adjustments across the school
    path("schools/<str:urn>/adjustments/", views.adjustment_register, name="adjustment_register"),
    path("schools/<str:urn>/adjustments/export.csv", views.adjustment_register_csv, name="adjustment_register_csv"),
    # The LA officer: notifications from the LA's schools that wait for an acknowledgement
    path("la/<str:code>/notifications/", la_views.la_notifications, name="la_notifications"),
    path("la/<str:code>/notifications/<int:pk>/acknowledge/", la_views.la_notification_acknowledge,
         name="la_notification_acknowledge"),
]
