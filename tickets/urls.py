from django.urls import path

from . import views_desk, views_portal

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
    path("requests/<int:pk>/copied/", views_portal.ticket_cc_add, name="cc_add"),
    path("requests/<int:pk>/copied/<int:user_id>/out/", views_portal.ticket_cc_remove, name="cc_remove"),
    path("attachments/<int:pk>/", views_portal.attachment_download, name="attachment"),
    path("desk/", views_desk.queue, name="queue"),
    path("desk/bulk/", views_desk.bulk_update, name="bulk_update"),
    path("desk/agents/options/", views_desk.agent_options, name="agent_options"),
    path("desk/tickets/new/", views_desk.ticket_log_customer, name="agent_log_customer"),
    path("desk/tickets/new/<int:customer>/", views_desk.ticket_log, name="agent_log"),
    path("desk/tickets/<int:pk>/", views_desk.ticket_detail, name="agent_detail"),
    path("desk/tickets/<int:pk>/reply/", views_desk.ticket_reply, name="agent_reply"),
    path("desk/tickets/<int:pk>/status/", views_desk.ticket_status, name="agent_status"),
    path("desk/tickets/<int:pk>/claim/", views_desk.ticket_claim, name="agent_claim"),
    path("desk/tickets/<int:pk>/assign/", views_desk.ticket_assign, name="agent_assign"),
    path("desk/tickets/<int:pk>/priority/", views_desk.ticket_priority, name="agent_priority"),
    path("desk/tickets/<int:pk>/team/", views_desk.ticket_team, name="agent_team"),
    path("desk/tickets/<int:pk>/escalate/", views_desk.ticket_escalate, name="agent_escalate"),
    path("desk/tickets/<int:pk>/redirect/", views_desk.ticket_redirect, name="agent_redirect"),
    path("desk/tickets/<int:pk>/copied/", views_desk.ticket_cc_add, name="agent_cc_add"),
    path(
        "desk/tickets/<int:pk>/copied/<int:user_id>/out/",
        views_desk.ticket_cc_remove,
        name="agent_cc_remove",
    ),
    path("desk/tickets/<int:pk>/presence/", views_desk.ticket_presence, name="agent_presence"),
    path("desk/tickets/<int:pk>/root-cause/", views_desk.ticket_root_cause, name="agent_root_cause"),
    path("desk/tickets/<int:pk>/teach/", views_desk.ticket_teach, name="agent_teach"),
    path("desk/tickets/<int:pk>/fulfil/", views_desk.ticket_fulfil, name="agent_fulfil"),
    path("desk/tickets/<int:pk>/process/", views_desk.ticket_process_escalate, name="agent_process_escalate"),
    path("desk/processes/", views_desk.process_register, name="process_register"),
    path("desk/processes/<int:pk>/health/", views_desk.process_health, name="process_health"),
    path("desk/improvements/<int:pk>/done/", views_desk.improvement_done, name="improvement_done"),
]
