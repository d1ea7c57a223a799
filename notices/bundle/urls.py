from django.urls import path

from notices.bundle import views as bundle_views

app_name = "bundles"
urlpatterns = [
    path("cases/<int:case_pk>/evidence-bundle/", bundle_views.evidence_bundle_create, name="generate"),
    path("cases/<int:case_pk>/evidence-bundle/<int:pk>/", bundle_views.evidence_bundle_run_detail, name="run"),
    path("cases/<int:case_pk>/evidence-bundle/<int:pk>/retry/", bundle_views.evidence_bundle_run_retry,
         name="retry"),
    path("cases/<int:case_pk>/evidence-bundle.pdf", bundle_views.evidence_bundle_pdf, name="pdf"),
]
