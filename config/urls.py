from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases.forms import SignInForm

# The admin only where ADMIN_PATH puts it (config.env.admin_path): production has none until it is named.
urlpatterns = [path(settings.ADMIN_PATH, admin.site.urls)] if settings.ADMIN_PATH else []
urlpatterns += [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("accounts.urls")),
    path("", include("cases.urls")),
    path("", include("interventions.urls")),
    path("", include("meetings.urls")),
    path("", include("notices.improvement.urls")),
    path("", include("notices.penalty.urls")),
    path("", include("notices.review.urls.requests")),
    path("", include("notices.review.urls.referrals")),
    path("", include("notices.letters.urls")),
    path("", include("notices.bundle.urls")),
]
