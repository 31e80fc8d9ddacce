"""Reminders: what is due within the window (or overdue) at a school, and one reminder per
thing and due date, so a timer that runs again (a restart, a second replica) tells no one
twice, and a new due date (the policy reviewed, training done) starts afresh."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.compliance.domain.events import ReminderSent, ReminderSubject
from shared.decider import Decider
from shared.events import Event
from shared.mail import Recipient

WINDOW = timedelta(days=30)  # remind this long before the due date
# Who is told: the head and the e-safety co-ordinator (Oakridge's policy names both).
REMINDED_ROLES = ("headteacher", "esafety_coordinator")


@dataclass(frozen=True)
class Due:
    subject: ReminderSubject
    key: str  # what it is about, stably: the school, or a member of staff's id
    about: str
    due_on: date | None  # None: never done, so due now

    def reminder_id(self, school_id: str) -> str:
        day = self.due_on.isoformat() if self.due_on else "never"
        return f"{school_id}:{self.subject.value}:{self.key}:{day}"

    def reminded(self, school_id: str, today: date, recipients: list[Recipient]
                 ) -> ReminderSent:
        return ReminderSent(school_id=school_id, reminder_id=self.reminder_id(school_id),
                            subject=self.subject, about=self.about, due_on=self.due_on,
                            overdue=self.due_on is None or self.due_on < today,
                            recipients=recipients)


def due_items(today: date, window: timedelta, items: list[Due]) -> list[Due]:
    """The items due by `today + window` (or never done)."""
    return [d for d in items if d.due_on is None or d.due_on <= today + window]


def decide(event: ReminderSent, sent: bool) -> list[Event]:
    return [] if sent else [event]


def evolve(sent: bool, event: Event) -> bool:
    return sent or isinstance(event, ReminderSent)


reminder = Decider[ReminderSent, bool]("reminder", False, decide, evolve)
