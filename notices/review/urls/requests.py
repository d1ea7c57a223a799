"""Penalty notice requests: the school's pages under the case, the LA officer's under the LA."""

from django.urls import path

from notices.review.views import evidence
from notices.review.views import requests as views

app_name = "pn_requests"
urlpatterns = [
    path("cases/<int:case_pk>/penalty-notice-requests/new/", views.pn_request_new, name="new"),
    path("cases/<int:case_pk>/penalty-notice-requests/<int:pk>/", views.school_request_detail, name="school_detail"),
    path("la/<str:code>/requests/", views.la_requests_inbox, name="la_inbox"),
    path("la/<str:code>/requests/<int:pk>/", views.la_request_detail, name="la_detail"),
    path("la/<str:code>/requests/<int:pk>/assign/", views.la_request_assign, name="la_assign"),
    path("la/<str:code>/requests/<int:pk>/decide/", views.la_request_decide, name="la_decide"),
    path("la/<str:code>/requests/<int:pk>/reassign/", views.la_request_reassign, name="la_reassign"),
    path("la/<str:code>/requests/<int:pk>/register/", evidence.la_request_register, name="la_register"),
    path("la/<str:code>/requests/<int:pk>/evidence-bundle.pdf", evidence.la_request_bundle_pdf, name="la_bundle"),
    path("la/<str:code>/requests/<int:pk>/evidence-bundle/", evidence.la_request_bundle_make, name="la_bundle_make"),
]
