"""Files: the Studio serves its own data and upload folders and nothing else. Any other path,
however it is spelled (traversal, encodings, absolute paths, symlinks planted in the data
folder), is refused; an upload's file name cannot place a file anywhere; and the API never
reads a server path it was not sent as an upload."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from reliability_helpers import WAIT, Served, serve_studio, store_snapshot, studio_settings

from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.runtime import Runtime
from kling_ui.simulator import slide_png

MARKER = "outside-the-studio-7f3a"
FILE_ROUTE = "/gradio_api/file="


@dataclass(frozen=True)
class Layout:
    """The served Studio, its data folder, a folder outside it, and a finished video."""

    studio: Served
    data: Path
    outside: Path
    video: Path


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layout]:
    """A demo Studio with one finished job, a folder beside its data folder holding a secret
    file and an image, and symlinks to both planted inside the data folder."""
    root = tmp_path_factory.mktemp("files")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(MARKER)
    (outside / "slide.png").write_bytes(slide_png(640, 360, MARKER))
    runtime = Runtime.from_settings(studio_settings(root / "studio" / "data")).start()
    studio = serve_studio(runtime)
    try:
        engine = runtime.engine
        frame = engine.save_frame(slide_png(640, 360, "Served"), "png")
        job = engine.submit(JobSpec(first_frame=frame, last_frame=frame, prompt="serve me")).job
        done = engine.wait(job.id, timeout=WAIT)
        assert done.status is JobStatus.DONE and done.video_path is not None
        data = engine.data_dir.resolve()
        os.symlink("/etc/passwd", data / "videos" / "passwd.mp4")
        os.symlink(outside / "secret.txt", data / "videos" / "secret.mp4")
        os.symlink(outside, data / "linked")
        yield Layout(studio, data, outside, done.video_path.resolve())
    finally:
        studio.close()


def fetch(layout: Layout, path: str) -> httpx.Response:
    """GET the Studio's file route for `path`, spelled exactly as given."""
    return httpx.get(f"{layout.studio.url}{FILE_ROUTE}{path}", timeout=30)


def test_a_video_in_the_data_folder_is_served(layout: Layout) -> None:
    answer = fetch(layout, str(layout.video))
    assert answer.status_code == 200
    assert answer.content == layout.video.read_bytes()


@pytest.mark.parametrize("name", ["jobs.sqlite3", "browser-state.secret", ".engine.lock"])
def test_the_studios_own_bookkeeping_files_are_not_served(layout: Layout, name: str) -> None:
    if not (layout.data / name).exists():
        (layout.data / name).write_text(MARKER)
    answer = fetch(layout, str(layout.data / name))
    assert answer.status_code >= 400
    assert MARKER.encode() not in answer.content and b"SQLite" not in answer.content


Spelling = Callable[[Path, Path], str]
OTHER_PATHS: dict[str, Spelling] = {
    "etc-passwd": lambda data, out: "/etc/passwd",
    "a-file-beside-the-data-folder": lambda data, out: str(out / "secret.txt"),
    "the-working-folder": lambda data, out: str(Path.cwd() / "pyproject.toml"),
    "relative-to-the-working-folder": lambda data, out: "pyproject.toml",
    "dot-dot-from-the-data-folder": lambda data, out: f"{data}/../../outside/secret.txt",
    "dot-dot-from-videos": lambda data, out: f"{data}/videos/../../../outside/secret.txt",
    "encoded-dot-dot": lambda data, out: f"{data}/%2e%2e/%2e%2e/outside/secret.txt",
    "encoded-slashes": lambda data, out: f"{data}%2f..%2f..%2foutside%2fsecret.txt",
    "double-encoded": lambda data, out: f"{data}/%252e%252e/%252e%252e/outside/secret.txt",
    "backslashes": lambda data, out: f"{data}\\..\\..\\outside\\secret.txt",
    "relative-climb": lambda data, out: "../../../../../../etc/passwd",
    "encoded-relative-climb": lambda data, out: "..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "encoded-absolute": lambda data, out: "%2fetc%2fpasswd",
    "double-slash": lambda data, out: "//etc/passwd",
    "file-url": lambda data, out: "file:///etc/passwd",
    "home-tilde": lambda data, out: "~/.bashrc",
    "nul-byte": lambda data, out: f"{data}/videos/x.mp4%00/../../../outside/secret.txt",
    "symlink-to-etc-passwd": lambda data, out: f"{data}/videos/passwd.mp4",
    "symlink-to-a-file-outside": lambda data, out: f"{data}/videos/secret.mp4",
    "symlinked-folder": lambda data, out: f"{data}/linked/secret.txt",
}


@pytest.mark.parametrize("spell", OTHER_PATHS.values(), ids=OTHER_PATHS.keys())
def test_any_other_path_is_refused(spell: Spelling, layout: Layout) -> None:
    answer = fetch(layout, spell(layout.data, layout.outside))
    assert answer.status_code in (400, 403, 404)
    assert MARKER not in answer.text and "root:" not in answer.text


def test_an_upload_named_to_climb_out_stays_in_the_upload_folder(
    layout: Layout, tmp_path: Path
) -> None:
    target = tmp_path / "escaped.png"
    climbing = "../" * 12 + str(target).lstrip("/")
    answer = httpx.post(
        f"{layout.studio.url}/gradio_api/upload",
        files={"files": (climbing, slide_png(320, 320, "climb"), "image/png")},
        timeout=30,
    )
    assert answer.status_code == 200
    (stored,) = answer.json()
    assert not target.exists()
    assert Path(stored).resolve().name == "escaped.png"
    assert ".." not in Path(stored).parts and Path(stored).resolve().is_file()
    assert fetch(layout, stored).status_code == 200  # the upload folder is served


def call_generate(layout: Layout, first_frame: dict[str, object]) -> str:
    """POST /gradio_api/call/generate with a hand-made first frame; the event stream."""
    url = f"{layout.studio.url}/gradio_api/call/generate"
    body = {"data": [first_frame, None, "", "", "kling-v2-6", "pro", "5", False]}
    event = httpx.post(url, json=body, timeout=30).json()["event_id"]
    return httpx.get(f"{url}/{event}", timeout=WAIT).text


@pytest.mark.parametrize(
    "where",
    ["/etc/passwd", "outside/slide.png", "data/frames", "../../etc/passwd"],
    ids=["etc-passwd", "an-image-outside", "a-frame-in-the-data-folder", "relative-climb"],
)
def test_the_api_never_reads_a_server_path_that_was_not_uploaded(
    where: str, layout: Layout
) -> None:
    frames = sorted((layout.data / "frames").iterdir())
    path = {
        "outside/slide.png": str(layout.outside / "slide.png"),
        "data/frames": str(frames[0]),
    }.get(where, where)
    before = store_snapshot(layout.studio.db)
    stream = call_generate(layout, {"path": path, "meta": {"_type": "gradio.FileData"}})
    assert "event: error" in stream and "event: complete" not in stream
    assert MARKER not in stream and "root:" not in stream
    assert store_snapshot(layout.studio.db) == before  # no job: the file was never used
    assert "First frame" not in stream  # frame preparation never saw it either
