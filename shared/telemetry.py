"""OpenTelemetry bootstrap: one tracer and one meter provider per process, exporters chosen by
setting; log records carry the current trace id."""

from __future__ import annotations

import logging

from opentelemetry import metrics, trace
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    MetricExporter,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)

from shared.settings import Settings

_provider: TracerProvider | None = None


def setup_tracing(service: str, settings: Settings,
                  exporter: SpanExporter | None = None) -> TracerProvider:
    """Install the global tracer provider once; `exporter` overrides the setting (tests)."""
    global _provider
    if _provider is not None:
        return _provider
    provider = TracerProvider(resource=Resource.create({"service.name": f"esafety-{service}"}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif settings.otel_exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    elif settings.otel_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = f"{settings.otel_endpoint.rstrip('/')}/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    # Every engine created from now on gets database spans.
    SQLAlchemyInstrumentor().instrument(tracer_provider=provider)
    _setup_metrics(provider.resource, settings)
    _provider = provider
    return provider


def _setup_metrics(resource: Resource, settings: Settings) -> None:
    exporter: MetricExporter | None = None
    if settings.otel_exporter == "console":
        exporter = ConsoleMetricExporter()
    elif settings.otel_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        exporter = OTLPMetricExporter(endpoint=f"{settings.otel_endpoint.rstrip('/')}/v1/metrics")
    readers = [PeriodicExportingMetricReader(exporter)] if exporter else []
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=readers))


class TraceIdFilter(logging.Filter):
    """Adds `trace_id` to every record (all zeros outside a span), so logs join traces."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.trace_id = format(trace.get_current_span().get_span_context().trace_id, "032x")
        return True


def setup_logging(service: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(TraceIdFilter())
    handler.setFormatter(logging.Formatter(
        f"%(asctime)s {service} %(levelname)s trace=%(trace_id)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
