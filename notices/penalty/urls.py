"""Penalty notices: the school's pages under the case, the LA officer's under the LA (domain.md 3.5)."""

from django.urls import path

from notices.penalty import views
from notices.penalty.past_views import la_past_notice_new
from notices.penalty.register_views import la_register, la_register_csv

app_name = "penalty_notices"
urlpatterns = [
    # The school: draft, consult the LA, issue (with the letter), withdraw before issue.
    path("cases/<int:case_pk>/penalty-notices/new/", views.penalty_notice_draft_view, name="draft"),
    path("cases/<int:case_pk>/penalty-notices/<int:pk>/", views.penalty_notice_case_detail, name="case_notice"),
    path("cases/<int:case_pk>/penalty-notices/<int:pk>/consult-la/", views.penalty_notice_consult_view,
         name="consult_la"),
    path("cases/<int:case_pk>/penalty-notices/<int:pk>/issue/", views.penalty_notice_issue_view, name="issue"),
    path("cases/<int:case_pk>/penalty-notices/<int:pk>/withdraw/", views.penalty_notice_school_withdraw,
         name="school_withdraw"),
    # The local authority's attendance officer.
    path("la/<str:code>/penalty-notices/", views.la_penalty_notices, name="la_list"),
    path("la/<str:code>/penalty-notices/past/new/", la_past_notice_new, name="past_new"),
    path("la/<str:code>/penalty-notices/register/", la_register, name="register"),
    path("la/<str:code>/penalty-notices/register.csv", la_register_csv, name="register_csv"),
    path("la/<str:code>/penalty-notices/<int:pk>/", views.la_penalty_notice_detail, name="la_notice"),
    path("la/<str:code>/penalty-notices/<int:pk>/payment/", views.la_record_payment, name="la_payment"),
    path("la/<str:code>/penalty-notices/<int:pk>/withdraw/", views.la_withdraw, name="la_withdraw"),
    path("la/<str:code>/penalty-notices/<int:pk>/prosecution/", views.la_refer_for_prosecution, name="la_refer"),
    path("la/<str:code>/penalty-notices/<int:pk>/letter.pdf", views.la_letter_pdf, name="la_letter_pdf"),
    path("la/<str:code>/penalty-notices/tasks/<int:task_pk>/done/", views.la_task_done, name="la_task_done"),
]
