from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("desk/knowledge/", views.article_list, name="list"),
    path("desk/knowledge/new/", views.article_create, name="create"),
    path("desk/knowledge/<int:pk>/", views.article_detail, name="detail"),
    path("desk/knowledge/<int:pk>/vote/", views.article_vote, name="vote"),
    path("desk/knowledge/<int:pk>/edit/", views.article_edit, name="edit"),
    path("desk/knowledge/<int:pk>/history/", views.article_history, name="history"),
    path("desk/knowledge/<int:pk>/history/<int:number>/", views.article_diff, name="diff"),
    path("desk/knowledge/<int:pk>/history/<int:number>/restore/", views.article_restore, name="restore"),
    path("desk/knowledge/pick/", views.article_pick, name="pick"),
    path("desk/knowledge/flags/<int:pk>/resolve/", views.documentation_flag_resolve, name="flag_resolve"),
    path("desk/tickets/<int:pk>/articles/", views.ticket_articles, name="ticket_articles"),
    path("desk/tickets/<int:pk>/documentation-flag/", views.ticket_documentation_flag, name="ticket_flag"),
    path("help/", views.help_list, name="help"),
    path("help/suggestions/", views.help_suggestions, name="help_suggestions"),
    path("help/<int:pk>/", views.help_detail, name="help_detail"),
    path("help/<int:pk>/vote/", views.help_vote, name="help_vote"),
    path("help/<int:pk>/solved/", views.help_solved, name="help_solved"),
]
