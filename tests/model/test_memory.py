import gc

from jiesu.model.memory import YOUNG_THRESHOLD, freeze_loaded_objects, thaw_loaded_objects


def test_freezing_the_loaded_objects_also_collects_the_young_generation_less_often() -> None:
    before = gc.get_threshold()
    try:
        assert freeze_loaded_objects() == before
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (max(YOUNG_THRESHOLD, before[0]), *before[1:])
    finally:
        thaw_loaded_objects(before)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_collection_turned_off_on_purpose_stays_off() -> None:
    before = gc.get_threshold()
    gc.set_threshold(0, *before[1:])
    try:
        freeze_loaded_objects()
        assert gc.get_threshold()[0] == 0
    finally:
        thaw_loaded_objects(before)
