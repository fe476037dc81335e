"""The deck: slides from a PDF, images, a ZIP or a PPTX, the transition plan, and its outputs.

Slides (slides.py; a PowerPoint file is checked and its notes read in pptx_in.py, and it is
rendered by LibreOffice in office.py) feed a plan (plan.py), whose prompts may take a hint
from the speaker notes (cues.py). Once every transition has a clip, the clips and slide holds
are stitched into one video by stream copy (stitch.py), a PowerPoint with the transitions
inside is written (pptx_out.py), and a presenter page (presenter.py) and a ZIP of everything
(bundle.py). Running the transitions through the job engine is the deck runner's part (run.py).
What a person changes in a deck is applied by edits.py, and the workspace in session.py opens,
edits, runs, follows and assembles decks under one lock per deck, for the Deck tab and the
`deck` command alike.
"""

from kling_ui.deck.bundle import write_bundle
from kling_ui.deck.plan import (
    DeckPlan,
    PairDefault,
    PromptDefaulter,
    SlideRef,
    TransitionPlan,
    deck_id_for,
    fixed_prompt,
)
from kling_ui.deck.pptx_out import PptxReport, SlideSource, write_pptx
from kling_ui.deck.presenter import write_presenter
from kling_ui.deck.slides import Slide, load_slides
from kling_ui.deck.stitch import SegmentSpan, StitchReport, stitch_deck

__all__ = [
    "DeckPlan",
    "PairDefault",
    "PptxReport",
    "PromptDefaulter",
    "SegmentSpan",
    "Slide",
    "SlideRef",
    "SlideSource",
    "StitchReport",
    "TransitionPlan",
    "deck_id_for",
    "fixed_prompt",
    "load_slides",
    "stitch_deck",
    "write_bundle",
    "write_pptx",
    "write_presenter",
]
