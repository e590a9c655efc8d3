import json
import re
from pathlib import Path

import pytest

from jiesu.data.disposition_rules import CHANNEL_IDS, load_disposition_rules
from jiesu.data.resources import resource_path
from jiesu.data.taxonomy import load_taxonomy
from jiesu.data.workflow_settings import load_workflow_settings
from jiesu.errors import ReferenceDataError


def test_every_legal_channel_has_a_notice_and_a_taxonomy_category() -> None:
    rules = load_disposition_rules()
    assert sorted(channel.id for channel in rules.channels) == sorted(CHANNEL_IDS)
    assert rules.problems(load_taxonomy()) == []
    assert "第十一条" in rules.channel("arbitration").notice


def test_channel_cues_find_evidence_in_text() -> None:
    rules = load_disposition_rules()

    def found(cues: list[str], text: str) -> bool:
        return any(re.search(cue, text) for cue in cues)

    assert found(rules.channel("arbitration").cues, "仲裁委已经裁决了，公司还是不给钱")
    assert found(rules.channel("petition").cues, "这事我去年已经去信访了")
    fire = next(rule for rule in rules.emergencies if rule.number == "119")
    assert found(fire.cues, "楼道里着火了")


def test_deadline_tiers_match_the_draft_standard() -> None:
    settings = load_workflow_settings()
    hours = {tier: settings.hours_for(tier) for tier in ("emergency", "utility", "ordinary", "complex")}
    assert hours == {"emergency": 2, "utility": 24, "ordinary": 168, "complex": 360}
    assert settings.rates.overall_weights == {"response": 0.1, "resolution": 0.5, "satisfaction": 0.4}
    assert settings.returns.max_dispatch_rounds == 3


def test_rate_weights_that_do_not_sum_to_one_are_refused(tmp_path: Path) -> None:
    payload = json.loads(resource_path("workflow.json").read_text(encoding="utf-8"))
    payload["rates"]["overall_weights"]["response"] = 0.5
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="sum to 1"):
        load_workflow_settings(path)


def test_an_invalid_cue_regex_is_refused(tmp_path: Path) -> None:
    payload = json.loads(resource_path("disposition.json").read_text(encoding="utf-8"))
    payload["channels"][0]["cues"].append("(unclosed")
    path = tmp_path / "disposition.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="not a valid regular expression"):
        load_disposition_rules(path)


@pytest.mark.parametrize("field", ["question_cues", "risk_cues"])
def test_cues_that_do_not_join_into_one_pattern_are_refused(tmp_path: Path, field: str) -> None:
    # Each compiles alone, but the resolver joins a list into one alternation: a global flag mid-way
    # would fail every suggestion, so the file is refused on load.
    payload = json.loads(resource_path("disposition.json").read_text(encoding="utf-8"))
    if field == "risk_cues":
        payload["risk_cues"]["threat"].append("(?i)abc")
    else:
        payload[field].append("(?i)abc")
    path = tmp_path / "disposition.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="do not join into one regular expression"):
        load_disposition_rules(path)
