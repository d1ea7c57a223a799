from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [
    path("letters/<int:pk>.pdf", views.letter_pdf, name="letter_pdf"),
]
