import gc

from jiesu.model.memory import YOUNG_THRESHOLD, freeze_loaded_objects


def test_freezing_the_loaded_objects_also_collects_the_young_generation_less_often() -> None:
    before = gc.get_threshold()
    try:
        freeze_loaded_objects()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (max(YOUNG_THRESHOLD, before[0]), *before[1:])
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
