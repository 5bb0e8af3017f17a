"""The API token pages (the REST API itself is api/urls.py, under /api/v1/)."""

from django.urls import path

from . import views_pages

app_name = "api_tokens"

urlpatterns = [
    path("accounts/api-tokens/", views_pages.token_list, name="list"),
    path("accounts/api-tokens/<int:pk>/revoke/", views_pages.token_revoke, name="revoke"),
    path("desk/api-tokens/", views_pages.token_list_all, name="all"),
    path("desk/api-tokens/<int:pk>/revoke/", views_pages.token_revoke_any, name="revoke_any"),
]
