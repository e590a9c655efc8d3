from jiesu.workflow.audit import dispatch_audit


def event(ticket: str, action: str, **payload: object) -> dict[str, object]:
    return {"ticket_id": ticket, "action": action, "payload": payload}


def test_mis_dispatches_are_upheld_returns_counted_against_the_unit_and_the_origin() -> None:
    events = [
        # t1 followed the suggestion to A; A returned it, upheld; re-dispatched to B.
        event("t1", "dispatch", unit="A", suggested_unit="A", overridden=False),
        event("t1", "return", unit="A", reason_code="not_our_duty"),
        event("t1", "review-return", decision="uphold", returned_by="A", unit="B"),
        # t2: the operator overrode the suggestion (A) with B; B returned it, rejected.
        event("t2", "dispatch", unit="B", suggested_unit="A", overridden=True),
        event("t2", "return", unit="B", reason_code="wrong_jurisdiction"),
        event("t2", "review-return", decision="reject", returned_by="B"),
        # t3 followed the suggestion to A and stayed.
        event("t3", "dispatch", unit="A", suggested_unit="A", overridden=False),
        # t4 had no suggested unit: the operator's choice counts as an override.
        event("t4", "dispatch", unit="C", suggested_unit=None, overridden=False),
    ]
    audit = dispatch_audit(events)
    units = {row["unit"]: row for row in audit["units"]}
    assert units["A"] | {"return_reasons": None} == {
        "unit": "A", "dispatched": 2, "returned": 1, "returns_refiled": 0, "returns_upheld": 1,
        "returns_rejected": 0, "mis_dispatch_rate": 0.5, "return_reasons": None,
    }  # fmt: skip
    assert (units["B"]["dispatched"], units["B"]["returns_rejected"], units["B"]["mis_dispatch_rate"]) == (
        2,
        1,
        0.0,
    )
    assert audit["units"][0]["unit"] == "A"  # the most upheld returns first
    suggestions = audit["suggestions"]
    assert (suggestions["first_dispatches"], suggestions["overridden"], suggestions["override_rate"]) == (
        4,
        2,
        0.5,
    )
    assert suggestions["by_origin"]["suggestion"] == {
        "dispatched": 2,
        "mis_dispatched": 1,
        "mis_dispatch_rate": 0.5,
    }
    assert suggestions["by_origin"]["override"]["mis_dispatch_rate"] == 0.0
    assert suggestions["by_origin"]["redispatch"]["dispatched"] == 1
    overall = audit["overall"]
    assert (overall["dispatched"], overall["returns_upheld"], overall["mis_dispatch_rate"]) == (5, 1, 0.2)
    assert overall["return_reasons"] == {"not_our_duty": 1, "wrong_jurisdiction": 1}


def test_no_events_give_empty_figures_not_errors() -> None:
    audit = dispatch_audit([])
    assert audit["units"] == []
    assert audit["overall"]["mis_dispatch_rate"] is None
    assert audit["suggestions"]["override_rate"] is None


def test_a_return_after_an_escalation_answers_the_escalation() -> None:
    events = [
        event("t1", "dispatch", unit="S", suggested_unit="S", overridden=False),
        event("t1", "escalate", level="city", unit="C", previous_unit="S"),
        event("t1", "return", unit="C", reason_code="not_our_duty"),
        event("t1", "review-return", decision="uphold", returned_by="C", unit="D"),
    ]
    audit = dispatch_audit(events)
    units = {row["unit"]: row for row in audit["units"]}
    assert (units["C"]["dispatched"], units["C"]["returns_upheld"], units["C"]["mis_dispatch_rate"]) == (
        1,
        1,
        1.0,
    )
    assert units["S"]["returns_upheld"] == 0
    by_origin = audit["suggestions"]["by_origin"]
    assert by_origin["suggestion"]["mis_dispatched"] == 0
    assert by_origin["escalation"]["mis_dispatched"] == 1


def test_an_unreadable_payload_is_counted_apart_not_fatal() -> None:
    events = [
        event("t1", "dispatch", unit="A", suggested_unit="A", overridden=False),
        event("t2", "return", reason_code="not_our_duty"),  # no unit: still readable, counted nowhere
        event("t3", "dispatch", suggested_unit="B"),  # no unit: unreadable
        event("t4", "review-return", decision="maybe", returned_by="A"),  # not a decision
    ]
    audit = dispatch_audit(events)
    assert audit["skipped_events"] == 2
    assert audit["overall"]["dispatched"] == 1
    assert audit["suggestions"]["first_dispatches"] == 1


def test_a_return_refiled_after_a_rejection_is_counted_apart_from_the_objections() -> None:
    rejection = {
        "decision": "reject",
        "reason": "属于本单位职责",
        "reviewer": "k1",
        "at": "2025-01-02T00:00:00+00:00",
    }
    events = [
        event("t1", "dispatch", unit="A", suggested_unit="A", overridden=False),
        event("t1", "return", unit="A", reason_code="not_our_duty"),
        event("t1", "review-return", decision="reject", returned_by="A"),
        event(
            "t1",
            "return",
            unit="A",
            reason_code="wrong_jurisdiction",
            refiled=True,
            new_facts="地址在海淀区",
            previous_decision=rejection,
        ),
        event("t1", "review-return", decision="uphold", returned_by="A", unit="B"),
        event("t2", "dispatch", unit="A", suggested_unit="A", overridden=False),
        event("t2", "return", unit="A", reason_code="not_our_duty"),
    ]
    audit = dispatch_audit(events)
    unit_a = {row["unit"]: row for row in audit["units"]}["A"]
    assert (unit_a["returned"], unit_a["returns_refiled"]) == (2, 1)
    assert (unit_a["returns_rejected"], unit_a["returns_upheld"]) == (1, 1)
    assert unit_a["return_reasons"] == {"not_our_duty": 2}  # the objections' reasons only
    assert (audit["overall"]["returned"], audit["overall"]["returns_refiled"]) == (2, 1)
    assert audit["skipped_events"] == 0
