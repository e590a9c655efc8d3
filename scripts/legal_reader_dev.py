"""The learned legal reader on the development halves only (never the report half): its figures alone,
the rules' alone, both together, and what it adds to ordinary real web messages.

- Real complaints, dev half (tests/fixtures/real_complaints/): legal-channel precision, recall and
  channel accuracy of (a) the reader alone (legal from READER_FLOOR on; the channel is the disposition
  head's most probable legal channel), also gated by the head's support as the suggestion path gates
  it; (b) the rules alone (the suggestion without a reader); (c) the suggestion with the reader.
- The same half's texts rc162–rc261, added to the set in 41c342f before the rules were fitted to them:
  the rules of 41c342f (its own code and default model, via `jiesu bench real`'s baseline machinery)
  alone, and with the reader adding where they dispatch. The rules of today were written while looking
  at the dev half, so (b) and (c) flatter them; this pair is the honest estimate of what the reader adds
  on phrasings the rules were not written for.
- Real web messages, dev half (../shared/data/teddycup2020): how many get a legal channel without and
  with the reader, and the texts it adds.

Usage: python scripts/legal_reader_dev.py [--model DIR] [--no-old-rules]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from jiesu.evaluation.bench_real import BASELINE_CACHE, suggest_with_revision
from jiesu.evaluation.real_complaints import load_real_complaints
from jiesu.evaluation.real_text import default_real_data_dir, load_real_texts
from jiesu.model.classifier import RequestClassifier
from jiesu.model.disposition import READER_FLOOR
from jiesu.model.suggestion import Suggester, SuggestionRequest
from jiesu.model.suggestion_types import Suggestion
from jiesu.model.text import fold_characters, normalise
from jiesu.training.default_model import ensure_default_model

OLD_RULES = "41c342f"  # the complaint set's rc162–rc261 were added here, before any rule saw them
FIRST_NEW = 162
NONE = "none"


def score(gold: Sequence[str], said: Sequence[str]) -> str:
    suggested = sum(s != NONE for s in said)
    legal = sum(g != NONE for g in gold)
    hits = sum(g != NONE and s != NONE for g, s in zip(gold, said, strict=True))
    channel = sum(g != NONE and s == g for g, s in zip(gold, said, strict=True))
    precision = f"{hits / suggested:.3f}" if suggested else "n/a"
    return (
        f"precision {precision} ({hits}/{suggested})  recall {hits / legal:.3f} ({hits}/{legal})  "
        f"channel {channel / legal:.3f} ({channel}/{legal})"
    )


def channel_of(suggestion: Suggestion) -> str:
    disposition = suggestion.disposition
    return (disposition.channel or NONE) if disposition.label == "legal_channel" else NONE


def suggest_all(suggester: Suggester, texts: Sequence[str]) -> list[Suggestion]:
    out: list[Suggestion] = []
    for start in range(0, len(texts), 256):
        out += suggester.suggest_many([SuggestionRequest(text=text) for text in texts[start : start + 256]])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--no-old-rules", action="store_true", help="skip the rules of 41c342f")
    args = parser.parse_args()
    model = RequestClassifier.load(args.model or ensure_default_model())
    reader = model.legal_reader_
    if reader is None:
        print("this model has no legal reader")
        return 1
    suggester = Suggester.with_reference_data(model)
    complaints = load_real_complaints(half="dev")
    gold = [item.channel or NONE for item in complaints]
    texts = [item.text for item in complaints]

    predictions = model.predict(texts)
    alone = reader.probabilities([normalise(text).text for text in texts])
    heads = [p.legal_reading for p in predictions]
    said_alone = [
        (h.head_channel or NONE) if h is not None and p >= READER_FLOOR else NONE
        for p, h in zip(alone, heads, strict=True)
    ]
    said_gated = [
        (h.head_channel or NONE) if h is not None and h.probability is not None and h.probability >= READER_FLOOR
        else NONE
        for h in heads
    ]  # fmt: skip
    with_reader = [channel_of(s) for s in suggest_all(suggester, texts)]
    model.legal_reader_ = None
    rules = [channel_of(s) for s in suggest_all(suggester, texts)]
    model.legal_reader_ = reader
    print(f"real complaints, dev half ({len(texts)} texts, {sum(g != NONE for g in gold)} in a channel)")
    print(f"  reader alone (≥ {READER_FLOOR})          {score(gold, said_alone)}")
    print(f"  reader gated by the head's support  {score(gold, said_gated)}")
    print(f"  rules alone                         {score(gold, rules)}")
    print(f"  rules + reader                      {score(gold, with_reader)}")

    if not args.no_old_rules:
        new = [i for i, item in enumerate(complaints) if int(item.id[2:]) >= FIRST_NEW]
        requests = [(complaints[i].id, texts[i]) for i in new]
        answers = suggest_with_revision(OLD_RULES, requests, BASELINE_CACHE / OLD_RULES)
        old = [
            (a["disposition"].get("channel") or NONE) if a and a["disposition"]["label"] == "legal_channel" else NONE
            for a in answers
        ]  # fmt: skip
        combined = []
        for i, channel in zip(new, old, strict=True):
            if channel == NONE:
                prediction = predictions[i]
                read = suggester.disposition._read(
                    fold_characters(texts[i]),
                    texts[i],
                    prediction.heads.get("disposition"),
                    prediction.legal_reading,
                ) if prediction.legal_reading is not None else None  # fmt: skip
                channel = (read.channel or NONE) if read is not None else NONE
            combined.append(channel)
        subset = [gold[i] for i in new]
        print(
            f"the dev half's rc{FIRST_NEW}+ ({len(new)} texts, {sum(g != NONE for g in subset)} in a channel)"
        )
        print(f"  rules of {OLD_RULES} (unseen)          {score(subset, old)}")
        print(f"  rules of {OLD_RULES} + reader          {score(subset, combined)}")

    messages = [item.text for item in load_real_texts(default_real_data_dir(), half="dev")]
    with_reader = [channel_of(s) for s in suggest_all(suggester, messages)]
    model.legal_reader_ = None
    without = [channel_of(s) for s in suggest_all(suggester, messages)]
    model.legal_reader_ = reader
    added = [i for i, (a, b) in enumerate(zip(without, with_reader, strict=True)) if a == NONE and b != NONE]
    before, after = sum(c != NONE for c in without), sum(c != NONE for c in with_reader)
    print(f"real web messages, dev half ({len(messages)}): a legal channel suggested {before} → {after}")
    for i in added:
        print(f"  added {with_reader[i]}: {' '.join(messages[i].split())[:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
