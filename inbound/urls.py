from django.urls import path

from . import views

app_name = "inbound"

urlpatterns = [
    path("desk/mail/", views.mail_list, name="mail_list"),
    path("desk/mail/<int:pk>/", views.mail_detail, name="mail_detail"),
    path("desk/mail/<int:pk>/raw/", views.mail_raw, name="mail_raw"),
    path("desk/mail/<int:pk>/retry/", views.mail_retry, name="mail_retry"),
]
