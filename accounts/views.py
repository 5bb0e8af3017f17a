from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from . import services
from .forms import LoginForm, PasswordResetRequestForm
from .models import AccountEvent
from .permissions import public
from .requests import client_ip


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@public("a forgotten password is why they cannot sign in")
@csrf_protect
@require_http_methods(["GET", "POST"])
def password_reset_request(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same whether or not the address has an account."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_email_queue(
            email=form.cleaned_data["email"],
            ip_address=client_ip(request),
        )
        return redirect("accounts:password_reset_done")
    return render(request, "registration/password_reset_form.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")

    @transaction.atomic
    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        services.account_event_record(
            user=self.request.user,
            kind=AccountEvent.Kind.PASSWORD_CHANGED,
            actor=self.request.user,
            ip_address=client_ip(self.request),
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    @transaction.atomic
    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        services.account_event_record(
            user=self.user,
            kind=AccountEvent.Kind.PASSWORD_RESET_COMPLETED,
            ip_address=client_ip(self.request),
        )
        return response
