from django.urls import path

from . import views_portal

app_name = "tickets"

urlpatterns = [
    path("catalog/", views_portal.catalog_list, name="catalog"),
    path("catalog/<slug:slug>/", views_portal.catalog_detail, name="catalog_detail"),
    path("requests/", views_portal.ticket_list, name="my_requests"),
    path("requests/new/", views_portal.ticket_submit, name="submit"),
    path("requests/new/expectation/", views_portal.ticket_submit_expectation, name="submit_expectation"),
    path("requests/<int:pk>/", views_portal.ticket_detail, name="detail"),
    path("requests/<int:pk>/reply/", views_portal.ticket_reply, name="reply"),
    path("requests/<int:pk>/reopen/", views_portal.ticket_reopen, name="reopen"),
]
