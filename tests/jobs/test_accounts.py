"""An account's client is cheap to make: it reads no certificates of its own."""

from __future__ import annotations

import ssl
import threading
from collections import Counter

import pytest

from kling_ui.jobs.accounts import CountingTransport, Credentials
from kling_ui.kling.client import tls_context


def test_a_new_accounts_client_and_transport_build_no_tls_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tls_context()  # the process's one context, built once
    built: list[object] = []
    real = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        built.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    credentials = Credentials.of("ak", "sk", "https://api-singapore.klingai.com")
    client = credentials.client(transport=CountingTransport(Counter(), threading.Lock()))
    client.close()
    assert built == []
