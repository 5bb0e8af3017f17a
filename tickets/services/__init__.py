"""Everything the tickets app changes, split by sub-domain over the shared steps in _common.py:

- workflow.py: submit, reply, move through the statuses, assign, claim, escalate, reopen;
- ccs.py: the people copied on a request;
- playbooks.py: redirect to the official process, teach it, fulfil anyway, record the root cause;
- processes.py: the process register (escalate a process, judge it, improve it, tell customers);
- followups.py: proactive follow-ups and SLA alerts (the scan and each step), scheduled by
  schedules.py.

`from tickets import services` is the one import callers use.
"""

from .ccs import ticket_cc_add, ticket_cc_not_added, ticket_cc_remove
from .followups import due_ticket_ids, followup_process, followups_scan, sla_alert_process
from .playbooks import ticket_fulfil_anyway, ticket_redirect, ticket_root_cause_record, ticket_teach_process
from .processes import (
    process_escalate,
    process_fixed_followups_send,
    process_followups_unsent,
    process_health_set,
    process_improvement_complete,
)
from .workflow import (
    BulkOutcome,
    ticket_assign,
    ticket_bulk_update,
    ticket_claim,
    ticket_create,
    ticket_escalate,
    ticket_event_record,
    ticket_priority_change,
    ticket_reopen,
    ticket_reply,
    ticket_reply_and_move,
    ticket_resolve_for_want_of_answer,
    ticket_status_change,
    ticket_team_change,
)

__all__ = [
    "BulkOutcome",
    "due_ticket_ids",
    "followup_process",
    "followups_scan",
    "process_escalate",
    "process_fixed_followups_send",
    "process_followups_unsent",
    "process_health_set",
    "process_improvement_complete",
    "sla_alert_process",
    "ticket_assign",
    "ticket_bulk_update",
    "ticket_cc_add",
    "ticket_cc_not_added",
    "ticket_cc_remove",
    "ticket_claim",
    "ticket_create",
    "ticket_escalate",
    "ticket_event_record",
    "ticket_fulfil_anyway",
    "ticket_priority_change",
    "ticket_redirect",
    "ticket_reopen",
    "ticket_reply",
    "ticket_reply_and_move",
    "ticket_resolve_for_want_of_answer",
    "ticket_root_cause_record",
    "ticket_status_change",
    "ticket_teach_process",
    "ticket_team_change",
]
