"""The engine's status messages and its own refusals, in English and Simplified Chinese."""

from __future__ import annotations

from kling_ui.i18n import Text, UserError

# A plain step: the status label says it all, so no extra message is stored.
PLAIN = Text("", "")

QUEUED = PLAIN
SUBMITTING = PLAIN
CHECKING = Text(
    "Checking whether Kling already has this task before sending it again.",
    "再次发送前，正在确认可灵是否已收到该任务。",
)
ACCOUNT_BUSY = Text(
    "The Kling account is running as many tasks as it may (1303); back in line for the next "
    "free slot.",
    "可灵账户的并发任务已满（1303）；已重新排队，等待下一个空闲名额。",
)
UNCLEAR_CREATE = Text(
    "Kling did not answer clearly ({reason}); checking again in {seconds:.0f} s.",
    "可灵未给出明确答复（{reason}）；{seconds:.0f} 秒后再次确认。",
)
SUBMITTED = PLAIN
PROCESSING = PLAIN
QUERY_TROUBLE = Text(
    "Could not check the task ({reason}); trying again in {seconds:.0f} s.",
    "无法查询任务（{reason}）；{seconds:.0f} 秒后重试。",
)
UNREACHABLE = Text(
    "Kling is not answering ({reason}); the Studio tries again by itself and never sends "
    "a task twice.",
    "可灵没有响应（{reason}）；工作室会自动重试，绝不会重复提交任务。",
)
TIMED_OUT_CREATING = Text(
    "Kling gave no clear answer for {seconds:.0f} s, so the Studio stopped asking. Nothing "
    "is sent twice: resume later (python -m kling_ui resume, or restart the Studio) and it "
    "first checks whether Kling has the task.",
    "可灵在 {seconds:.0f} 秒内没有给出明确答复，工作室已停止询问。任务不会被重复提交：稍后恢复"
    "（python -m kling_ui resume，或重启工作室）时会先确认可灵是否已收到该任务。",
)
TIMED_OUT = Text(
    "Kling has not finished after {seconds:.0f} s; still watching, and the video is kept "
    "if it arrives.",
    "可灵在 {seconds:.0f} 秒后仍未完成；仍在跟踪，视频到达后会保存。",
)
DOWNLOADING = PLAIN
DOWNLOAD_TROUBLE = Text(
    "The download failed ({reason}); trying again in {seconds:.0f} s.",
    "下载失败（{reason}）；{seconds:.0f} 秒后重试。",
)
DONE = PLAIN
REUSED = Text(
    "Same frames, prompt and settings as an earlier job: its video is offered again and "
    "nothing was paid. Ask for a new take to make another.",
    "首尾帧、提示词与参数与之前的任务相同：直接复用其视频，未产生费用。如需重新生成，请选择“新一版”。",
)
CANCELLED = Text("Cancelled.", "已取消。")
CANCELLED_RUNNING = Text(
    "Cancelled. Kling's task was already paid for and still runs; its video is kept if it arrives.",
    "已取消。可灵的任务已计费且仍在运行；视频到达后仍会保存。",
)
CANCELLED_KEPT = Text(
    "Cancelled, but Kling finished it anyway; the video was kept.",
    "已取消，但可灵仍完成了任务；视频已保存。",
)
CANCELLED_UNREACHABLE = Text(
    "Cancelled while Kling was not answering: no more requests for it. If Kling did start "
    "it, it is checked once Kling answers again and its video is kept.",
    "在可灵无响应时已取消：不再为其发送请求。若可灵已开始该任务，待可灵恢复响应后会再确认，"
    "视频仍会保存。",
)
CANCELLED_NOTHING = Text("Cancelled; Kling never started it.", "已取消；可灵尚未开始该任务。")
NEEDS_KEYS = Text(
    "Waiting for the Kling keys it was started with: enter the keys of that account again to "
    "continue.",
    "正在等待提交时所用的可灵密钥：请重新输入该账户的密钥以继续。",
)


def simulator_restarted() -> UserError:
    """The demo simulator lost a task because it was restarted (never used for real Kling)."""
    return UserError(
        "demo.simulator_restarted",
        Text(
            "The simulator was restarted and no longer knows this task.",
            "模拟器已重启，不再记得这个任务。",
        ),
        remedy=Text("Run it again.", "请重新运行。"),
    )


def unreadable_task() -> UserError:
    """Kling's answers about a task kept coming back in a shape the Studio cannot read."""
    return UserError(
        "kling.protocol",
        Text(
            "Kling's answers about this task could not be read, several times in a row, so "
            "the Studio stopped waiting for it.",
            "多次无法读取可灵关于该任务的答复，工作室已停止等待。",
        ),
        remedy=Text(
            "Check the task in Kling's console; if it finished, its video is there. Update "
            "the Studio if this repeats.",
            "请在可灵控制台查看该任务；若已完成，视频可在控制台获取。如反复出现，请升级工作室。",
        ),
    )


def frame_missing(name: str) -> UserError:
    """A job's prepared frame file is gone from the data folder."""
    return UserError(
        "job.frame_missing",
        Text("The frame file {name} is missing.", "帧文件 {name} 不存在。").format(name=name),
        remedy=Text("Add the frames again and run a new job.", "请重新添加首尾帧并运行新任务。"),
    )


def internal_error(reason: str) -> UserError:
    """Something unexpected kept failing inside the engine."""
    return UserError(
        "job.internal_error",
        Text(
            "The job failed inside the Studio ({reason}).", "任务在工作室内部出错（{reason}）。"
        ).format(reason=reason),
        remedy=Text("Run it again; if it repeats, report it.", "请重新运行；如反复出现，请反馈。"),
    )
