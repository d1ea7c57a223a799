"""Prosecution referrals: the school's pages under the case, the LA officer's under the LA."""

from django.urls import path

from notices.review.views import evidence
from notices.review.views import referrals as views

app_name = "referrals"
urlpatterns = [
    path("cases/<int:case_pk>/prosecution-referrals/new/", views.referral_new, name="new"),
    path("cases/<int:case_pk>/prosecution-referrals/<int:pk>/", views.school_referral_detail, name="school_detail"),
    path("la/<str:code>/referrals/<int:pk>/", views.la_referral_detail, name="la_detail"),
    path("la/<str:code>/referrals/<int:pk>/assign/", views.la_referral_assign, name="la_assign"),
    path("la/<str:code>/referrals/<int:pk>/decide/", views.la_referral_decide, name="la_decide"),
    path("la/<str:code>/referrals/<int:pk>/outcome/", views.la_referral_outcome, name="la_outcome"),
    path("la/<str:code>/referrals/<int:pk>/reassign/", views.la_referral_reassign, name="la_reassign"),
    path("la/<str:code>/referrals/<int:pk>/evidence-bundle.pdf", views.la_referral_bundle_pdf, name="la_bundle"),
    path("la/<str:code>/referrals/<int:pk>/register/", evidence.la_referral_register, name="la_register"),
    path("la/<str:code>/referrals/<int:pk>/evidence-bundle-latest.pdf", evidence.la_referral_latest_bundle_pdf,
         name="la_latest_bundle"),
]
