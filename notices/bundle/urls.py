from django.urls import path

from notices.bundle import views as bundle_views

app_name = "bundles"
urlpatterns = [
    path("cases/<int:case_pk>/evidence-bundle/", bundle_views.evidence_bundle_create, name="generate"),
    path("cases/<int:case_pk>/evidence-bundle.pdf", bundle_views.evidence_bundle_pdf, name="pdf"),
]
