from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "IT Service Desk administration"
admin.site.site_title = "IT Service Desk"

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("tickets.urls")),
    path("", include("customers.urls")),
    path("", include("surveys.urls")),
    path("", include("reports.urls")),
    path("", include("meetings.urls")),
    path("", include("notifications.urls")),
    path("", include("inbound.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("api.urls_pages")),
    path("", include("webhooks.urls")),
    path("", include("knowledge.urls")),
    path("", include("readiness.urls")),
    path("admin/", admin.site.urls),
]
