"""Every word the Studio shows, in English and Simplified Chinese, in one place.

Labels of components are translated in the browser through `gr.I18n` (`label(key)`), so a
page follows the browser's language without a round trip. Text made on the server (job
status lines, reports, errors) is picked with `say(key, lang)` from the request's
Accept-Language header, so both halves of the page speak the same language.
"""

from __future__ import annotations

from collections.abc import Mapping

import gradio as gr
from gradio.i18n import I18nData

from kling_ui.i18n import Text

# key -> Text(English, Simplified Chinese)
STRINGS: dict[str, Text] = {
    # Page and tabs
    "app_title": Text("Kling Transition Studio", "可灵转场工作室"),
    "app_tagline": Text(
        "Turn two slides into a cinematic transition with Kling's image-to-video API.",
        "用可灵图生视频接口，把两张幻灯片变成电影感的转场视频。",
    ),
    "tab_studio": Text("Studio", "工作室"),
    "tab_deck": Text("Deck", "整套幻灯片"),
    "tab_lab": Text("Prompt lab", "提示词实验室"),
    "tab_history": Text("History", "历史记录"),
    "tab_settings": Text("Settings", "设置"),
    "demo_banner": Text(
        "Demo mode: no Kling keys are configured, so an embedded simulator makes the videos "
        "(a marked cross-fade). Nothing is sent to Kling and nothing is paid for.",
        "演示模式：未配置可灵密钥，视频由内置模拟器生成（带标记的交叉淡化），"
        "不会发送到可灵，也不会产生费用。",
    ),
    "space_keys_banner": Text(
        "This shared deployment has no login, so its own Kling keys are switched off. "
        "Enter your own keys in the Settings tab to generate videos.",
        "此共享部署未开启登录，因此不会使用部署者的可灵密钥。请在“设置”页填写您自己的密钥后再生成视频。",
    ),
    # Studio: frames
    "first_frame": Text("First frame", "首帧"),
    "last_frame": Text("Last frame (optional)", "尾帧（可选）"),
    "swap_frames": Text("⇄ Swap", "⇄ 交换"),
    "fit": Text("When a frame's shape differs", "画面比例不一致时"),
    "fit_fit": Text("Fit inside (pad)", "完整放入（留边）"),
    "fit_cover": Text("Fill (crop)", "铺满（裁切）"),
    "fit_stretch": Text("Stretch", "拉伸"),
    "strategy": Text("Strategy for this pair", "本组画面的转场策略"),
    "apply_suggestion": Text("Use the suggested prompt parts", "采用建议的提示词"),
    # Studio: prompt builder
    "prompt_builder": Text("Prompt builder", "提示词构建"),
    "prompt_language": Text("Prompt language", "提示词语言"),
    "template": Text("Start from", "起点模板"),
    "none_preset": Text("— none —", "— 不使用 —"),
    "part_camera": Text("Camera move", "镜头运动"),
    "part_subject": Text("Subject change", "主体变化"),
    "part_environment": Text("Environment", "环境"),
    "part_text_stability": Text("Text stability", "文字稳定"),
    "part_extra": Text("Anything else", "其他补充"),
    "preset": Text("Preset", "预设"),
    "prompt_preview": Text("Final prompt sent to Kling", "最终发送给可灵的提示词"),
    "negative_prompt": Text("Negative prompt", "反向提示词"),
    "negative_placeholder": Text(
        "What must not appear, e.g. blurry text, distorted faces",
        "不希望出现的内容，例如：文字模糊、人脸变形",
    ),
    "model": Text("Model", "模型"),
    "mode": Text("Mode", "模式"),
    "duration": Text("Duration (seconds)", "时长（秒）"),
    "new_take": Text(
        "New take (run again even if an identical video exists)",
        "新一版（即使已有相同视频也重新生成）",
    ),
    "generate": Text("Generate", "生成"),
    "jobs": Text("Jobs", "任务"),
    "latest_video": Text("Latest video", "最新视频"),
    # Prompt lab
    "lab_intro": Text(
        "One frame pair, two or three prompts at once: compare the results side by side, "
        "mark the best and keep its prompt as a preset.",
        "同一组首尾帧，同时尝试两到三个提示词：并排比较结果，标记最佳，并把它的提示词存为预设。",
    ),
    "lab_use_studio_frames": Text("Use the Studio's frames", "使用工作室中的首尾帧"),
    "lab_variant_count": Text("Variants", "变体数量"),
    "lab_fill": Text("Fill variants from presets", "用预设填充各变体"),
    "lab_variant_a": Text("Variant A", "变体 A"),
    "lab_variant_b": Text("Variant B", "变体 B"),
    "lab_variant_c": Text("Variant C", "变体 C"),
    "lab_settings_note": Text(
        "Model, mode, duration and negative prompt come from the Studio tab.",
        "模型、模式、时长和反向提示词沿用“工作室”页的设置。",
    ),
    "lab_generate": Text("Generate variants", "生成全部变体"),
    "lab_mark_best": Text("Mark as best", "标记为最佳"),
    "lab_preset_name": Text("Preset name", "预设名称"),
    "lab_save_preset": Text("Save the best prompt as a preset", "将最佳提示词保存为预设"),
    # History
    "history_status": Text("Status", "状态"),
    "history_search": Text("Search prompts, names and errors", "搜索提示词、名称和错误"),
    "history_refresh": Text("Refresh", "刷新"),
    "history_table": Text("Every video made here, newest first", "在此生成的所有视频（最新在前）"),
    "history_detail": Text("Selected job", "所选任务"),
    "history_video": Text("Video", "视频"),
    "history_reuse": Text("Use these settings again", "再次使用这些设置"),
    "history_cancel": Text("Cancel this job", "取消此任务"),
    "history_pick": Text(
        "Select a row to see its frames, prompt and video.",
        "选择一行以查看其帧、提示词和视频。",
    ),
    # Settings
    "settings_endpoint": Text("Endpoint and keys", "接口与密钥"),
    "settings_browser_keys": Text("Your own keys for this browser", "本浏览器专用的密钥"),
    "settings_browser_keys_info": Text(
        "Enter either your Access key and Secret key, or a single API key. Kling checks them "
        "before they are kept, in this browser only (encrypted in its local storage), for the "
        "jobs started here. The page never shows them again.",
        "请填写 Access Key 与 Secret Key 这一对，或一个 API Key。保存前会先向可灵核验；"
        "密钥仅保存在本浏览器中（加密存放于本地存储），只用于在此发起的任务，页面不会再次显示。",
    ),
    "access_key": Text("Access key", "Access Key"),
    "secret_key": Text("Secret key", "Secret Key"),
    "api_key": Text("Or a single API key", "或填写一个 API Key"),
    "save_keys": Text("Save for this browser", "保存到本浏览器"),
    "forget_keys": Text("Forget this browser's keys", "清除本浏览器的密钥"),
    "settings_language": Text(
        "The page follows your browser's language (English or 简体中文).",
        "页面语言跟随浏览器设置（English 或简体中文）。",
    ),
    "settings_engine": Text("Engine", "任务引擎"),
    # Server-made text (status, reports, notices)
    "filter_all": Text("All", "全部"),
    "filter_active": Text("In progress", "进行中"),
    "queue_position": Text("#{position} in the queue", "排队第 {position} 位"),
    "elapsed": Text("{elapsed} elapsed", "已用 {elapsed}"),
    "estimate_left": Text("about {left} left", "预计还需 {left}"),
    "estimate_overdue": Text("taking longer than usual", "比平时更久"),
    "took": Text("took {took}", "用时 {took}"),
    "no_jobs": Text(
        "No jobs yet. Upload a first frame and press Generate.",
        "还没有任务。上传首帧后点击“生成”。",
    ),
    "reused": Text("(an identical earlier job answered)", "（复用了相同的已有任务）"),
    "job_queued": Text("Job {job} is queued.", "任务 {job} 已加入队列。"),
    "job_reused": Text(
        "An identical job ({job}) already exists, so nothing new is paid for. "
        "Tick “New take” to run it again.",
        "已有相同任务（{job}），不会重复付费。如需重新生成，请勾选“新一版”。",
    ),
    "lab_queued": Text("{count} variants are queued.", "已将 {count} 个变体加入队列。"),
    "lab_need_prompts": Text(
        "Write at least two different prompt variants.",
        "请至少填写两个不同的提示词变体。",
    ),
    "lab_marked": Text("Marked as the best of this run.", "已标记为本轮最佳。"),
    "lab_nothing_yet": Text("No result yet.", "还没有结果。"),
    "lab_no_best": Text(
        "Mark one finished variant as the best first.",
        "请先把一个已完成的变体标记为最佳。",
    ),
    "lab_not_done": Text(
        "This variant has no video yet: mark it once it is done.",
        "该变体还没有视频：完成后再标记。",
    ),
    "lab_saved": Text("Saved the preset “{name}”.", "已保存预设“{name}”。"),
    "no_first_frame": Text("Upload a first frame first.", "请先上传首帧。"),
    "no_first_frame_remedy": Text(
        "Drop a slide image (PNG or JPEG) on “First frame”.",
        "请把一张幻灯片图片（PNG 或 JPEG）拖到“首帧”。",
    ),
    "prompt_length": Text("{length} / {limit} characters", "{length} / {limit} 个字符"),
    "prompt_too_long": Text(
        "{length} / {limit} characters: too long, shorten it.",
        "{length} / {limit} 个字符：太长了，请缩短。",
    ),
    "cost_units": Text(
        "Estimated cost: about {units} units per run ({model}, {mode}, {duration} s).",
        "预计费用：每次约 {units} 个单位（{model}，{mode}，{duration} 秒）。",
    ),
    "cost_unknown": Text(
        "Cost: not known for these settings; Kling reports it after the run.",
        "费用：暂无此设置的价格，运行后以可灵返回为准。",
    ),
    "cost_demo": Text(
        "Cost: free (simulator). With real keys this would be about {units} units.",
        "费用：免费（模拟器）。使用真实密钥时约为 {units} 个单位。",
    ),
    "tail_rule": Text(
        "With a last frame, {model} makes only: {combos}.",
        "使用尾帧时，{model} 仅支持：{combos}。",
    ),
    "cannot_submit": Text("Cannot generate yet: {reasons}", "暂时无法生成：{reasons}"),
    "keys_saved": Text(
        "Saved ({state}). Jobs from this browser now use account {account}.",
        "已保存（{state}）。本浏览器发起的任务将使用账户 {account}。",
    ),
    "keys_refused": Text(
        "Kling refused these keys{code}: they are wrong, revoked, or not for {endpoint}. "
        "Nothing was saved.",
        "可灵拒绝了这些密钥{code}：密钥有误、已被撤销，或不适用于 {endpoint}。未保存任何内容。",
    ),
    "keys_refused_remedy": Text(
        "Copy them again from the API keys page of the Kling console.",
        "请从可灵控制台的 API 密钥页面重新复制。",
    ),
    "keys_checking": Text("being checked with Kling", "正在向可灵核验"),
    "keys_status_browser_state": Text(
        "This browser uses its own keys (account {account}): {state}.",
        "本浏览器使用自己的密钥（账户 {account}）：{state}。",
    ),
    "keys_status_shared_state": Text(
        "This browser uses the deployment's keys: {state}.",
        "本浏览器使用部署者配置的密钥：{state}。",
    ),
    "banner_account": Text("account {account}", "账户 {account}"),
    "banner_own": Text(
        "Your own Kling keys ({detail}): each video is paid from your Kling account.",
        "正在使用您自己的可灵密钥（{detail}）：每个视频都从您的可灵账户扣费。",
    ),
    "banner_shared": Text(
        "The shared Kling keys of this Studio ({state}): each video is paid from the "
        "operator's Kling account.",
        "正在使用本工作室的共享可灵密钥（{state}）：每个视频都从部署者的可灵账户扣费。",
    ),
    "banner_shared_refused": Text(
        "The shared Kling keys of this Studio were refused by Kling, so jobs on them fail. "
        "Enter your own keys in the Settings tab, or ask the operator to fix them.",
        "本工作室的共享可灵密钥被可灵拒绝，使用它们的任务会失败。请在“设置”页填写您自己的密钥，"
        "或请部署者修正。",
    ),
    "banner_needed": Text(
        "No Kling keys for this browser yet: enter your own in the Settings tab to generate "
        "videos.",
        "本浏览器尚无可灵密钥：请在“设置”页填写您自己的密钥后再生成视频。",
    ),
    "cost_paid_own": Text("Paid from your own Kling account.", "从您自己的可灵账户扣费。"),
    "cost_paid_shared": Text(
        "Paid from this Studio's shared Kling keys.",
        "由本工作室的共享可灵密钥扣费。",
    ),
    "cost_demo_unknown": Text("Cost: free (simulator).", "费用：免费（模拟器）。"),
    "runs_on_demo": Text("demo simulator", "演示模拟器"),
    "runs_on_own": Text("your keys", "您的密钥"),
    "runs_on_shared": Text("shared keys", "共享密钥"),
    "detail_keys": Text("Keys", "密钥"),
    "unreachable_retry": Text(
        "Kling has not answered since {since}; next try in {seconds} s. The Studio never "
        "sends a task twice.",
        "可灵自 {since} 起没有响应；{seconds} 秒后重试。工作室绝不会重复提交任务。",
    ),
    "unreachable_now": Text(
        "Kling has not answered since {since}; trying again now. The Studio never sends a "
        "task twice.",
        "可灵自 {since} 起没有响应；正在重试。工作室绝不会重复提交任务。",
    ),
    "server_keys_state": Text("Server keys: set, {state}", "服务器密钥：已设置，{state}"),
    "keys_forgotten": Text(
        "This browser's keys are forgotten.",
        "已清除本浏览器的密钥。",
    ),
    "keys_status_browser": Text(
        "This browser uses its own keys (account {account}).",
        "本浏览器使用自己的密钥（账户 {account}）。",
    ),
    "keys_status_shared": Text(
        "This browser uses the deployment's keys.",
        "本浏览器使用部署者配置的密钥。",
    ),
    "keys_status_demo": Text(
        "This browser uses the embedded simulator (no keys needed).",
        "本浏览器使用内置模拟器（无需密钥）。",
    ),
    "keys_status_needed": Text(
        "This browser has no keys yet: enter your own below to generate videos.",
        "本浏览器尚无密钥：请在下方填写您自己的密钥后再生成视频。",
    ),
    "keys_endpoint": Text(
        "Keys entered here are used with {endpoint}.",
        "在此填写的密钥将用于 {endpoint}。",
    ),
    "endpoint_line": Text("Endpoint: {endpoint}", "接口：{endpoint}"),
    "server_keys_set": Text("Server keys: set", "服务器密钥：已设置"),
    "server_keys_unset": Text("Server keys: not set", "服务器密钥：未设置"),
    "auth_on": Text("Login: on", "登录：已开启"),
    "auth_off": Text("Login: off", "登录：未开启"),
    "engine_line": Text(
        "Slots per account: {pool}. Running: {running}. Queued: {queued}. Done: {done}. "
        "Failed: {failed}.",
        "每个账户的并发名额：{pool}。运行中：{running}。排队：{queued}。已完成：{done}。失败：{failed}。",
    ),
    "detail_prompt": Text("Prompt", "提示词"),
    "detail_negative": Text("Negative prompt", "反向提示词"),
    "detail_settings": Text("Settings", "参数"),
    "detail_timings": Text("Timings", "耗时"),
    "detail_error": Text("Error", "错误"),
    "detail_remedy": Text("What to do", "处理建议"),
    "detail_units": Text("Cost", "费用"),
    "units_paid": Text("{units} units", "{units} 个单位"),
    "detail_created": Text("created", "创建"),
    "detail_submitted": Text("accepted by Kling", "可灵接收"),
    "detail_finished": Text("finished", "结束"),
    "detail_job": Text("Job", "任务"),
    "col_when": Text("When", "时间"),
    "col_status": Text("Status", "状态"),
    "col_name": Text("Prompt", "提示词"),
    "col_settings": Text("Settings", "参数"),
    "col_time": Text("Time", "耗时"),
    "col_error": Text("Error", "错误"),
    "cancelled_notice": Text("Job {job} is cancelled.", "任务 {job} 已取消。"),
    "settings_applied": Text(
        "The Studio now holds this job's settings.",
        "已将该任务的设置载入工作室。",
    ),
    "unexpected": Text(
        "Something went wrong on the server ({kind}).",
        "服务器出现问题（{kind}）。",
    ),
    "unexpected_remedy": Text(
        "Try again; if it keeps happening, the server log has the details.",
        "请重试；如果反复出现，请查看服务器日志。",
    ),
    "advanced": Text(
        "Advanced: model, prompt language, frame fitting, your own words, negative prompt",
        "高级：模型、提示词语言、画面适配、自定义描述、反向提示词",
    ),
    "free_camera": Text("Camera move: your own words", "镜头运动：自定义描述"),
    "free_subject": Text("Subject change: your own words", "主体变化：自定义描述"),
    "free_environment": Text("Environment: your own words", "环境：自定义描述"),
    "free_text_stability": Text("Text stability: your own words", "文字稳定：自定义描述"),
    "result_first": Text("First frame", "首帧"),
    "result_video": Text("Video", "视频"),
    "result_last": Text("Last frame", "尾帧"),
    "no_prompt": Text(
        "The prompt is empty: choose a preset or write what should happen.",
        "提示词为空：请选择预设，或写下画面应如何变化。",
    ),
    "untitled_job": Text("(no prompt)", "（无提示词）"),
    "units_demo": Text(
        "free (demo simulator); with real keys about {units} units",
        "免费（演示模拟器）；使用真实密钥时约 {units} 个单位",
    ),
    "mode_locked": Text(
        "With a last frame, {model} makes {allowed} only ({refused} cannot use one).",
        "使用尾帧时，{model} 仅支持 {allowed}（{refused} 不能使用尾帧）。",
    ),
    "duration_locked": Text(
        "With a last frame, {model} in {mode} makes {allowed} only.",
        "使用尾帧时，{model} 的 {mode} 模式仅支持 {allowed}。",
    ),
    "frame_one_prepared": Text(
        "First frame prepared at {size}; add a last frame to choose where the transition ends.",
        "首帧已处理为 {size}；添加尾帧即可指定转场的终点画面。",
    ),
    "last_without_first": Text(
        "Add a first frame too: a video starts from its first frame.",
        "请同时添加首帧：视频从首帧开始。",
    ),
    "summary_frame": Text("1 frame", "1 帧"),
    "summary_frames": Text("2 frames", "2 帧"),
    "summary_seconds": Text("{duration} s", "{duration} 秒"),
    "no_job": Text("There is no job {job}.", "没有任务 {job}。"),
    "no_job_remedy": Text(
        "Check the job id; the History tab lists every job.",
        "请检查任务 ID；“历史记录”页列出了所有任务。",
    ),
}


