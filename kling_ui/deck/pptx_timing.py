"""The slide-show XML python-pptx does not write: a video that plays by itself when its slide
comes in, and a slide that moves on by itself when the video ends.

`python-pptx`'s `add_movie` writes only the media node (the video plays when clicked). A video
set to "Start: Automatically" in PowerPoint is saved as a `mediacall` effect in the slide's main
sequence, run after the slide begins, calling `playFrom(0.0)` on the video shape for the clip's
length, beside the media node itself:

    p:timing / p:tnLst / p:par / p:cTn[tmRoot] / p:childTnLst
        p:seq[mainSeq]  par > par > par[mediacall, afterEffect] > p:cmd[call playFrom(0.0)]
        p:video / p:cMediaNode / p:cTn + p:tgtEl(spTgt spid)

"Advance slide: After <t>" with "On Mouse Click" unticked is `<p:transition advClick="0"
advTm="<ms>"/>` (ECMA-376 §19.3.1.50), placed before `p:timing` in the slide.
"""

from __future__ import annotations

from lxml import etree
from pptx.oxml import parse_xml

P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
_P = f"{{{P_NS}}}"
# Children of p:sld in schema order; p:transition and p:timing come after these two.
_BEFORE_TRANSITION = (f"{_P}cSld", f"{_P}clrMapOvr")

_TIMING = """<p:timing xmlns:p="{ns}"><p:tnLst><p:par>
<p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst>
<p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq">
<p:childTnLst><p:par><p:cTn id="3" fill="hold"><p:stCondLst><p:cond delay="indefinite"/>
<p:cond evt="onBegin" delay="0"><p:tn val="2"/></p:cond></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="4" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="5" presetID="1" presetClass="mediacall" presetSubtype="0" fill="hold"
 nodeType="afterEffect"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
<p:cmd type="call" cmd="playFrom(0.0)"><p:cBhvr><p:cTn id="6" dur="{ms}" fill="hold"/>
<p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl></p:cBhvr></p:cmd>
</p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par>
</p:childTnLst></p:cTn>
<p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond>
</p:prevCondLst><p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl>
</p:cond></p:nextCondLst></p:seq>
<p:video><p:cMediaNode vol="80000"><p:cTn id="7" fill="hold" display="0"><p:stCondLst>
<p:cond delay="indefinite"/></p:stCondLst></p:cTn><p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl>
</p:cMediaNode></p:video>
</p:childTnLst></p:cTn></p:par></p:tnLst></p:timing>"""

_TRANSITION = '<p:transition xmlns:p="{ns}" spd="fast" advClick="0" advTm="{ms}"/>'


def autoplay_timing(spid: int, duration_ms: int) -> etree._Element:
    """`p:timing` that plays the video shape `spid` from its start as the slide comes in."""
    xml = _TIMING.format(ns=P_NS, spid=int(spid), ms=max(1, int(duration_ms)))
    return parse_xml(xml.replace("\n", ""))


def advance_after(duration_ms: int) -> etree._Element:
    """`p:transition` that moves to the next slide after `duration_ms`, not on a click."""
    return parse_xml(_TRANSITION.format(ns=P_NS, ms=max(0, int(duration_ms))))


def play_and_advance(slide_element: etree._Element, spid: int, duration_ms: int) -> None:
    """Make a slide play its video `spid` by itself and move on when it ends: its
    `p:transition` and `p:timing` are replaced (in schema order, after `p:clrMapOvr`)."""
    for tag in ("transition", "timing"):
        for old in slide_element.findall(f"{_P}{tag}"):
            slide_element.remove(old)
    anchor = None
    for child in slide_element:
        if child.tag in _BEFORE_TRANSITION:
            anchor = child
    position = 0 if anchor is None else slide_element.index(anchor) + 1
    slide_element.insert(position, advance_after(duration_ms))
    slide_element.insert(position + 1, autoplay_timing(spid, duration_ms))
