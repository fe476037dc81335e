"""The Studio's look: a calm Gradio theme and the CSS for its own pieces.

The theme keeps labels as plain, quiet text (no coloured badge on every label), uses the
system's proportional font everywhere (tables included, CJK fallbacks, no web fonts)
and tighter spacing, so the Studio's inputs, Generate and the latest result fit one
1440x900 screen. The CSS styles the job list, notices, the result panel and the phone
layout (390 px wide: result first, tables that scroll inside themselves, no page overflow).
"""

from __future__ import annotations

import gradio as gr

FONT = (
    "ui-sans-serif",
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Roboto",
    "Helvetica Neue",
    "Arial",
    "Noto Sans",
    "PingFang SC",
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "sans-serif",
)
FONT_MONO = ("ui-monospace", "SFMono-Regular", "Consolas", "Liberation Mono", "monospace")


def studio_theme() -> gr.themes.Base:
    """A calm theme with an indigo accent and quiet labels (handed to `launch(theme=...)`)."""
    theme = gr.themes.Default(
        primary_hue="indigo",
        secondary_hue="indigo",
        neutral_hue="slate",
        spacing_size="sm",
        radius_size="md",
        text_size="md",
        font=FONT,
        font_mono=FONT_MONO,
    )
    return theme.set(
        body_background_fill="*neutral_50",
        background_fill_primary="white",
        block_background_fill="white",
        block_border_width="1px",
        block_border_color="*neutral_200",
        block_shadow="none",
        block_padding="*spacing_lg",
        # Labels: quiet text, never a coloured badge.
        block_label_background_fill="white",
        block_label_text_color="*neutral_600",
        block_label_text_weight="600",
        block_label_text_size="*text_sm",
        block_label_border_width="0px",
        block_label_shadow="none",
        block_title_background_fill="none",
        block_title_text_color="*neutral_700",
        block_title_text_weight="600",
        block_title_text_size="*text_sm",
        block_title_padding="0",
        block_info_text_color="*neutral_500",
        block_info_text_size="*text_sm",
        input_background_fill="white",
        input_border_color="*neutral_300",
        input_shadow="none",
        # Buttons: the accent only on the one primary action of a screen.
        button_border_width="1px",
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
        button_primary_border_color="*primary_600",
        button_primary_text_color="white",
        button_secondary_background_fill="white",
        button_secondary_background_fill_hover="*neutral_100",
        button_secondary_border_color="*neutral_300",
        button_secondary_text_color="*neutral_800",
        button_large_padding="*spacing_lg *spacing_xl",
        checkbox_label_background_fill="white",
        checkbox_label_background_fill_selected="*primary_50",
        checkbox_label_border_color="*neutral_300",
        checkbox_label_border_color_selected="*primary_400",
        checkbox_label_border_width="1px",
        checkbox_label_text_color_selected="*primary_800",
        checkbox_background_color_selected="*primary_600",
        checkbox_border_color_selected="*primary_600",
    )


