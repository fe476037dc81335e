"""A presenter page: one self-contained HTML file that plays the transitions live.

The page shows slide 1; click, Space, Right arrow, Page Down or Enter plays the transition and
stops on the next slide; Left arrow, Page Up or Backspace goes straight back to the previous
slide; Home and End jump to the first and last slide; F toggles full screen. Pressing forward
during a transition skips to its end. Everything (style, script, the deck's file list) is
inline; the slides and clips sit beside it in slides/ and clips/, so the folder works from a
USB stick with no network.
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

INDEX = "index.html"
SLIDES_DIR = "slides"
CLIPS_DIR = "clips"


def slide_name(index: int, count: int, suffix: str = ".png") -> str:
    """Where slide `index` (0-based) of `count` lives, relative to the page."""
    return f"{SLIDES_DIR}/slide-{index + 1:0{_width(count)}d}{suffix}"


def clip_name(index: int, count: int) -> str:
    """Where transition `index` (0-based, slide index+1 to index+2) lives, relative to the page."""
    return f"{CLIPS_DIR}/transition-{index + 1:0{_width(count)}d}.mp4"


def _width(count: int) -> int:
    return max(2, len(str(count)))


def write_presenter(
    out_dir: Path, slides: Sequence[Path], clips: Sequence[Path], title: str
) -> Path:
    """Copy the slides and clips into `out_dir` and write its index.html; return that page."""
    if not slides or len(clips) != len(slides) - 1:
        raise ValueError("need N >= 1 slides and N - 1 clips")
    out_dir.mkdir(parents=True, exist_ok=True)
    slide_refs = [slide_name(i, len(slides), Path(s).suffix.lower()) for i, s in enumerate(slides)]
    clip_refs = [clip_name(i, len(slides)) for i in range(len(clips))]
    for source, ref in [*zip(slides, slide_refs, strict=True), *zip(clips, clip_refs, strict=True)]:
        target = out_dir / ref
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    page = out_dir / INDEX
    page.write_text(render_page(title, slide_refs, clip_refs), encoding="utf-8")
    return page


def render_page(title: str, slides: Sequence[str], clips: Sequence[str]) -> str:
    """The presenter page's HTML for these relative slide and clip paths."""
    deck = json.dumps({"title": title, "slides": list(slides), "clips": list(clips)})
    # "</" would end the script element early; JSON allows "<\/" for the same text.
    deck = deck.replace("</", "<\\/")
    return _PAGE.format(title=html.escape(title), deck=deck, style=_STYLE, script=_SCRIPT)


_STYLE = """
html, body { margin: 0; height: 100%; background: #000; overflow: hidden; }
#stage { position: fixed; inset: 0; cursor: pointer; }
#stage img, #stage video {
  position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain;
}
#stage video { visibility: hidden; }
#stage.playing video { visibility: visible; }
#counter {
  position: fixed; right: 12px; bottom: 12px; padding: 4px 8px; border-radius: 4px;
  font: 14px/1.2 system-ui, sans-serif; color: #fff; background: rgba(0, 0, 0, 0.5);
  opacity: 0.75; pointer-events: none;
}
#help {
  position: fixed; left: 12px; bottom: 12px; padding: 4px 8px; border-radius: 4px;
  font: 13px/1.2 system-ui, sans-serif; color: #fff; background: rgba(0, 0, 0, 0.5);
  transition: opacity 1s; pointer-events: none;
}
body.quiet #help { opacity: 0; }
"""

_SCRIPT = """
(function () {
  "use strict";
  var deck = JSON.parse(document.getElementById("deck").textContent);
  var stage = document.getElementById("stage");
  var img = document.getElementById("slide");
  var video = document.getElementById("clip");
  var counter = document.getElementById("counter");
  var current = 0;
  var playing = false;
  var cache = deck.slides.map(function (src) { var i = new Image(); i.src = src; return i; });

  function show(index) {
    current = Math.max(0, Math.min(index, deck.slides.length - 1));
    playing = false;
    img.src = deck.slides[current];
    img.alt = deck.title + " - " + (current + 1);
    counter.textContent = (current + 1) + " / " + deck.slides.length;
    document.body.setAttribute("data-slide", String(current + 1));
    document.body.setAttribute("data-state", "slide");
    var reveal = function () { stage.classList.remove("playing"); };
    if (img.decode) { img.decode().then(reveal, reveal); } else { reveal(); }
    if (current < deck.clips.length) {
      video.src = deck.clips[current];  // ready the next transition while this slide shows
      video.load();
    }
  }

  function forward() {
    if (playing) { show(current + 1); return; }
    if (current >= deck.slides.length - 1) { return; }
    if (current >= deck.clips.length) { show(current + 1); return; }
    playing = true;
    document.body.setAttribute("data-state", "transition");
    stage.classList.add("playing");
    try { video.currentTime = 0; } catch (e) { /* not loaded yet: plays from the start */ }
    var started = video.play();
    if (started && started.catch) {
      started.catch(function () { if (playing) { show(current + 1); } });
    }
  }

  function back() {
    if (playing) { show(current); return; }
    show(current - 1);
  }

  video.addEventListener("ended", function () { if (playing) { show(current + 1); } });
  video.addEventListener("error", function () { if (playing) { show(current + 1); } });
  stage.addEventListener("click", forward);
  document.addEventListener("keydown", function (event) {
    var key = event.key;
    if (key === "ArrowRight" || key === " " || key === "PageDown" || key === "Enter") {
      forward();
    } else if (key === "ArrowLeft" || key === "PageUp" || key === "Backspace") {
      back();
    } else if (key === "Home") {
      show(0);
    } else if (key === "End") {
      show(deck.slides.length - 1);
    } else if (key === "f" || key === "F") {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen();
      }
    } else {
      return;
    }
    event.preventDefault();
  });
  setTimeout(function () { document.body.classList.add("quiet"); }, 4000);
  window.presenter = { forward: forward, back: back, show: show, cache: cache };
  show(0);
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body data-slide="1" data-state="slide">
<main id="stage" aria-live="polite">
<img id="slide" alt="">
<video id="clip" muted playsinline preload="auto"></video>
</main>
<div id="counter"></div>
<div id="help">&rarr; / Space / click: next &middot; &larr;: back &middot; F: full screen</div>
<noscript><p style="color:#fff">This presenter needs JavaScript; the slides are in the
slides folder and the transitions in the clips folder.</p></noscript>
<script type="application/json" id="deck">{deck}</script>
<script>{script}</script>
</body>
</html>
"""
