from django.urls import path

from notices.improvement import views
from notices.letters.views import letter_pdf

# The namespace is the app's own: a stored letter's PDF was here before letters had their own.
app_name = "notices"
urlpatterns = [
    path("letters/<int:pk>.pdf", letter_pdf, name="letter_pdf"),
    # Notices to improve (domain.md 3.4).
    path("cases/<int:case_pk>/notices-to-improve/new/", views.notice_to_improve_issue, name="nti_issue"),
    path("notices-to-improve/<int:pk>/outcome/", views.notice_to_improve_outcome, name="nti_outcome"),
    path("notices-to-improve/<int:pk>/early-ground/", views.notice_to_improve_early_ground, name="nti_early_ground"),
]
