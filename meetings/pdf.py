"""The staff meeting as a PDF (fpdf2), from the same MeetingPage the web page shows."""

from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format
from fpdf import FPDF

from surveys.figures import GRADE_COST_MEANING

from .selectors import MeetingPage

_FONTS = Path(__file__).resolve().parent / "fonts"
_TEXT_LIMIT = 400  # a comment or description longer than this is cut, as the digest cuts at 200


def _clip(text: str) -> str:
    # fpdf2 draws text, it never interprets it; NUL is the one character it cannot write.
    text = text.replace("\0", "")
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1] + "…"


def _number(value, suffix: str = "") -> str:
    return "—" if value is None else f"{value}{suffix}"


def _percent(share) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def meeting_pdf(page: MeetingPage) -> bytes:
    meeting, card, before = page.meeting, page.board.figures.card, page.board.previous.card
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", fname=str(_FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", style="B", fname=str(_FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_page()

    def heading(text: str, size: int = 12) -> None:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    def line(text: str) -> None:
        pdf.multi_cell(0, 5, _clip(text), new_x="LMARGIN", new_y="NEXT")

    heading(f"{meeting} — figures of {page.board.period}", 14)
    line(f"Held on {date_format(meeting.held_on)}. Printed {date_format(timezone.localdate())}.")
    if meeting.notes:
        line(f"Notes: {meeting.notes}")

    heading("Report card")
    line(
        f"GPA {_number(card.gpa)} (before: {_number(before.gpa)}) · responses {card.answered} "
        f"(before: {before.answered}) · loyal (A+B) {_percent(card.loyalty_rate)} · "
        f"victimized (F) {_percent(card.victimized_rate)}"
    )
    line(" · ".join(f"{grade} {count}" for grade, count in card.distribution.items()))

    heading("Where the grade was lost")
    line(GRADE_COST_MEANING)
    for title, rows in (("Services", page.services), ("Processes", page.processes)):
        costs = [f"{row.label} — cost {row.cost}, GPA {row.gpa}, {row.answered} answers" for row in rows]
        line(f"{title}: " + ("; ".join(costs) or "none below the desk's GPA"))

    for title, surveys in (("Best comments", page.best), ("Worst comments", page.worst)):
        if surveys:
            heading(title)
            for survey in surveys:
                line(f"{survey.grade} · {survey.ticket.reference} · {survey.comment}")

    if page.recovery_open:
        heading(f"Service recovery: {page.recovery_open} open")
        for case in page.recovery:
            line(f"{case.survey.grade} · {case.survey.ticket.reference} · {case.get_status_display()}")

    heading("Actions decided")
    for action in page.actions:
        due = date_format(action.due_on)
        line(f"[{action.get_kind_display()}] {action.description} — {action.owner.display_name}, due {due}")
    if not page.actions:
        line("None yet.")

    if page.previous_meeting:
        heading(f"Actions of the last meeting ({date_format(page.previous_meeting.held_on)})")
        for action, compared in page.previous_actions:
            status = (
                f"closed {date_format(timezone.localdate(action.closed_at))}: {action.what_was_done}"
                if action.closed_at
                else f"open, due {date_format(action.due_on)}"
            )
            line(
                f"[{action.get_kind_display()}] {action.description} — {action.owner.display_name}; {status}"
            )
            if compared:
                before_gpa, after_gpa = _number(compared.before.card.gpa), _number(compared.after.card.gpa)
                days = compared.after_period.days
                line(f"    {action.service}: GPA {before_gpa} before, {after_gpa} after ({days} days each)")
    return bytes(pdf.output())
