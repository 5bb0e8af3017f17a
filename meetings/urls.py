from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("desk/meetings/", views.meeting_list, name="list"),
    path("desk/meetings/new/", views.meeting_create, name="create"),
    path("desk/meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("desk/meetings/<int:pk>/meeting.pdf", views.meeting_download, name="download"),
    path("desk/meetings/<int:pk>/notes/", views.meeting_notes, name="notes"),
    path("desk/meetings/<int:pk>/actions/", views.action_add, name="action_add"),
    path("desk/meetings/actions/<int:pk>/close/", views.action_close, name="action_close"),
    path("desk/meetings/nominations/", views.nominations, name="nominations"),
    path("desk/meetings/nominations/add/", views.nomination_add, name="nomination_add"),
    path(
        "desk/meetings/nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination_withdraw"
    ),
]
