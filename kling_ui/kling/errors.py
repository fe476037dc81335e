"""One error tree for everything Kling (or the network between) can answer.

Built from the HTTP status plus Kling's business code, covering both the published table
and the seed document's own simpler codes. Each error knows whether retrying can help and
carries a remedy for the person in both languages.
"""

from __future__ import annotations

from kling_ui.i18n import Text, UserError

RETRIES_BY_ITSELF = Text("The Studio retries by itself.", "工作室会自动重试。")
# "<what happened>: <our explanation>" and "<what happened> [code] (Kling's message)."
_EXPLAINED = Text("{label}: {detail}", "{label}：{detail}")
_ANSWERED = Text("{label}{code}{shown}.", "{label}{code}{shown}。")


class KlingError(UserError):
    """A refusal or failure from Kling; `retryable` says whether the same call may succeed later."""

    retryable: bool = False
    default_remedy = Text(
        "Check the request and try again.",
        "请检查请求后重试。",
    )
    label = Text("Kling refused the request", "可灵拒绝了请求")

    def __init__(
        self,
        message: str = "",
        *,
        code: int | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        remedy: Text | None = None,
        detail: Text | None = None,
    ) -> None:
        self.kling_code = code
        self.server_message = message
        self.http_status = http_status
        self.request_id = request_id
        self.retry_after = retry_after
        code_part = f" [{code}]" if code is not None else ""
        if detail is not None:
            # Our own explanation, in both languages, instead of a server's message.
            text = _EXPLAINED.format(label=self.label, detail=detail)
        else:
            shown = f" ({message})" if message else ""
            text = _ANSWERED.format(label=self.label, code=code_part, shown=shown)
        super().__init__(
            f"kling.{code if code is not None else type(self).__name__}",
            text,
            remedy=remedy or self.default_remedy,
        )

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly summary for stored rows and CLI output (never holds credentials)."""
        return {
            "code": self.kling_code,
            "message": self.server_message or self.message.en,
            "http_status": self.http_status,
            "request_id": self.request_id,
            "retryable": self.retryable,
        }


class AuthError(KlingError):
    """The keys were rejected (1000-1002, and the seed's 1001)."""

    label = Text("Kling did not accept the API keys", "可灵不接受当前的 API 密钥")
    default_remedy = Text(
        "Check Kling_Access_Key and Kling_Secret_Key (and that they belong to this region's "
        "endpoint: global-console keys only work on api-singapore).",
        "请检查 Kling_Access_Key 与 Kling_Secret_Key 是否正确，并确认与所用地域的接口匹配"
        "（新版全球控制台的密钥仅适用于 api-singapore）。",
    )


class TokenTimingError(AuthError):
    """The JWT is not yet valid or has expired (1003/1004): re-sign and retry once."""

    retryable = True
    label = Text("Kling rejected the token's time window", "可灵认为令牌不在有效期内")
    default_remedy = Text(
        "Check that this computer's clock is correct.",
        "请检查本机时间是否准确。",
    )


class QuotaError(KlingError):
    """The account cannot pay for this (1100-1102, and the seed's 1003)."""

    label = Text("The Kling account cannot run this task", "可灵账户无法执行此任务")
    default_remedy = Text(
        "Check the account's balance and resource packs in the Kling console, then try again.",
        "请在可灵控制台检查账户余额与资源包后重试。",
    )


class PermissionDenied(KlingError):
    """No permission for this model or endpoint (1103)."""

    label = Text(
        "This Kling account may not use that model or endpoint", "该可灵账户无权使用此模型或接口"
    )
    default_remedy = Text(
        "Pick another model, or enable this one for the account in the Kling console.",
        "请换一个模型，或在可灵控制台为账户开通该模型。",
    )


class InvalidRequest(KlingError):
    """Kling rejected a parameter (1200/1201, and the seed's 1002/2001/2002)."""

    label = Text("Kling rejected a setting", "可灵拒绝了某项参数")
    default_remedy = Text(
        "Change the setting named in the message and try again.",
        "请按提示修改相应参数后重试。",
    )


class ImageRejected(InvalidRequest):
    """Kling rejected an image's format or size (the seed's 2001/2002)."""

    label = Text("Kling rejected an image", "可灵拒绝了图片")
    default_remedy = Text(
        "Use a JPG or PNG under 4 MB with each side at least 300 px; the Studio's frame "
        "preparation does this for you.",
        "请使用小于 4 MB、边长不少于 300 像素的 JPG 或 PNG 图片；工作室的帧预处理会自动完成。",
    )


class NotFound(KlingError):
    """Wrong method, or no such model or task (1202/1203)."""

    label = Text("Kling could not find it", "可灵找不到该资源")
    default_remedy = Text(
        "Check the task id or model name.",
        "请检查任务 ID 或模型名称。",
    )


class PolicyRejected(KlingError):
    """Platform or content-safety policy refused the input (1300/1301)."""

    label = Text("Kling's content policy refused this input", "可灵的内容安全策略拒绝了该输入")
    default_remedy = Text(
        "Try other frames or a different prompt.",
        "请更换图片或提示词后重试。",
    )


class RateLimited(KlingError):
    """Requests too fast (1302): back off and retry."""

    retryable = True
    label = Text("Kling asked to slow down", "可灵提示请求过快")
    default_remedy = RETRIES_BY_ITSELF


class ConcurrencyLimited(RateLimited):
    """The account already has as many tasks running as it may (1303): wait for a slot."""

    label = Text("The Kling account is at its limit of running tasks", "可灵账户的并发任务已达上限")
    default_remedy = Text(
        "The job waits for a free slot and continues by itself.",
        "任务会等待空闲名额后自动继续。",
    )


class IPNotAllowed(KlingError):
    """The caller's IP is not on the account's allowlist (1304)."""

    label = Text("Kling refused this computer's IP address", "可灵拒绝了本机的 IP 地址")
    default_remedy = Text(
        "Add this machine's IP address to the allowlist in the Kling console.",
        "请在可灵控制台将本机 IP 加入白名单。",
    )


class ServerError(KlingError):
    """Kling had a server error, maintenance or timeout (5000-5002, any 5xx)."""

    retryable = True
    label = Text("Kling had a server problem", "可灵服务器出现问题")
    default_remedy = RETRIES_BY_ITSELF


class NetworkError(KlingError):
    """No answer: connection refused, dropped or timed out. The request's fate is unknown."""

    retryable = True
    label = Text("Could not reach Kling", "无法连接可灵")
    default_remedy = Text(
        "Check the network connection; the Studio retries by itself.",
        "请检查网络连接；工作室会自动重试。",
    )


class ProtocolError(KlingError):
    """Kling answered something this client cannot read (not JSON, missing fields)."""

    retryable = True
    label = Text("Kling sent an answer the Studio could not read", "可灵返回了无法解析的响应")
    default_remedy = RETRIES_BY_ITSELF


class LookupUnclear(KlingError):
    """Looking a task up by its external id settled nothing (no answer, 5xx, unreadable):
    whether it exists is still unknown, so it is neither created again nor given up."""

    retryable = True
    label = Text(
        "Could not yet confirm whether Kling has this task",
        "暂时无法确认可灵是否已收到该任务",
    )
    default_remedy = Text(
        "The Studio asks again by itself and never sends it twice.",
        "工作室会自动再次确认，绝不会重复提交。",
    )

    def __init__(self, external_task_id: str, cause: KlingError) -> None:
        super().__init__(
            f"lookup of {external_task_id} unclear ({cause.code})",
            code=cause.kling_code,
            http_status=cause.http_status,
            request_id=cause.request_id,
            retry_after=cause.retry_after,
        )
        self.cause = cause


class TaskFailed(KlingError):
    """The task ran and Kling reports it failed; the reason is in task_status_msg."""

    label = Text("Kling could not make this video", "可灵未能生成该视频")
    default_remedy = Text(
        "Try other frames or a different prompt; Kling's reason is shown above.",
        "请更换图片或提示词后重试；可灵给出的原因见上。",
    )


class EmptyResult(KlingError):
    """Kling says the task succeeded but returned no video."""

    label = Text("Kling reported success but sent no video", "可灵报告成功但没有返回视频")
    default_remedy = Text("Run the job again.", "请重新运行该任务。")


class BadVideo(KlingError):
    """The downloaded file is not a playable video."""

    retryable = True
    label = Text("The downloaded video does not play", "下载的视频无法播放")
    default_remedy = Text("The Studio downloads it again.", "工作室会重新下载。")


class UnsupportedRequest(KlingError):
    """The capability table forbids this request; refused before anything is sent."""

    label = Text("This combination of settings is not supported", "不支持这组参数组合")
    default_remedy = Text(
        "Change the settings as described, then generate again.",
        "请按上述说明修改设置后重新生成。",
    )


# Kling's published table, then the seed document's own codes where they differ.
_BY_CODE: dict[int, type[KlingError]] = {
    1000: AuthError,
    1001: AuthError,
    1002: AuthError,
    1003: TokenTimingError,
    1004: TokenTimingError,
    1100: QuotaError,
    1101: QuotaError,
    1102: QuotaError,
    1103: PermissionDenied,
    1200: InvalidRequest,
    1201: InvalidRequest,
    1202: NotFound,
    1203: NotFound,
    1300: PolicyRejected,
    1301: PolicyRejected,
    1302: RateLimited,
    1303: ConcurrencyLimited,
    1304: IPNotAllowed,
    2001: ImageRejected,
    2002: ImageRejected,
    5000: ServerError,
    5001: ServerError,
    5002: ServerError,
}

# The seed uses 1001/1002/1003 for auth/params/quota. Told apart from Kling's meaning of the
# same numbers by the HTTP status the answer came with.
_SEED_BY_STATUS: dict[tuple[int, int], type[KlingError]] = {
    (400, 1002): InvalidRequest,
    (402, 1003): QuotaError,
    (403, 1003): QuotaError,
    (429, 1003): QuotaError,
}


def error_from_response(
    http_status: int,
    code: int | None,
    message: str = "",
    *,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> KlingError:
    """Build the right error for an HTTP status and Kling business code."""
    kind: type[KlingError] | None = None
    if code is not None:
        kind = _SEED_BY_STATUS.get((http_status, code)) or _BY_CODE.get(code)
    if kind is None:
        if http_status >= 500:
            kind = ServerError
        elif http_status in (401,):
            kind = AuthError
        elif http_status == 403:
            kind = PermissionDenied
        elif http_status == 404:
            kind = NotFound
        elif http_status == 429:
            kind = RateLimited
        else:
            kind = InvalidRequest
    return kind(
        message,
        code=code,
        http_status=http_status,
        request_id=request_id,
        retry_after=retry_after,
    )
