"""Stateless suggestions (POST /v1/suggest), and the one check every request text passes before the
model sees it (here and at ticket intake)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from jiesu.errors import InputTextError
from jiesu.model.suggestion import SuggestionRequest
from jiesu.model.suggestion_types import Suggestion
from jiesu.serving.batching import Batcher
from jiesu.serving.schemas import SuggestItem
from jiesu.workflow.errors import InvalidInput, Messages, message
from jiesu.workflow.reference import Reference


def request_for(
    text: str, caller_district: str | None, reference: Reference, limit: int, *, request_id: str | None = None
) -> SuggestionRequest:
    """A checked suggestion request, or 422 (empty, then oversized, then an unknown district, as always):
    the caller's district is normalised (朝阳 → 朝阳区) here, once."""
    if not text.strip():
        raise InvalidInput(message(Messages.text_empty))
    if len(text) > limit:
        raise InvalidInput(message(Messages.text_too_long, limit=limit), {"max_text_chars": limit})
    district = reference.district(caller_district)
    try:
        return SuggestionRequest(text=text, id=request_id, caller_district=district)
    except InputTextError as exc:
        raise InvalidInput(str(exc)) from None


class ManySuggester(Protocol):
    """A `Suggester`, or the app's `ServedModel` that passes each call to the model serving now."""

    def suggest(self, request: SuggestionRequest) -> Suggestion: ...

    def suggest_many(self, requests: Sequence[SuggestionRequest]) -> list[Suggestion]: ...


class SuggestService:
    """Stateless suggestions (POST /v1/suggest) from the app's one Suggester. Concurrent HTTP calls are
    coalesced into batches (`batching.Batcher`): the classifier is much cheaper per text in a batch."""

    def __init__(self, suggester: ManySuggester, reference: Reference) -> None:
        self.suggester = suggester
        self.reference = reference
        self.batcher: Batcher[SuggestionRequest, Suggestion] = Batcher(suggester.suggest_many)

    def prepare(
        self, items: Sequence[SuggestItem], *, max_text_chars: int, max_batch: int, batch: bool = False
    ) -> list[SuggestionRequest]:
        """Validate a call: batch size, text length, caller district (422 on any problem; in a `batch`, its
        details name the item)."""
        if len(items) > max_batch:
            raise InvalidInput(message(Messages.batch_too_large, limit=max_batch), {"max_batch": max_batch})
        requests = []
        for index, item in enumerate(items):
            try:
                requests.append(
                    request_for(
                        item.text, item.caller_district, self.reference, max_text_chars, request_id=item.id
                    )
                )
            except InvalidInput as exc:
                if batch:  # which item of the batch: its position, and its id where it has one
                    exc.details = {**(exc.details or {}), "index": index, "id": item.id}
                raise
        return requests

    def suggest(
        self, items: Sequence[SuggestItem], *, max_text_chars: int, max_batch: int
    ) -> list[Suggestion]:
        return self.suggester.suggest_many(
            self.prepare(items, max_text_chars=max_text_chars, max_batch=max_batch)
        )

    async def suggest_async(
        self, items: Sequence[SuggestItem], *, max_text_chars: int, max_batch: int, batch: bool = False
    ) -> list[Suggestion]:
        """As `suggest`, from the event loop: the work runs in the threadpool, batched with other calls."""
        requests = self.prepare(items, max_text_chars=max_text_chars, max_batch=max_batch, batch=batch)
        return await self.batcher.submit(requests)
