"""The coalescing batcher behind POST /v1/suggest."""

from __future__ import annotations

import asyncio

import pytest

from jiesu.serving.batching import Batcher


def test_concurrent_calls_are_batched_and_each_gets_its_own_results() -> None:
    calls: list[list[int]] = []

    def square(items: list[int]) -> list[int]:
        calls.append(list(items))
        return [item * item for item in items]

    async def main() -> list[list[int]]:
        batcher = Batcher(square, max_items=8)
        return await asyncio.gather(*(batcher.submit([n, n + 100]) for n in range(10)))

    results = asyncio.run(main())
    assert results == [[n * n, (n + 100) ** 2] for n in range(10)]
    assert len(calls) < 10  # coalesced
    assert all(len(call) <= 8 for call in calls)


def test_one_bad_call_fails_alone() -> None:
    def fragile(items: list[int]) -> list[int]:
        if any(item < 0 for item in items):
            raise ValueError("negative")
        return items

    async def main() -> list[list[int] | BaseException]:
        batcher = Batcher(fragile)
        return list(
            await asyncio.gather(
                batcher.submit([1]), batcher.submit([-1]), batcher.submit([2]), return_exceptions=True
            )
        )

    good, bad, other = asyncio.run(main())
    assert good == [1]
    assert other == [2]
    assert isinstance(bad, ValueError)
    with pytest.raises(ValueError, match="negative"):
        asyncio.run(Batcher(fragile).submit([-5]))
