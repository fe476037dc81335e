"""Decks per owner: the same slides opened by two people are two decks, a deck respects its
owner's cap on waiting jobs, and the served decks folder holds only media under random names
(plans and records live in the unserved deck-state folder; older decks are moved there)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from deck_engine import deck_runner
from deck_media import slide_image, write_pdf

from kling_ui.deck import fixed_prompt
from kling_ui.deck.plan import DeckPlan
from kling_ui.deck.run import DeckRunner, DeckSettings, move_legacy_decks

SETTINGS = DeckSettings(title="Shared slides", hold_seconds=0.5, target=(640, 360))
MEDIA_NAME = re.compile(r"^[0-9a-f]{32}$")
SERVED_SUFFIXES = {".png", ".jpg", ".mp4", ".pptx", ".zip", ".html"}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def runner(simulator_factory, data_dir: Path) -> Iterator[DeckRunner]:
    with deck_runner(simulator_factory(latency=0.3, render_height=180), data_dir) as runner:
        yield runner


def pdf_of(tmp_path: Path, pages: int, name: str = "talk.pdf") -> Path:
    return write_pdf(tmp_path / name, [slide_image(i, (640, 360)) for i in range(pages)])


def test_the_same_slides_opened_by_two_owners_are_two_decks(
    runner: DeckRunner, tmp_path: Path
) -> None:
    pdf = pdf_of(tmp_path, 3)
    alice = runner.open([pdf], SETTINGS, fixed_prompt("push in"), owner="user:alice")
    bob = runner.open([pdf], SETTINGS, fixed_prompt("push in"), owner="user:bob")
    cli = runner.open([pdf], SETTINGS, fixed_prompt("push in"))
    again = runner.open([pdf], SETTINGS, fixed_prompt("push in"), owner="user:alice")
    assert len({alice.deck_id, bob.deck_id, cli.deck_id}) == 3
    assert again.deck_id == alice.deck_id
    assert (alice.plan.owner, bob.plan.owner, cli.plan.owner) == ("user:alice", "user:bob", None)
    assert alice.plan.media != bob.plan.media

    renamed = DeckSettings(title="Bob's own title", hold_seconds=0.5, target=(640, 360))
    runner.open([pdf], renamed, fixed_prompt("push in"), owner="user:bob")
    assert runner.load(alice.deck_id).settings.title == "Shared slides"


def test_a_deck_larger_than_the_cap_hands_over_the_rest_as_earlier_jobs_finish(
    runner: DeckRunner, tmp_path: Path
) -> None:
    runner.engine.max_queued = 2
    deck = runner.open([pdf_of(tmp_path, 5)], SETTINGS, fixed_prompt("a capped deck"))
    first = runner.submit(deck, submitter="presenter")
    assert len(first) == 2 and runner.waiting(deck) == 2
    started = runner.sync(deck)
    assert started.waiting + started.in_flight + started.done == 4 and not started.settled
    assert "waiting until your earlier jobs finish" in started.text("en")

    progress = runner.wait(deck, timeout=120)
    assert progress.complete and progress.waiting == 0 and runner.waiting(deck) == 0
    assert len({t.job_id for t in deck.plan.transitions}) == 4


def test_a_transition_refused_for_another_reason_stops_the_waiting_and_says_why(
    runner: DeckRunner, tmp_path: Path
) -> None:
    runner.engine.max_queued = 1
    deck = runner.open([pdf_of(tmp_path, 3)], SETTINGS, fixed_prompt("refused later"))
    assert len(runner.submit(deck, submitter="presenter")) == 1
    deck.plan.transitions[1].prompt = "x" * 2600  # Kling would refuse it
    progress = runner.wait(deck, timeout=60)
    assert progress.settled and progress.failed == (1,)
    assert "2500" in (deck.plan.transition(1).error or "")


def test_the_served_decks_folder_holds_only_media_under_random_names(
    runner: DeckRunner, tmp_path: Path, data_dir: Path
) -> None:
    deck = runner.open([pdf_of(tmp_path, 3)], SETTINGS, fixed_prompt("served"), owner="browser:x")
    runner.submit(deck, submitter="browser:x")
    assert runner.wait(deck, timeout=60).complete
    outputs = runner.assemble(deck)

    served = data_dir / "decks"
    assert [p.name for p in served.iterdir() if not MEDIA_NAME.match(p.name)] == []
    files = [p for p in served.rglob("*") if p.is_file()]
    assert files and {p.suffix for p in files} <= SERVED_SUFFIXES
    assert outputs.video.is_relative_to(served / str(deck.plan.media))
    state = data_dir / "deck-state" / deck.deck_id
    assert (state / "plan.json").is_file() and (state / "deck.json").is_file()
    assert deck.deck_id not in {p.name for p in served.rglob("*")}


def test_decks_of_an_older_version_move_out_of_the_served_folder(tmp_path: Path) -> None:
    decks, state = tmp_path / "data" / "decks", tmp_path / "data" / "deck-state"
    old = decks / "0123456789abcdef"
    (old / "slides").mkdir(parents=True)
    (old / "output").mkdir()
    for name in ("s001.png", "s002.png"):
        slide_image(1, (64, 36)).save(old / "slides" / name)
    (old / "output" / "talk.mp4").write_bytes(b"video")
    (old / "output" / "assembled.json").write_text('{"key": "k", "video": "output/talk.mp4"}')
    (old / "deck.json").write_text(SETTINGS.model_dump_json())
    plan = {
        "deck_id": old.name,
        "slides": [
            {
                "id": f"s00{i}",
                "name": f"p{i}",
                "path": str(old / "slides" / f"s00{i}.png"),
                "sha256": f"{i:064x}",
            }
            for i in (1, 2)
        ],
    }
    (old / "plan.json").write_text(json.dumps(plan))
    (decks / "open-decks.json").write_text('{"abc": "0123456789abcdef"}')

    assert move_legacy_decks(decks, state) == 1
    assert move_legacy_decks(decks, state) == 0  # nothing left to move
    moved = DeckPlan.load(state / old.name / "plan.json")
    media = decks / str(moved.media)
    assert MEDIA_NAME.match(str(moved.media)) and not old.exists()
    assert [Path(s.path) for s in moved.slides] == [
        media / "slides" / "s001.png",
        media / "slides" / "s002.png",
    ]
    assert all(Path(s.path).is_file() for s in moved.slides)
    assert (media / "output" / "talk.mp4").read_bytes() == b"video"
    assert (state / old.name / "assembled.json").is_file()
    assert (state / old.name / "deck.json").is_file()
    assert (state / "open-decks.json").is_file() and not (decks / "open-decks.json").exists()
    assert not list(decks.rglob("*.json"))


def test_the_simulator_saw_each_capped_transition_created_once(
    runner: DeckRunner, tmp_path: Path
) -> None:
    runner.engine.max_queued = 1
    deck = runner.open([pdf_of(tmp_path, 4)], SETTINGS, fixed_prompt("one at a time"))
    runner.submit(deck, submitter="presenter")
    assert runner.wait(deck, timeout=120).complete
    base = runner.engine.default_credentials.base_url
    created = httpx.get(f"{base}/debug/stats").json()["created"]
    assert len(created) == 3 and set(created.values()) == {1}
