from django.urls import path

from cases import views

urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<str:urn>/pupils/", views.school_pupils, name="school_pupils"),
    path("schools/<str:urn>/alerts/", views.school_alerts, name="school_alerts"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve_view, name="alert_resolve"),
    path("pupils/<str:upn>/", views.pupil_detail, name="pupil_detail"),
    path("la/<str:code>/", views.la_overview, name="la_overview"),
    path("la/<str:code>/audit/", views.la_audit, name="la_audit"),
    path("schools/<str:urn>/figures/", views.school_figures_view, name="school_figures"),
    path("schools/<str:urn>/audit/", views.school_audit, name="school_audit"),
    path("schools/<str:urn>/caseload/", views.school_caseload, name="school_caseload"),
    path("pupils/<str:upn>/cases/new/", views.case_open_view, name="case_open"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/chronology/", views.case_chronology, name="case_chronology"),
    path("cases/<int:pk>/meetings/", views.case_meetings, name="case_meetings"),
    path("cases/<int:pk>/support/", views.case_support, name="case_support"),
    path("cases/<int:pk>/notices/", views.case_notices, name="case_notices"),
    path("cases/<int:pk>/documents/", views.case_documents, name="case_documents"),
    path("cases/<int:pk>/steps/", views.case_step, name="case_step"),
    path("cases/<int:pk>/notes/", views.case_note_view, name="case_note_add"),
    path("cases/<int:pk>/penalty-notice-considerations/", views.pn_consideration_view, name="pn_consideration_record"),
    path("cases/<int:pk>/penalty-notice-considerations/<int:consideration_pk>/authorise/",
         views.pn_consideration_authorise_view, name="pn_consideration_authorise"),
]
