from __future__ import annotations

from jiesu.serving.views import mask_free_text


def test_ids_in_payloads_are_not_masked_as_phone_numbers() -> None:
    # A key id whose tail has eight digits in a row once came out as fa2d〔电话号码〕 (a flaky test found it).
    key_id = "8d10f844-71de-4015-8d99-fa2d40147481"
    payload = {
        "previous_decision": {"decision": "reject", "reason": "打13912345678核实", "reviewer": key_id},
        "note": "回电13912345678",
    }
    masked = mask_free_text(payload)
    assert masked["previous_decision"]["reviewer"] == key_id
    assert "13912345678" not in masked["previous_decision"]["reason"]
    assert "13912345678" not in masked["note"]
    assert payload["note"] == "回电13912345678"  # what is stored is not changed
