"""The Deck tab's words in English and Simplified Chinese, added to the Studio's table at import.

Labels are translated in the browser (`texts.label`); what the server makes (progress, notices,
errors) is picked with `texts.say` from the request's language, like every other tab.
"""

from __future__ import annotations

from kling_ui.i18n import Text
from kling_ui.ui import texts

DECK_STRINGS: dict[str, Text] = {
    # Labels (translated in the browser)
    "deck_intro": Text(
        "Upload a PowerPoint file (.pptx), a PDF, several slide images or a ZIP of images. "
        "Every pair of neighbouring slides gets a Kling transition; the slides are held between "
        "them and everything is stitched into one presentation video, and written back as a "
        "PowerPoint where each slide is followed by its transition playing by itself. Speaker "
        "notes can steer the transition into their slide: words such as “zoom”, “chart” or "
        "“reveal”, or a line “Transition: …” in your own words.",
        "上传一个 PowerPoint 文件（.pptx）、一个 PDF、多张幻灯片图片或一个图片 ZIP。每两张相邻"
        "幻灯片之间生成一段可灵转场，幻灯片在转场之间停留，最后拼接成一个完整的演示视频，"
        "并写回一个 PowerPoint：每张幻灯片之后是自动播放的转场。演讲者备注可以引导进入该页的"
        "转场：例如“放大”“图表”“揭晓”等词，或一行“转场：……”写下您自己的描述。",
    ),
    "deck_files": Text(
        "Slides: a PowerPoint (.pptx), a PDF, several images, or a ZIP of images",
        "幻灯片：一个 PowerPoint（.pptx）、一个 PDF、多张图片或一个图片 ZIP",
    ),
    "deck_no_soffice": Text(
        "**PowerPoint (.pptx) input is not available here:** LibreOffice, which renders the "
        "slides, is not installed on this machine. Export the presentation as a PDF (File > "
        "Export > PDF) and upload that instead, or install LibreOffice (Debian package "
        "libreoffice-impress-nogui).",
        "**此处无法使用 PowerPoint（.pptx）文件：** 本机未安装用于渲染幻灯片的 LibreOffice。"
        "请将演示文稿导出为 PDF（文件 > 导出 > PDF）后上传，或安装 LibreOffice"
        "（Debian 软件包 libreoffice-impress-nogui）。",
    ),
    "deck_title": Text("Title (names the video file)", "标题（用作视频文件名）"),
    "deck_prompt_source": Text("Prompt for every transition", "每个转场的提示词"),
    "deck_settings_note": Text(
        "Model and mode belong to a deck: changing them opens a separate deck for the same "
        "slides (each keeps the clips it already made).",
        "模型和模式属于整套幻灯片：更改后会为同样的幻灯片打开另一套（各自保留已生成的片段）。",
    ),
    "deck_slides": Text("Slides in order", "幻灯片顺序"),
    "deck_order": Text(
        "Slide order: numbers separated by commas; leave a number out to drop that slide",
        "幻灯片顺序：用逗号分隔的编号；省略某个编号即可去掉该幻灯片",
    ),
    "deck_apply_order": Text("Apply order", "应用顺序"),
    "deck_hold": Text("Seconds each slide is held", "每张幻灯片停留的秒数"),
    "deck_negative": Text(
        "Negative prompt for every transition (what to avoid)",
        "每个转场的反向提示词（需要避免的内容）",
    ),
    "deck_hold_slide": Text("Slide with its own hold time", "单独设置停留时间的幻灯片"),
    "deck_hold_seconds": Text("Its seconds", "停留秒数"),
    "deck_apply_hold": Text("Apply to this slide", "应用到这张幻灯片"),
    "deck_reset_hold": Text("Reset to the deck's hold", "恢复为整套的停留时间"),
    "deck_new_take": Text(
        "New take: make identical transitions again",
        "重新拍摄：相同的转场也重新生成",
    ),
    "deck_table": Text(
        "Transitions: click a prompt to edit it",
        "转场列表：点击提示词即可修改",
    ),
    "deck_generate": Text("Generate deck", "生成整套视频"),
    "deck_progress": Text("Progress", "进度"),
    "deck_retry_pick": Text("Failed transition", "失败的转场"),
    "deck_retry": Text("Retry this transition alone", "只重试这个转场"),
    "deck_video": Text("Final video", "最终视频"),
    "deck_downloads": Text(
        "Downloads: the final MP4, a PowerPoint with the transitions inside, and a ZIP with "
        "everything (clips, slides, presenter page)",
        "下载：最终 MP4、内含转场的 PowerPoint，以及包含全部内容（片段、幻灯片、演示页面）的 ZIP",
    ),
    # Server-made text
    "deck_auto_prompt": Text(
        "Automatic: chosen for each pair of slides",
        "自动：按每组幻灯片分别选择",
    ),
    "deck_col_number": Text("#", "序号"),
    "deck_col_slides": Text("Slides", "幻灯片"),
    "deck_col_strategy": Text("Strategy", "策略"),
    "deck_col_prompt": Text("Prompt", "提示词"),
    "deck_strategy_in_place": Text("In place", "原地演变"),
    "deck_strategy_camera": Text("Camera move", "镜头运动"),
    "deck_cue": Text("notes: {cue}", "备注：{cue}"),
    "deck_notes_heading": Text(
        "Speaker notes (the notes of a slide steer the transition into it)",
        "演讲者备注（每页的备注会引导进入该页的转场）",
    ),
    "deck_status_pending": Text("Not started", "未开始"),
    "deck_empty": Text(
        "Upload a PowerPoint file, a PDF, several images or a ZIP to start a deck.",
        "上传 PowerPoint 文件、PDF、多张图片或 ZIP 即可开始。",
    ),
    "deck_summary": Text(
        "**{title}**: {slides}, {transitions} · {model}, {mode}, {duration} s",
        "**{title}**：{slides}，{transitions} · {model}，{mode}，{duration} 秒",
    ),
    "count_slide_one": Text("1 slide", "1 张幻灯片"),
    "count_slide": Text("{n} slides", "{n} 张幻灯片"),
    "count_transition_one": Text("1 transition", "1 个转场"),
    "count_transition": Text("{n} transitions", "{n} 个转场"),
    "deck_open_presenter": Text("Open the presenter page", "打开演示页面"),
    "deck_presenter_hint": Text(
        "(in a new tab: click or press Space to play each transition)",
        "（在新标签页中打开：点击或按空格键播放每个转场）",
    ),
    "deck_order_note": Text(
        "Slides come in the order you picked the files (a PDF or PowerPoint keeps its own page "
        "order). Type another order below to change it.",
        "幻灯片按您选择文件的先后顺序排列（PDF 或 PowerPoint 保持其自身的页序）。"
        "可在下方输入新的顺序进行调整。",
    ),
    "deck_left_out": Text("Left out: {slides}", "已去掉：{slides}"),
    "deck_own_holds": Text(
        "Held {seconds} s, except slides {holds}",
        "每张停留 {seconds} 秒，以下幻灯片除外：{holds}",
    ),
    "deck_negative_applied": Text(
        "Transitions {numbers} will be made with the new negative prompt.",
        "第 {numbers} 个转场将使用新的反向提示词生成。",
    ),
    "deck_hold_saved": Text(
        "Slide {slide} is now held for {seconds} s.",
        "幻灯片 {slide} 现在停留 {seconds} 秒。",
    ),
    "deck_hold_reset": Text(
        "Slide {slide} follows the deck's hold time again ({seconds} s).",
        "幻灯片 {slide} 已恢复为整套的停留时间（{seconds} 秒）。",
    ),
    "deck_opened": Text(
        "Opened “{title}”: {slides}, {transitions}.",
        "已打开“{title}”：{slides}，{transitions}。",
    ),
    "deck_resumed": Text(
        "{done} of {total} were already made and will be reused.",
        "{total}中已有 {done} 个完成，将直接复用。",
    ),
    "deck_queued": Text(
        "{count} handed to the engine; the rest are already made or in flight.",
        "已将 {count}交给任务引擎；其余的已完成或正在生成。",
    ),
    "deck_nothing_new": Text(
        "Every transition is already made or in flight: nothing new is paid for.",
        "所有转场都已完成或正在生成，不会产生新的费用。",
    ),
    "deck_waiting_note": Text(
        "Waiting for room, starting by themselves as your earlier jobs finish: {count} "
        "(at most {limit} of your jobs wait or run at once).",
        "等待空位、将在您之前的任务完成后自动开始：{count}"
        "（您同时排队或进行中的任务最多 {limit} 个）。",
    ),
    "deck_retried": Text("Transition {pair} is running again.", "转场 {pair} 已重新开始。"),
    "deck_nothing_to_retry": Text(
        "Transition {pair} has not failed, so there is nothing to retry.",
        "转场 {pair} 没有失败，无需重试。",
    ),
    "deck_order_saved": Text("New order: {order}.", "新顺序：{order}。"),
    "deck_prompts_saved": Text(
        "Saved the prompt of transition {numbers}.",
        "已保存第 {numbers} 个转场的提示词。",
    ),
    "deck_duration_applied": Text(
        "Transitions {numbers} will be made at {duration} s.",
        "第 {numbers} 个转场将按 {duration} 秒生成。",
    ),
    "deck_defaults_applied": Text(
        "Updated the prompts you had not edited ({numbers}).",
        "已更新您未修改过的提示词（{numbers}）。",
    ),
    "deck_assembling": Text("Assembling the final video…", "正在拼接最终视频……"),
    "deck_ready": Text(
        "The final video is ready ({seconds} s).", "最终视频已完成（{seconds} 秒）。"
    ),
    "deck_assembly_failed": Text(
        "Could not assemble the final video: {error}",
        "无法拼接最终视频：{error}",
    ),
    "deck_needs_files": Text(
        "The slides are no longer in the upload box, so the deck cannot be opened with the "
        "new model or mode.",
        "上传框中已没有幻灯片文件，无法以新的模型或模式打开。",
    ),
    "deck_needs_files_remedy": Text(
        "Upload the same slides again; the deck made before is found again.",
        "请重新上传同样的幻灯片；之前的进度会自动找回。",
    ),
    "deck_no_retry_pick": Text("Choose a failed transition first.", "请先选择一个失败的转场。"),
}

texts.add_strings(DECK_STRINGS)
