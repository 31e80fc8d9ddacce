"""Reminders: a timer looks at each school's policy review date, its annual filtering and
monitoring review and its staff's training; whatever is due within the window (or overdue) is
told to the head and the e-safety co-ordinator once (the reminder decider: one per thing and
due date), by mail (shared/mail.py) and in the LA's views (the ReminderSent event)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.compliance.contracts import ReminderView
from services.compliance.domain.events import ReminderSent, ReminderSubject
from services.compliance.domain.reminders import REMINDED_ROLES, WINDOW, Due, due_items, reminder
from services.compliance.projections import policies, reviews, schools
from services.compliance.training import STAFF, statuses
from services.directory.replica import holders
from shared.batch import stream_id
from shared.db import Database, as_utc, new_metadata
from shared.events import Clock, Envelope, Event, Metadata
from shared.mail import Mailer, Recipient, message
from shared.periodic import Job, every
from shared.service import Kit

log = logging.getLogger(__name__)
EVERY_SECONDS = 3600.0

metadata = new_metadata()
reminders = Table(
    "compliance_reminders", metadata,
    Column("reminder_id", String(250), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("subject", String(20), nullable=False),
    Column("about", String(300), nullable=False),
    Column("due_on", Date),
    Column("overdue", Boolean, nullable=False),
    Column("recipients", JSON, nullable=False),  # names
    Column("sent_at", DateTime(timezone=True), nullable=False),
)


class Reminders(Mailer):
    """The reminders sent (a table) and their mail: one projection, so a rebuild of the table
    sends nothing again (the mailer skips what is not fresh)."""

    name = "compliance-reminders"
    sources = ("compliance",)
    handles = frozenset({ReminderSent.type_name})
    metadata: ClassVar[MetaData] = metadata
    inline = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if isinstance(event, ReminderSent):
            await conn.execute(insert(reminders).values(
                reminder_id=event.reminder_id, school_id=event.school_id,
                subject=event.subject.value, about=event.about[:300], due_on=event.due_on,
                overdue=event.overdue, recipients=[r.name for r in event.recipients],
                sent_at=env.occurred_at))
            await super().apply(conn, env, event)  # the mail, unless turned off

    def compose(self, env: Envelope, event: Event) -> list[EmailMessage]:
        if not isinstance(event, ReminderSent):
            return []
        what = {ReminderSubject.POLICY_REVIEW: "the e-safety policy review",
                ReminderSubject.PROVISION_REVIEW: "the annual filtering and monitoring review",
                ReminderSubject.TRAINING: "safeguarding and online safety training"}
        when = ("was never done" if event.due_on is None else
                f"{'was' if event.overdue else 'is'} due on {event.due_on:%d %B %Y}")
        subject = f"{'Overdue' if event.overdue else 'Due soon'}: {what[event.subject]}"
        return [message(self.settings, r.email, subject,
                        f"Dear {r.name},\n\n{what[event.subject].capitalize()} "
                        f"({event.about}) at school {event.school_id} {when}.\n\n"
                        f"Sign in to record it: {self.settings.site_url}\n")
                for r in event.recipients if r.email]


async def due_at(conn: AsyncConnection, db: Database, school_id: str, today: date
                 ) -> list[Due]:
    """Everything at the school with a due date (or never done)."""
    policy = (await conn.execute(select(policies.c.title, policies.c.next_review)
                                 .where(policies.c.school_id == school_id)
                                 .order_by(policies.c.version.desc()).limit(1))).first()
    review = (await conn.execute(select(func.max(reviews.c.next_due))
                                 .where(reviews.c.school_id == school_id))).scalar()
    items = [Due(ReminderSubject.POLICY_REVIEW, school_id,
                 policy.title if policy else "no e-safety policy recorded",
                 policy.next_review if policy else None),
             Due(ReminderSubject.PROVISION_REVIEW, school_id,
                 "filtering and monitoring provision", review)]
    staff = (await statuses(db, [school_id], today))[school_id]
    items += [Due(ReminderSubject.TRAINING, s.person_id, s.name,
                  None if s.reason == "no induction recorded" else s.due_on) for s in staff]
    return due_items(today, WINDOW, items)


@dataclass
class Reminding:
    kit: Kit
    clock: Clock

    async def send_due(self, la_id: str | None = None) -> list[str]:
        """Remind of what is due now at every school (of one LA if named); returns the
        reminder ids sent now (none the second time)."""
        at = self.clock()
        today = at.date()
        async with self.kit.db.read() as conn:
            query = select(schools.c.school_id).order_by(schools.c.school_id)
            if la_id is not None:
                query = query.where(schools.c.la_id == la_id)
            found = list((await conn.execute(query)).scalars())
            todo: list[ReminderSent] = []
            for school_id in found:
                told = [Recipient(person_id=m.person_id, name=m.name, role=m.role,
                                  email=m.email)
                        for m in await holders(conn, STAFF, school_id, REMINDED_ROLES)]
                if not told:
                    continue  # no one to tell yet: the LA's views show what is overdue
                todo += [d.reminded(school_id, today, told)
                         for d in await due_at(conn, self.kit.db, school_id, today)]
        sent = []
        for event in todo:
            done = await self.kit.bus.execute(reminder, stream_id(event.reminder_id), event,
                                              Metadata(school_id=event.school_id,
                                                       occurred_at=at))
            if done.envelopes:
                sent.append(event.reminder_id)
        return sent

    def timer(self, seconds: float = EVERY_SECONDS) -> Job:
        return every(seconds, self.send_due, "remind_periodically",
                     "sent %d compliance reminders", log)


async def reminders_of(db: Database, school_id: str) -> list[ReminderView]:
    async with db.read() as conn:
        rows = await conn.execute(select(reminders).where(reminders.c.school_id == school_id)
                                  .order_by(reminders.c.sent_at.desc(), reminders.c.reminder_id))
        return [ReminderView(**{**r._mapping, "sent_at": as_utc(r.sent_at)}) for r in rows]