STUDIO_CSS = """
.gradio-container { max-width: 1400px !important; }
/* The page head: title and tagline on one line, the keys banner under it. */
#kts-head { align-items: baseline; gap: 14px; flex-wrap: wrap; }
#kts-head > * { flex: 0 1 auto !important; min-width: 0 !important; width: auto !important; }
#kts-head h1 { font-size: 1.35rem; margin: 0; }
#kts-head p { margin: 0; color: var(--body-text-color-subdued); }
#kts-swap-col { justify-content: center; }
#kts-swap { flex-grow: 0 !important; height: auto !important; }
#kts-hint { font-size: 0.88em; }
#kts-hint p { margin: 0; }
#kts-length { font-size: 0.82em; color: var(--body-text-color-subdued); text-align: right;
  margin-top: -6px; }
#kts-generate-col { gap: 6px; }
.kts-banner { padding: 6px 12px; border-radius: 8px; margin: 2px 0; font-size: 0.9em; }
.kts-banner-demo { background: #eef2ff; color: #3730a3; border: 1px solid #c7d2fe; }
.kts-banner-keys { background: #fff7ed; color: #9a3412; border: 1px solid #fed7aa; }
/* Notices: what a handler has to say, next to what it is about. */
.block.kts-hide-empty:has(.prose:empty) { display: none !important; }
.kts-say { padding: 6px 10px; border-radius: 6px; font-size: 0.92em; }
.kts-say-error { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; }
.kts-say-info { background: #f0fdf4; color: #166534; border: 1px solid #bbf7d0; }
.kts-say-note { background: #fffbeb; color: #92400e; border: 1px solid #fde68a; }
/* The job list. */
.kts-jobs { display: flex; flex-direction: column; gap: 6px; }
.kts-empty { color: var(--body-text-color-subdued); padding: 6px 0; }
.kts-job { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 10px;
  background: white; }
.kts-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.kts-badge { font-weight: 600; white-space: nowrap; }
.kts-title { flex: 1; min-width: 10em; overflow-wrap: anywhere; }
.kts-id { font-size: 0.75em; opacity: 0.6; }
.kts-keys { font-size: 0.8em; color: var(--body-text-color-subdued); }
.kts-bar { height: 5px; background: var(--neutral-200); border-radius: 3px; margin: 5px 0; }
.kts-bar > div { height: 100%; background: var(--color-accent); border-radius: 3px;
  transition: width 0.8s linear; }
.kts-done .kts-bar > div { background: #16a34a; }
.kts-failed .kts-bar > div, .kts-cancelled .kts-bar > div { background: #dc2626; }
.kts-meta { font-size: 0.85em; color: var(--body-text-color-subdued); }
.kts-msg { font-size: 0.85em; margin-top: 2px; }
.kts-error { color: #b91c1c; }
.kts-detail dt { font-weight: 600; margin-top: 6px; }
.kts-detail dd { margin: 0 0 0 0; overflow-wrap: anywhere; white-space: pre-wrap; }
.kts-lab-cell { min-height: 2.5em; }
.kts-problems { color: #b91c1c; }
.kts-note { color: #92400e; }
.kts-frame-report ul { margin: 0; padding-left: 1.1em; font-size: 0.85em; }
#kts-cancel-row { align-items: flex-end; }
/* Buttons as wide as their words, unless a layout stretches them on purpose. */
.kts-fit-button { flex-grow: 0 !important; min-width: max-content !important;
  width: auto !important; align-self: flex-end; }
#kts-generate { min-height: 44px; font-size: 1.05em; }
/* The result panel: the latest video large, its caption, the before/after switch. */
#kts-latest video { max-height: 330px; }
#kts-result-caption { font-size: 0.88em; color: var(--body-text-color-subdued); }
#kts-result-caption p { margin: 0; }
/* Tables: the page's own font, readable headers; narrow screens scroll inside the table. */
.kts-table table, .kts-table th, .kts-table td, .kts-table span, .kts-table textarea,
.kts-table input { font-family: var(--font) !important; }
.kts-table th { white-space: nowrap; }
/* Deck: the presenter link and the small print. */
.kts-presenter { padding: 4px 2px; }
.kts-presenter a { font-weight: 600; }
.kts-small { font-size: 0.85em; color: var(--body-text-color-subdued); }
.kts-small p { margin: 0; }
#kts-deck-intro { font-size: 0.92em; }
/* Phone: one column, the result first, nothing wider than the screen. */
@media (max-width: 720px) {
  .gradio-container { padding: 0 6px !important; }
  #kts-tagline { display: none; }
  #kts-head h1 { font-size: 1.15rem; }
  .kts-banner { font-size: 0.82em; padding: 4px 8px; }
  #kts-result-view label { padding: 2px 8px !important; }
  #kts-studio-main { flex-direction: column; }
  #kts-studio-result { order: -1; }
  #kts-latest video { max-height: 240px; }
  #kts-hint-row { flex-wrap: wrap; }
  #kts-hint-row > * { min-width: 100% !important; }
  /* Tables keep their key columns on a phone: the deck's slides and prompt, the history's
     status, prompt and time. */
  #kts-deck-table .header-table th:is(:nth-child(1), :nth-child(3)),
  #kts-deck-table .sizing-body td:is(:nth-child(1), :nth-child(3)),
  #kts-deck-table .virtual-row > .body-cell:is(:nth-child(1), :nth-child(3)),
  #kts-history .header-table th:is(:nth-child(1), :nth-child(4), :nth-child(6)),
  #kts-history .sizing-body td:is(:nth-child(1), :nth-child(4), :nth-child(6)),
  #kts-history .virtual-row > .body-cell:is(:nth-child(1), :nth-child(4), :nth-child(6)) {
    display: none !important; }
  .kts-table .header-table { width: 100% !important; table-layout: fixed; }
  #kts-deck-table .header-table th:nth-child(2), #kts-deck-table .sizing-body td:nth-child(2),
  #kts-history .header-table th:nth-child(2), #kts-history .sizing-body td:nth-child(2) {
    width: 84px !important; min-width: 84px !important; max-width: 84px !important; }
  #kts-deck-table .virtual-row > .body-cell:nth-child(2),
  #kts-history .virtual-row > .body-cell:nth-child(2) {
    flex: 0 0 84px !important; width: 84px !important; }
  #kts-history .header-table th:nth-child(5), #kts-history .sizing-body td:nth-child(5) {
    width: 56px !important; min-width: 56px !important; max-width: 56px !important; }
  #kts-history .virtual-row > .body-cell:nth-child(5) {
    flex: 0 0 56px !important; width: 56px !important; }
  #kts-deck-table .header-table th:nth-child(4), #kts-deck-table .sizing-body td:nth-child(4),
  #kts-history .header-table th:nth-child(3), #kts-history .sizing-body td:nth-child(3) {
    width: auto !important; min-width: 0 !important; max-width: none !important; }
  #kts-deck-table .virtual-row > .body-cell:nth-child(4),
  #kts-history .virtual-row > .body-cell:nth-child(3) {
    flex: 1 1 0 !important; width: auto !important; min-width: 0 !important; }
  .tab-container, .tabs { overflow-x: auto; }
}
"""
