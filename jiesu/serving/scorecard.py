"""The model's scorecard over HTTP: GET /v1/metrics/model (is the model keeping its promise?). A router of
its own, included by the app factory; the handler calls one service method (jiesu.serving.model_metrics)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from jiesu.serving.deps import AuditorDep, RuntimeDep
from jiesu.workflow.promise import ModelMetricsOut, Period


def scorecard_router() -> APIRouter:
    router = APIRouter()

    @router.get("/v1/metrics/model", tags=["metrics"])
    def model_metrics(
        _auditor: AuditorDep,
        runtime: RuntimeDep,
        date_from: Annotated[date | None, Query(alias="from", description="first day (Beijing)")] = None,
        date_to: Annotated[date | None, Query(alias="to", description="last day, inclusive")] = None,
        period: Period = "week",
    ) -> ModelMetricsOut:
        """Is the model keeping its promise? Per model version and day or week: the share dispatched
        without a person, how often those were overridden or returned-and-upheld (95% Wilson
        intervals), against the accuracy the model's threshold promises; and the drift of decision
        confidence and unfamiliar-text score from the training data (PSI). Default: the last 28 days.
        Auditor and admin keys only; no request text or caller data."""
        return runtime.promise.report(date_from, date_to, period)

    return router
