from django.dispatch import Signal

# Sent in the transaction that records an answer (a conditional UPDATE, which sends no post_save),
# with `survey`.
survey_answered = Signal()

# Sent in the transaction that opens a recovery case (a D or F, or indifference), with `case`.
recovery_case_opened = Signal()
