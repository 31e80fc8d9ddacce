"""OpenTelemetry bootstrap: a tracer provider per service (its `service.name`), one meter
provider per process, exporters chosen by setting; log records carry the current trace id.

One process normally runs one service, whose provider is also the global one. Tests (and
`make run`'s in-process helpers) may run several services in one process: each still gets its
own provider, so every span says which service made it.
"""

from __future__ import annotations

import json
import logging

from opentelemetry import metrics, trace
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.instrumentation.sqlalchemy.version import __version__ as sqlalchemy_otel_version
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    MetricExporter,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.settings import Settings

_providers: dict[str, TracerProvider] = {}
_meter_provider: MeterProvider | None = None
_extra_processors: list[SpanProcessor] = []


def setup_tracing(service: str, settings: Settings) -> TracerProvider:
    """The service's tracer provider (made once); the first one made is also the global."""
    if service in _providers:
        return _providers[service]
    provider = TracerProvider(resource=Resource.create({"service.name": f"esafety-{service}"}))
    if settings.otel_exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    elif settings.otel_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = f"{settings.otel_endpoint.rstrip('/')}/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    for processor in _extra_processors:
        provider.add_span_processor(processor)
    if not _providers:
        trace.set_tracer_provider(provider)
        meter_provider(settings, provider.resource)
    _providers[service] = provider
    return provider


def add_span_processor(processor: SpanProcessor) -> None:
    """Send every service's spans, now and later, to `processor` too (tests' in-memory export)."""
    _extra_processors.append(processor)
    for provider in _providers.values():
        provider.add_span_processor(processor)


def instrument_engine(engine: AsyncEngine, provider: TracerProvider) -> None:
    """Database spans for this engine, as children of whatever span runs the statement."""
    tracer = trace.get_tracer("opentelemetry.instrumentation.sqlalchemy",
                              sqlalchemy_otel_version, provider)
    connections = metrics.get_meter("opentelemetry.instrumentation.sqlalchemy").\
        create_up_down_counter("db.client.connections.usage", unit="connections")
    EngineTracer(tracer, engine.sync_engine, connections)  # type: ignore[no-untyped-call]


def meter_provider(settings: Settings | None = None,
                   resource: Resource | None = None) -> MeterProvider:
    """The process's SDK meter provider, installed globally on first use. Readers can be
    added later (`add_metric_reader`): tests read metrics in memory."""
    global _meter_provider
    if _meter_provider is not None:
        return _meter_provider
    settings = settings or Settings()
    exporter: MetricExporter | None = None
    if settings.otel_exporter == "console":
        exporter = ConsoleMetricExporter()
    elif settings.otel_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        exporter = OTLPMetricExporter(endpoint=f"{settings.otel_endpoint.rstrip('/')}/v1/metrics")
    readers = [PeriodicExportingMetricReader(exporter)] if exporter else []
    _meter_provider = MeterProvider(resource=resource or Resource.create(),
                                    metric_readers=readers)
    metrics.set_meter_provider(_meter_provider)
    return _meter_provider


class TraceIdFilter(logging.Filter):
    """Adds `trace_id` and `span_id` to every record (zeros outside a span), so logs join
    traces."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        record.trace_id = format(context.trace_id, "032x")
        record.span_id = format(context.span_id, "016x")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors (`ESAFETY_LOG_FORMAT=json`)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        data = {"time": self.formatTime(record), "level": record.levelname,
                "service": self.service, "logger": record.name, "message": record.getMessage(),
                "trace_id": getattr(record, "trace_id", None),
                "span_id": getattr(record, "span_id", None)}
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data)


def setup_logging(service: str, log_format: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(TraceIdFilter())
    handler.setFormatter(JsonFormatter(service) if log_format == "json" else logging.Formatter(
        f"%(asctime)s {service} %(levelname)s trace=%(trace_id)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
