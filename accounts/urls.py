from django.urls import path

from accounts import email_preferences, views

app_name = "accounts"
urlpatterns = [
    path("accounts/two-factor/", views.verify, name="verify"),
    path("accounts/two-factor/set-up/", views.set_up, name="set_up"),
    path("accounts/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("accounts/email-settings/", email_preferences.email_preferences, name="email_preferences"),
]
