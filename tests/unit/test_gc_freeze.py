"""API processes freeze their start-up heap out of the collector's reach, unless GC_FREEZE=0."""

from __future__ import annotations

import gc

from improvenet.__main__ import freeze_startup_heap


def test_the_start_up_heap_is_frozen_by_default() -> None:
    try:
        gc.unfreeze()
        assert freeze_startup_heap({}) is True
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_gc_freeze_0_leaves_the_heap_to_the_collector() -> None:
    gc.unfreeze()
    assert freeze_startup_heap({"GC_FREEZE": "0"}) is False
    assert gc.get_freeze_count() == 0
