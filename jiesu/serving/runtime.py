"""What the app loads once, in lifespan: the model, the reference data, the database (migrated when it is
the embedded SQLite) and the services over them. The model is held by a `ServedModel`, which a
`RegistryWatcher` swaps when another model is promoted (jiesu.serving.served_model)."""

from __future__ import annotations

from dataclasses import dataclass

from jiesu.data.workflow_settings import WorkflowSettings, load_workflow_settings
from jiesu.model.classifier import RequestClassifier
from jiesu.serving.db import Database
from jiesu.serving.keys import KeyService
from jiesu.serving.model_metrics import PromiseService
from jiesu.serving.served_model import RegistryWatcher, ServedModel
from jiesu.serving.settings import ServingSettings
from jiesu.serving.suggestions import SuggestService
from jiesu.serving.tickets import TicketService
from jiesu.workflow.reference import Reference


@dataclass
class Runtime:
    """Everything lifespan builds once: the model, the database and the services over them."""

    served: ServedModel
    database: Database
    reference: Reference
    workflow: WorkflowSettings
    suggestions: SuggestService
    tickets: TicketService
    keys: KeyService
    promise: PromiseService
    watcher: RegistryWatcher | None = None

    @property
    def model(self) -> RequestClassifier:
        """The model serving now (it may change when another is promoted)."""
        return self.served.classifier


def load_runtime(settings: ServingSettings, classifier: RequestClassifier | None = None) -> Runtime:
    """Load the model and reference data, open (and for SQLite migrate) the database, build services.

    Without an injected classifier or JIESU_MODEL_DIR, the model is the registry's current one (the
    default model until another is promoted), watched for promotions every `model_reload_s` seconds."""
    from jiesu.training.default_model import data_dir, ensure_default_model
    from jiesu.training.registry import ModelRegistry

    watched = classifier is None and settings.model_dir is None
    registry = ModelRegistry(data_dir() / "models")
    directory = None
    if classifier is None:
        pointer = registry.pointer()  # none yet: the default model, (re)trained when missing or outdated
        directory = settings.model_dir or (
            registry.path(pointer.current) if pointer else ensure_default_model()
        )
        classifier = RequestClassifier.load(directory)
    served = ServedModel(classifier, directory)
    watcher = (
        RegistryWatcher(served, registry, settings.model_reload_s)
        if watched and settings.model_reload_s > 0
        else None
    )
    reference = Reference.load()
    workflow = load_workflow_settings()
    database = Database(settings.database_url)
    if settings.migrate_on_start:
        database.upgrade()
    suggestions = SuggestService(served, reference)
    tickets = TicketService(
        database,
        workflow,
        reference,
        served.suggest_many,
        max_text_chars=settings.max_text_chars,
        page_size=settings.page_size,
    )
    keys = KeyService(database, reference)
    promise = PromiseService(database, registry.root, served)
    return Runtime(served, database, reference, workflow, suggestions, tickets, keys, promise, watcher)
