"""The app factory of `jiesu serve --workers N`. uvicorn starts each worker as a fresh process that
imports this module and calls `create_worker_app()`, so everything the single-process `jiesu serve` sets up
in-process is set up here again, in every worker: the log configuration of `jiesu.cli` (jiesu's own
request line, never uvicorn's access log) and the settings, read from the environment, where
`serve_command` has put its validated command-line values (`worker_environment`)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from jiesu.serving.settings import ServingSettings, load_settings

if TYPE_CHECKING:
    from fastapi import FastAPI

FACTORY = "jiesu.serving.factory:create_worker_app"
VERBOSE_VARIABLE = "JIESU_WORKER_VERBOSE"  # `jiesu -v serve --workers N`: the workers log debug lines too


def worker_environment(settings: ServingSettings, *, verbose: bool) -> dict[str, str]:
    """The variables that give each worker the settings the parent validated (command-line values
    included) and its log level."""
    variables = {
        "JIESU_HOST": settings.host,
        "JIESU_PORT": str(settings.port),
        "JIESU_DATABASE_URL": settings.database_url,
        VERBOSE_VARIABLE: "1" if verbose else "0",
    }
    if settings.model_dir is not None:
        variables["JIESU_MODEL_DIR"] = str(settings.model_dir)
    return variables


def create_worker_app() -> FastAPI:
    from jiesu.cli import configure_logging
    from jiesu.serving.app import create_app

    configure_logging(verbose=os.environ.get(VERBOSE_VARIABLE) == "1")
    return create_app(load_settings())
