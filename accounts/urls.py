from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .permissions import public, signed_in_required

app_name = "accounts"

urlpatterns = [
    path("login/", public("signing in")(views.LoginView.as_view()), name="login"),
    path(
        "logout/",
        public("signing out: harmless when already out")(auth_views.LogoutView.as_view()),
        name="logout",
    ),
    path("password/change/", signed_in_required(views.PasswordChangeView.as_view()), name="password_change"),
    path(
        "password/change/done/",
        signed_in_required(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("password/reset/", views.password_reset_request, name="password_reset"),
    path(
        "password/reset/sent/",
        public("a forgotten password is why they cannot sign in")(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        public("the e-mailed reset link: its token vouches for the account")(
            views.PasswordResetConfirmView.as_view()
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        public("a forgotten password is why they cannot sign in")(
            auth_views.PasswordResetCompleteView.as_view()
        ),
        name="password_reset_complete",
    ),
]
