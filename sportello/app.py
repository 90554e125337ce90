"""The Starlette application: ``create_app(settings)``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from db import migrate
from db.engine import RequestConnections, StandingConnections, create_engine
from db.queries.organization_logo import LOGO_PATH
from sportello import tracing
from sportello.base.settings import Settings, SettingsError
from sportello.branding_route import delete_logo, logo, upload_logo
from sportello.calendar_route import calendar_feed
from sportello.errors import http_refusal, unhandled
from sportello.evidence_route import evidence_pack
from sportello.export_route import export_csv
from sportello.files_route import download, upload
from sportello.graphql_route import graphql_endpoint
from sportello.labels_route import label_sheet, single_label
from sportello.metrics import metrics_endpoint, watch_statements
from sportello.playground import playground_file
from sportello.privacy_route import contact_data
from sportello.state import AppState
from sportello.turns import Admission
from sportello.web_route import web_routes

log = logging.getLogger("sportello")


async def healthz(_: Request) -> JSONResponse:
    """The process is up and serving (says nothing about the database)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers and its schema is at the newest migration."""
    state: AppState = request.app.state.sportello
    try:
        async with state.engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))
        current = await migrate.current_revision(state.engine)
    except Exception as error:  # any failure means "not ready"; the reason goes to the log only
        log.warning("readiness check failed: %s", type(error).__name__)
        return JSONResponse({"status": "unavailable", "reason": "database"}, status_code=503)
    if current != migrate.head_revision():
        return JSONResponse({"status": "unavailable", "reason": "migrations"}, status_code=503)
    return JSONResponse({"status": "ready"})


def create_app(settings: Settings) -> Starlette:
    """The application for ``settings``, whose ``database_url`` must be set (the CLI resolves
    the embedded cluster's URL before calling this)."""
    if settings.database_url is None:
        raise SettingsError("create_app needs settings.database_url (DATABASE_URL)")
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        statement_timeout_ms=settings.statement_timeout_ms,
        pooler=settings.database_pooler,
    )
    watch_statements(engine)
    tracing.watch_statements(engine)
    if settings.otlp_traces_endpoint is not None:
        tracing.enable(settings.otlp_traces_endpoint)
    state = AppState(
        settings=settings,
        engine=engine,
        admission=Admission.for_settings(settings),
        standing=StandingConnections(engine, settings.concurrent_requests),
        connections=RequestConnections(engine, settings.concurrent_requests),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await state.close()
        tracing.disable()

    app = Starlette(
        routes=[
            Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
            Route("/export/{name}.csv", export_csv, methods=["GET"]),
            Route("/evidence/{id}.zip", evidence_pack, methods=["GET"]),
            # Equipment QR labels for staff: a PDF sheet, or one label as SVG or PNG.
            Route("/labels/equipment.pdf", label_sheet, methods=["GET"]),
            Route("/labels/equipment/{id}.{format}", single_label, methods=["GET"]),
            Route("/files", upload, methods=["POST"]),
            Route("/files/{id}", download, methods=["GET"]),
            Route("/calendar/{secret}.ics", calendar_feed, methods=["GET"]),
            Route("/privacy/contacts/{id}.json", contact_data, methods=["GET"]),
            # The organization's logo: public for the login page, changed by ADMIN staff.
            Route(LOGO_PATH, logo, methods=["GET"]),
            Route("/branding/logo", upload_logo, methods=["POST"]),
            Route("/branding/logo", delete_logo, methods=["DELETE"]),
            # The staff GraphiQL's files, served here so it works without internet.
            Route("/playground/{name}", playground_file, methods=["GET"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            # Prometheus metrics, for a scraper holding SPORTELLO_METRICS_TOKEN (else 404).
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            # The client portal's pages and assets (web/).
            *web_routes(),
        ],
        lifespan=lifespan,
        # Every answer in the JSON error shape with a request id: Starlette's 404 and 405,
        # and the masked 500 for whatever a route lets through (sportello/errors.py).
        exception_handlers={HTTPException: http_refusal, Exception: unhandled},
    )
    app.state.sportello = state
    return app
