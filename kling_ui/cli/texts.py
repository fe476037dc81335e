"""Every sentence the command line prints, in English and Simplified Chinese, in one place.

Each is a `kling_ui.i18n.Text`, picked with `.get(lang)` from the command's `--lang` (placeholders
filled with `.format(name=...)` first), like the Studio's own catalog in `kling_ui.ui.texts`.
"""

from __future__ import annotations

from kling_ui.i18n import Text

# Starting and stopping (common.py)
DEMO_NOTICE = Text(
    "Using the embedded Kling simulator (demo mode): no Kling keys are set, so the video is "
    "a simulated cross-fade.",
    "正在使用内置的可灵模拟器（演示模式）：未设置可灵密钥，生成的是模拟的交叉淡化视频。",
)
INTERRUPTED_NOTICE = Text(
    "Stopped waiting. The job is kept; `python -m kling_ui resume` picks it up.",
    "已停止等待。任务已保存；运行 `python -m kling_ui resume` 可继续。",
)
CONFIG_INVALID = Text("A setting is not valid ({problems}).", "有设置无效（{problems}）。")
CONFIG_INVALID_REMEDY = Text(
    "Fix it in the environment or the .env file.", "请在环境变量或 .env 文件中修正。"
)
CANNOT_START = Text("Cannot start the Studio: {reason}", "无法启动工作室：{reason}")

# generate
REUSED_NOTICE = Text(
    "An identical earlier job answered (nothing paid); use --new-take for another take.",
    "与之前的任务完全相同，直接复用（未计费）；如需重新生成请加 --new-take。",
)
COPY_FAILED = Text(
    "Could not copy the video to {dir} ({reason}); it is at {video}.",
    "无法将视频复制到 {dir}（{reason}）；视频位于 {video}。",
)
QUEUE_POSITION = Text("#{n} in line", "排队第 {n} 位")
TIME_LEFT = Text("~{s:.0f} s left", "约剩 {s:.0f} 秒")

# jobs and resume
NO_JOBS = Text("No jobs yet.", "还没有任务。")
NOTHING_TO_RESUME = Text("Nothing to resume: every job has finished.", "没有需要继续的任务。")
RESUMING = Text("Resuming {n} unfinished job(s).", "正在继续 {n} 个未完成的任务。")
HISTORY_HEADERS = (
    Text("Job", "任务"),
    Text("Created", "创建时间"),
    Text("Kind", "类型"),
    Text("By", "提交者"),
    Text("Status", "状态"),
    Text("Settings", "设置"),
    Text("Prompt", "提示词"),
    Text("Video / error", "视频 / 错误"),
)

# presets
OWN_PRESET_MARK = Text("your own preset", "你自己的预设")
CANNOT_READ = Text("Cannot read {path}: {reason}.", "无法读取 {path}：{reason}。")
