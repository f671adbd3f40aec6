"""OpenTelemetry traces for ASGI (every request), asyncpg (every statement) and httpx (every call
to a platform) — off unless the standard OTEL_* variables ask for them.

On when `OTEL_TRACES_EXPORTER` names an exporter (`otlp`, `console`) or an OTLP endpoint is set
(`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); off when
`OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` (`settings.tracing_enabled`). Everything else (service name,
headers, sampler, batch sizes) is the SDK's own reading of the standard variables. Spans cover
requests and I/O, never GraphQL fields: tracing adds nothing per field.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import OTELResourceDetector, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from starlette.middleware import Middleware

DEFAULT_SERVICE_NAME: Final = "credithub"
EXCLUDED_URLS: Final = "healthz,readyz,metrics"  # probes and scrapes: frequent, and no news

logger = logging.getLogger(__name__)


def _exporter(env: Mapping[str, str]) -> SpanExporter:
    if env.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "console":
        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()  # reads OTEL_EXPORTER_OTLP_* itself


def start(env: Mapping[str, str]) -> TracerProvider:
    """Instrument asyncpg and httpx, and return the provider the ASGI middleware reports to
    (`middleware`) and that flushes its spans when shut down."""
    resource = Resource.create({"service.name": env.get("OTEL_SERVICE_NAME") or DEFAULT_SERVICE_NAME}).merge(
        OTELResourceDetector().detect()
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(_exporter(env)))
    AsyncPGInstrumentor().instrument(  # type: ignore[no-untyped-call]
        tracer_provider=provider
    )
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    logger.info("tracing on: spans for requests, SQL statements and platform calls")
    return provider


def middleware(provider: TracerProvider) -> Middleware:
    """The ASGI middleware that opens a span per request (probes and scrapes excluded)."""
    return Middleware(OpenTelemetryMiddleware, tracer_provider=provider, excluded_urls=EXCLUDED_URLS)


def stop(provider: TracerProvider) -> None:
    AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
    HTTPXClientInstrumentor().uninstrument()
    provider.shutdown()  # flushes the spans still batched
