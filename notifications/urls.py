from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("dev/mail/", views.dev_mail_list, name="dev_mail_list"),
    path("dev/mail/<int:pk>/", views.dev_mail_detail, name="dev_mail_detail"),
]
