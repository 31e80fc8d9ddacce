"""The alerts part of the capture service's contract: requests and the views it answers with."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from services.capture.contracts import Request, Slug
from services.capture.domain.events import Recipient

AlertStatus = Literal["open", "acknowledged"]


class ListAlerts(Request):
    school_id: str = Slug
    status: AlertStatus | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=0, le=200)


class AcknowledgeAlert(Request):
    school_id: str = Slug
    alert_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    note: str = Field(default="", max_length=2000)


class GetAlert(Request):
    """One alert as its events say (the live feed's: the alerts read model may lag), with
    its notes while kept."""

    school_id: str = Slug
    alert_id: str = Field(pattern=r"^[0-9a-f]{32}$")


class SetAlertDeadline(Request):
    school_id: str = Slug
    minutes: int = Field(ge=1, le=24 * 60)


class EscalateOverdueAlerts(Request):
    """Escalate every urgent alert left unacknowledged past its deadline as of `as_of`
    (the timer runs it every minute with the current time)."""

    as_of: AwareDatetime | None = None


class AlertView(BaseModel):
    alert_id: str
    school_id: str
    la_id: str
    capture_id: str
    grade: str
    category: str
    severity: int
    urgent: bool
    notes: str
    roles: list[str]
    recipients: list[Recipient]
    raised_at: datetime
    acknowledge_by: datetime | None = None
    status: AlertStatus
    acknowledged_by: str | None = None
    acknowledged_by_name: str | None = None
    acknowledged_at: datetime | None = None
    acknowledgement_note: str | None = None
    escalated_at: datetime | None = None
    escalated_to: list[str] | None = None


class AlertPage(BaseModel):
    items: list[AlertView]
    total: int


class EscalationReport(BaseModel):
    escalated: list[str]


class ListDigests(Request):
    school_id: str = Slug
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=30, ge=1, le=200)


class SendDueDigests(Request):
    """Send the digests due as of `as_of` (yesterday's, once it is past the digest hour); the
    timer runs it every hour with the current time."""

    as_of: AwareDatetime | None = None


class DigestView(BaseModel):
    school_id: str
    day: date
    counts: dict[str, int]
    concerns: list[str]
    open_alerts: int
    recipients: list[Recipient]
    sent_at: datetime


class DigestPage(BaseModel):
    items: list[DigestView]
    total: int


class DigestReport(BaseModel):
    sent: list[str]  # the schools a digest went to
