"""Alert emails: a mailer (shared/mail.py) of the service's own AlertRaised (urgent) /
AlertEscalated / DigestSent events sends one email per recipient with an address; a
non-urgent alert waits for the next daily digest. Emails carry no pupil details: they say an
alert is waiting and where to see it."""

from __future__ import annotations

from email.message import EmailMessage

from services.capture.domain.events import AlertEscalated, AlertRaised, DigestSent
from shared.events import Envelope, Event
from shared.mail import Mailer, MailSettings, message, sender, smtp_sender

__all__ = ["AlertMailer", "MailSettings", "compose", "sender", "smtp_sender"]


def compose(settings: MailSettings, env: Envelope, event: Event) -> list[EmailMessage]:
    match event:
        case AlertRaised(urgent=True, recipients=people):
            subject = "URGENT safeguarding alert: acknowledge now"
            return [message(settings, p.email, subject, _body(settings, env, p.name, True))
                    for p in people if p.email]
        case DigestSent(recipients=people):
            subject = f"E-safety monitoring digest for {event.day:%d %B %Y}"
            return [message(settings, p.email, subject, _digest(settings, event, p.name))
                    for p in people if p.email]
        case AlertEscalated(recipients=people):
            subject = "Escalated: an urgent safeguarding alert is unacknowledged"
            to = [(p.email, p.name) for p in people if p.email]
            if settings.la_address:
                to.append((settings.la_address, "LA safeguarding team"))
            return [message(settings, address, subject, _body(settings, env, name, True))
                    for address, name in to]
        case _:
            return []


def _body(settings: MailSettings, env: Envelope, name: str, urgent: bool) -> str:
    ask = "Please acknowledge it now." if urgent else "Please review it."
    return (f"Dear {name},\n\nThe LA's e-safety moderators have raised a safeguarding alert "
            f"for school {env.school_id} at {env.occurred_at:%H:%M} UTC on "
            f"{env.occurred_at:%d %B %Y}. {ask}\n\nSign in to see it: {settings.site_url}\n")


def _digest(settings: MailSettings, event: DigestSent, name: str) -> str:
    graded = ", ".join(f"{n} {grade.replace('_', ' ')}"
                       for grade, n in sorted(event.counts.items())) or "none"
    return (f"Dear {name},\n\nThe LA's e-safety moderators graded these captures for school "
            f"{event.school_id} on {event.day:%d %B %Y}: {graded}. "
            f"{len(event.concerns)} need your review; {event.open_alerts} alerts are still "
            f"unacknowledged.\n\nSign in to see them: {settings.site_url}\n")


class AlertMailer(Mailer):
    name = "capture-alert-mail"
    sources = ("capture",)
    handles = frozenset({AlertRaised.type_name, AlertEscalated.type_name,
                         DigestSent.type_name})

    def compose(self, env: Envelope, event: Event) -> list[EmailMessage]:
        return compose(self.settings, env, event)
