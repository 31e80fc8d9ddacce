"""Capture entry points: ingest for monitoring products, the keyword library, the LA
moderation queue and the school's view, over NATS request-reply.

Each handler authorises the caller for the school named in the request, then runs a command
through the bus or reads the projection. `clock` is injectable: claims expire by it.
"""

from __future__ import annotations

from services.capture import alert_routes, library_io, subject_access
from services.capture.alert_view import AlertBoard
from services.capture.alerting import Alerting, AlertRaiser
from services.capture.contracts import SERVICE, IngestCaptures, IngestResult
from services.capture.digests import DigestLog, Digests
from services.capture.ingest import Ingestor
from services.capture.keywords import Keywords
from services.capture.mail import AlertMailer, MailSettings, sender
from services.capture.metrics import GAUGES
from services.capture.moderation import CONCERN_READERS, Moderation
from services.capture.people import CapturePeople
from services.capture.projections import CaptureQueue
from services.capture.retention import CapturePurgeLog, CapturePurger, CaptureRetention
from services.capture.reviews import Reviewing, WeeklyReviews
from services.capture.screenshots import ScreenshotStore
from services.capture.staff import Staff
from services.compliance.retention_routes import purge_routes
from shared.claims import Claims, Scope
from shared.content import content_metadata
from shared.events import Clock, now
from shared.mail import MAIL_GAUGES, mail_metadata
from shared.projection import Projection
from shared.rpc import RpcRouter
from shared.service import Kit, Wiring


def build(kit: Kit, clock: Clock = now, claim_minutes: int = 15) -> Wiring:
    rpc = RpcRouter(SERVICE)
    screenshots = ScreenshotStore(kit.settings.nats_url, kit.settings.stream_replicas)
    keywords = Keywords(kit)
    ingestor = Ingestor(kit, keywords, screenshots, clock)

    @rpc.handler("IngestCaptures")
    async def ingest(cmd: IngestCaptures, caller: Claims) -> IngestResult:
        caller.require_scope(cmd.school_id, Scope.CAPTURES_WRITE)
        return await ingestor.ingest(cmd, caller)

    keywords.routes(rpc)
    library_io.routes(rpc, keywords)
    Moderation(kit, screenshots, clock, claim_minutes).routes(rpc)
    alerting = Alerting(kit, clock)
    Reviewing(kit, clock).routes(rpc)
    digests = Digests(kit, clock)
    alert_routes.routes(rpc, alerting, digests)
    subject_access.serve(rpc, kit)
    projections: list[Projection] = [CaptureQueue(), Staff(), CapturePeople(), AlertBoard(),
                                     AlertRaiser(kit.store, kit.registry), DigestLog(),
                                     WeeklyReviews()]
    purger = CapturePurger(kit, screenshots, clock)
    purge_routes(rpc, kit.db, purger.purge_due, clock, CONCERN_READERS)
    projections += [CaptureRetention(), CapturePurgeLog()]
    tasks = [alerting.timer(), digests.timer(), purger.timer()]
    mail = MailSettings()
    send = sender(mail, kit.settings.data_dir)
    if send is not None:
        mailer = AlertMailer(mail, send, clock)
        projections.append(mailer)
        tasks.append(mailer.delivery(kit.db))
    return Wiring(rpc=rpc, projections=projections, tables=[content_metadata, mail_metadata],
                  tasks=tasks, gauges=[*GAUGES, *MAIL_GAUGES])
