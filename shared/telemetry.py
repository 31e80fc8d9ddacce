"""OpenTelemetry bootstrap: one tracer provider per process, exporter chosen by setting."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
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
    _provider = provider
    return provider
