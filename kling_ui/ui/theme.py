"""The Studio's look: a Gradio theme and a little CSS for the job list and banners."""

from __future__ import annotations

import gradio as gr


def studio_theme() -> gr.themes.Base:
    """A calm theme with an indigo accent (handed to `launch(theme=...)`)."""
    return gr.themes.Soft(primary_hue="indigo", secondary_hue="pink", neutral_hue="slate")


STUDIO_CSS = """
.kts-banner { padding: 10px 14px; border-radius: 8px; margin: 4px 0; font-weight: 500; }
.kts-banner-demo { background: #eef2ff; color: #3730a3; border: 1px solid #c7d2fe; }
.kts-banner-keys { background: #fff7ed; color: #9a3412; border: 1px solid #fed7aa; }
.kts-jobs { display: flex; flex-direction: column; gap: 8px; }
.kts-empty { color: var(--body-text-color-subdued); padding: 8px 0; }
.kts-job { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 12px; }
.kts-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.kts-badge { font-weight: 600; white-space: nowrap; }
.kts-title { flex: 1; min-width: 12em; overflow-wrap: anywhere; }
.kts-id { font-size: 0.75em; opacity: 0.6; }
.kts-bar { height: 6px; background: var(--neutral-200); border-radius: 3px; margin: 6px 0; }
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
#kts-cancel-row { align-items: flex-end; }
"""
