from django.urls import path

from cases import views

urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<str:urn>/pupils/", views.school_pupils, name="school_pupils"),
    path("schools/<str:urn>/alerts/", views.school_alerts, name="school_alerts"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve_view, name="alert_resolve"),
    path("pupils/<str:upn>/", views.pupil_detail, name="pupil_detail"),
    path("la/<str:code>/", views.la_overview, name="la_overview"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
]
