import gc

from jiesu.model.memory import YOUNG_THRESHOLD, freeze_loaded_objects, thaw_loaded_objects


def test_freezing_the_loaded_objects_also_collects_the_young_generation_less_often() -> None:
    before = gc.get_threshold()
    try:
        freeze_loaded_objects()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (max(YOUNG_THRESHOLD, before[0]), *before[1:])
    finally:
        thaw_loaded_objects()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_overlapping_holders_give_the_collector_back_at_the_last_thaw() -> None:
    before = gc.get_threshold()
    freeze_loaded_objects()  # a first app starts
    freeze_loaded_objects()  # a second one, before the first stops
    thaw_loaded_objects()  # the first stops: the second still serves with its model frozen
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == max(YOUNG_THRESHOLD, before[0])
    thaw_loaded_objects()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    thaw_loaded_objects()  # one thaw too many changes nothing
    assert gc.get_threshold() == before


def test_collection_turned_off_on_purpose_stays_off() -> None:
    before = gc.get_threshold()
    gc.set_threshold(0, *before[1:])
    try:
        freeze_loaded_objects()
        assert gc.get_threshold()[0] == 0
    finally:
        thaw_loaded_objects()
        gc.set_threshold(*before)
