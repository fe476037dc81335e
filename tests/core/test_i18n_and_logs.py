"""Language choice for server-made messages, and log redaction."""

import logging

import pytest

from kling_ui import logs
from kling_ui.i18n import Text, UserError, pick_lang


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("fr-FR,zh-TW;q=0.8", "zh-CN"),
        ("de-DE", "en"),
        (None, "en"),
        ("en;q=0.5,zh;q=0.9", "zh-CN"),
    ],
)
def test_pick_lang_follows_accept_language(header, lang):
    assert pick_lang(header) == lang


def test_user_error_text_joins_message_and_remedy_in_the_language():
    error = UserError("x.y", Text("Bad.", "错误。"), remedy=Text("Fix it.", "请修复。"))
    assert error.text("en") == "Bad. Fix it."
    assert error.text("zh-CN") == "错误。 请修复。"


def test_redact_removes_registered_secrets_jwts_and_bearer_tokens():
    logs.register_secret("sk-super-secret-value")
    text = (
        "key sk-super-secret-value token "
        "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhayJ9.c2lnbmF0dXJlLXZhbHVl "
        "Authorization: Bearer abc.def"
    )
    cleaned = logs.redact(text)
    assert "sk-super-secret-value" not in cleaned
    assert "eyJhbGciOiJIUzI1NiJ9" not in cleaned
    assert "abc.def" not in cleaned


def test_redacting_filter_cleans_records_before_handlers_see_them(caplog):
    logs.register_secret("ak-in-a-log-line")
    logger = logging.getLogger("kling_ui.test")
    caplog.handler.addFilter(logs.RedactingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("using %s", "ak-in-a-log-line")
    assert "ak-in-a-log-line" not in caplog.text
    assert "[redacted]" in caplog.text
