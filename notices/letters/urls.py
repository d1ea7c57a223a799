from django.urls import path

from notices.letters import views as batch_views

app_name = "letters"
urlpatterns = [
    path("schools/<str:urn>/letters/", batch_views.letter_batches, name="batches"),
    path("schools/<str:urn>/letters/start/", batch_views.letter_batch_start_view, name="batch_start"),
    path("schools/<str:urn>/letters/<int:pk>/", batch_views.letter_batch_detail, name="batch_detail"),
    path("schools/<str:urn>/letters/<int:pk>/resume/", batch_views.letter_batch_stopped_action,
         {"action": "resume"}, name="batch_resume"),
    path("schools/<str:urn>/letters/<int:pk>/cancel/", batch_views.letter_batch_stopped_action,
         {"action": "cancel"}, name="batch_cancel"),
    path("schools/<str:urn>/letters/<int:pk>/letters.pdf", batch_views.letter_batch_pdf, name="batch_pdf"),
]
