"""What the app loads once, in lifespan: the model, the reference data, the database (migrated when it is
the embedded SQLite) and the services over them."""

from __future__ import annotations

from dataclasses import dataclass

from jiesu.data.workflow_settings import WorkflowSettings, load_workflow_settings
from jiesu.model.classifier import RequestClassifier
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.serving.db import Database
from jiesu.serving.keys import KeyService
from jiesu.serving.settings import ServingSettings
from jiesu.serving.suggestions import SuggestService
from jiesu.serving.tickets import TicketService
from jiesu.workflow.reference import Reference


@dataclass
class Runtime:
    """Everything lifespan builds once: the model, the database and the services over them."""

    model: RequestClassifier
    database: Database
    reference: Reference
    workflow: WorkflowSettings
    suggestions: SuggestService
    tickets: TicketService
    keys: KeyService


def load_runtime(settings: ServingSettings, classifier: RequestClassifier | None = None) -> Runtime:
    """Load the model and reference data, open (and for SQLite migrate) the database, build services."""
    if classifier is None:
        from jiesu.training.default_model import ensure_default_model

        classifier = RequestClassifier.load(settings.model_dir or ensure_default_model())
    suggester = Suggester.with_reference_data(classifier)
    reference = Reference.load()
    workflow = load_workflow_settings()
    database = Database(settings.database_url)
    if settings.migrate_on_start:
        database.upgrade()
    suggestions = SuggestService(suggester, reference)
    # Warm-up, so that the first request is not slow.
    suggester.suggest(SuggestionRequest("朝阳区望京街道小区暖气不热"))
    tickets = TicketService(
        database,
        workflow,
        reference,
        suggester.suggest_many,
        max_text_chars=settings.max_text_chars,
        page_size=settings.page_size,
    )
    keys = KeyService(database, reference)
    return Runtime(classifier, database, reference, workflow, suggestions, tickets, keys)
