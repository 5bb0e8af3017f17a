from django.urls import path

from . import views

app_name = "readiness"

urlpatterns = [
    path("desk/standards/", views.standards, name="standards"),
    path("desk/standards/<int:pk>/acknowledge/", views.standard_acknowledge, name="acknowledge"),
    path("desk/training/", views.training, name="training"),
    path("desk/training/new/", views.training_add, name="training_add"),
    path("desk/training/<int:pk>/reread/", views.training_reread, name="training_reread"),
    path("desk/readiness/", views.readiness, name="readiness"),
    path("desk/readiness/services/<int:pk>/go-live/", views.service_go_live, name="go_live"),
]
