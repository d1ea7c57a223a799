from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("cases/<int:case_pk>/meetings/new/", views.meeting_plan, name="plan"),
    path("cases/<int:case_pk>/contacts/new/", views.contact_record, name="contact_record"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/invitations/", views.meeting_invitations, name="invitations"),
    path("meetings/<int:pk>/record/", views.meeting_record, name="record"),
    path("meetings/<int:pk>/actions/new/", views.meeting_action_add, name="action_add"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
]
