from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("desk/webhooks/", views.endpoint_list, name="endpoint_list"),
    path("desk/webhooks/new/", views.endpoint_create, name="endpoint_create"),
    path("desk/webhooks/<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("desk/webhooks/<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("desk/webhooks/<int:pk>/rotate/", views.endpoint_rotate, name="endpoint_rotate"),
    path("desk/webhooks/<int:pk>/test/", views.endpoint_test, name="endpoint_test"),
    path("desk/webhooks/<int:pk>/redeliver/", views.dead_letters_redeliver, name="dead_letters_redeliver"),
]
