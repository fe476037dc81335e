"""Every awkward or broken file in the corpus is either fixed, with a report, or refused
with its own code and a message in both languages; nothing else is ever raised."""

from __future__ import annotations

import io

import pytest
from frame_corpus import CASES, Case
from PIL import Image

from kling_ui.frames import MAX_RATIO, MIN_SIDE, FrameError, prepare_frame

MAX_BYTES = 4_000_000


def test_the_corpus_has_at_least_twenty_files_of_each_kind_together():
    assert len(CASES) >= 20
    assert len({case.name for case in CASES}) == len(CASES)
    assert sum(case.expect == "ok" for case in CASES) >= 10
    assert sum(case.expect != "ok" for case in CASES) >= 10


@pytest.mark.parametrize("case", [c for c in CASES if c.expect == "ok"], ids=lambda c: c.name)
def test_fixable_file_is_prepared_within_klings_limits_and_reported(case: Case):
    frame = prepare_frame(case.make(), **case.options)

    assert min(frame.width, frame.height) >= MIN_SIDE
    assert frame.width <= MAX_RATIO * frame.height and frame.height <= MAX_RATIO * frame.width
    assert len(frame.data) < MAX_BYTES
    decoded = Image.open(io.BytesIO(frame.data))
    assert decoded.format == frame.format in ("PNG", "JPEG")
    assert decoded.size == (frame.width, frame.height)
    assert frame.report, "every prepared frame says what was done"
    assert case.says in frame.summary().en
    assert frame.summary().zh


@pytest.mark.parametrize("case", [c for c in CASES if c.expect != "ok"], ids=lambda c: c.name)
def test_broken_file_is_refused_with_its_own_code_and_message(case: Case):
    with pytest.raises(FrameError) as refused:
        prepare_frame(case.make(), **case.options)

    assert refused.value.code == case.expect
    assert case.says in refused.value.message.en
    assert refused.value.message.zh and refused.value.message.zh != refused.value.message.en
    assert refused.value.remedy is not None


def test_each_refusal_kind_has_a_message_of_its_own():
    messages: dict[str, set[str]] = {}
    for case in (c for c in CASES if c.expect != "ok"):
        with pytest.raises(FrameError) as refused:
            prepare_frame(case.make(), **case.options)
        messages.setdefault(case.expect, set()).add(refused.value.message.en)
    codes_by_message = {m: code for code, found in messages.items() for m in found}
    assert len(set(codes_by_message.values())) == len(messages)
