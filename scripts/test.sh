#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run every test.
# Used as-is by the README and by .ci/run. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every test worker and every command the tests start imports the same modules: let Python
# keep their compiled form (some machines set PYTHONDONTWRITEBYTECODE).
unset PYTHONDONTWRITEBYTECODE

# Debian's headless Chromium drives the browser tests (Playwright cannot download browsers);
# Noto CJK renders the zh-CN screens; headless LibreOffice (soffice) renders .pptx decks.
if ! command -v chromium-headless-shell >/dev/null 2>&1 || ! command -v soffice >/dev/null 2>&1 \
  || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    chromium-headless-shell fonts-noto-cjk libreoffice-impress-nogui >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Most tests wait on a simulated Kling, a browser or a child process: four workers keep two
# cores busy. Each test module runs whole on one worker, so its module fixtures (a served
# Studio, a browser, a chaos run) start once; TEST_WORKERS=0 runs everything in this process.
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-4}" --dist loadscope --no-loadscope-reorder "$@"