def add_strings(table: Mapping[str, Text]) -> None:
    """Add a tab's own strings (key -> Text(English, Simplified Chinese)), e.g. the Deck tab's
    at import; a key that already means something else is refused."""
    for key, found in table.items():
        if not isinstance(found, Text):
            raise TypeError(f"UI string {key!r} must be a Text, not {type(found).__name__}")
        if key in STRINGS and STRINGS[key] != found:
            raise ValueError(f"UI string {key!r} is already defined differently")
        STRINGS[key] = found


# Keys Gradio's own page asks for but its translations lack (6.31): the status announcement
# after an event ("common.complete", read to screen readers and shown on a slow first load)
# and the labels of the upload, video and webcam buttons.
GRADIO_KEYS: dict[str, Text] = {
    "common.complete": Text("Complete", "完成"),
    "common.upload": Text("Upload", "上传"),
    "common.video": Text("Video", "视频"),
    "common.webcam": Text("Webcam", "摄像头"),
}


def i18n() -> gr.I18n:
    """The translation table handed to `launch(i18n=...)` (English and zh-CN), with the keys
    Gradio's page uses but does not translate itself (`GRADIO_KEYS`)."""
    table = {**GRADIO_KEYS, **STRINGS}
    return gr.I18n(
        en={key: found.en for key, found in table.items()},
        **{"zh-CN": {key: found.zh for key, found in table.items()}},
    )


def label(key: str) -> I18nData:
    """A label the browser translates into its own language."""
    if key not in STRINGS:
        raise KeyError(f"no UI string {key!r}")
    return I18nData(key)


def text(key: str, **values: object) -> Text:
    """The string `key` in both languages, with `{name}` placeholders filled."""
    found = STRINGS[key]
    return found.format(**values) if values else found


def say(key: str, lang: str | None, **values: object) -> str:
    """The string `key` in `lang`, with `{name}` placeholders filled."""
    return text(key, **values).get(lang)
