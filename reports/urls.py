from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("desk/reports/", views.dashboard, name="dashboard"),
    path("desk/reports/mine/", views.agent_card_mine, name="agent_card_mine"),
    path("desk/reports/agents/", views.agents, name="agents"),
    path("desk/reports/agents/<int:pk>/", views.agent_card, name="agent_card"),
    path("desk/reports/responses/", views.responses, name="responses"),
    path("desk/reports/tickets/", views.tickets, name="tickets"),
    path("desk/reports/export/<str:table>.csv", views.export, name="export"),
]
