"""Files on the caller's side: names that never replace the user's files, downloads written whole or not at all,
and a folder of feedback packed into the zip the service takes."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Iterable

# Left out of a release: what JupyterLab and Python leave beside the files.
_NOT_RELEASED = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}


def free_name(folder: Path, name: str, is_dir: bool = False) -> Path:
    """``folder/name``, or ``name`` with ``-feedback``, ``-feedback-2``, ... (a file's before its extension) when
    taken: the first that does not exist. The same names as JupyterLab's "Copy to my home"."""
    stem, extension = (name, "")
    if not is_dir and "." in name[1:]:
        dot = name.rindex(".")
        stem, extension = name[:dot], name[dot:]
    for n in range(10_000):
        candidate = name if n == 0 else f"{stem}-feedback{'' if n == 1 else f'-{n}'}{extension}"
        if not os.path.lexists(folder / candidate):
            return folder / candidate
    raise FileExistsError(f"no free name for {name} in {folder}")


def safe_relative(path: str) -> PurePosixPath:
    """A relative path with no ``..``, absolute part or empty component: the service's paths are checked before
    they name a local file."""
    parts = path.split("/")
    if path == "" or any(part in ("", ".", "..") or "\0" in part or "\\" in part for part in parts):
        raise ValueError(f"refusing the path {path!r}")
    return PurePosixPath(*parts)


def write_new(target: Path, chunks: Iterable[bytes]) -> int:
    """Writes ``chunks`` to ``target``, which must not exist: into a temporary file beside it, renamed into place
    when complete (an interrupted download leaves nothing half-written). Answers the bytes written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    written = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                written += len(chunk)
        if os.path.lexists(target):
            raise FileExistsError(f"{target} appeared while downloading; the download is in {temporary}")
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary) and not os.path.exists(target):
            os.unlink(temporary)
        raise
    return written


def zip_student_folders(folder: Path, out: IO[bytes]) -> dict[str, int]:
    """Packs ``folder``'s subfolders (one per student, named by user name) into a zip written to ``out``, as the
    service's bulk release reads it. Regular files only: symbolic links are not followed. Answers each student's
    number of files."""
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder (it should hold a folder per student)")
    counts: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for student_dir in sorted(folder.iterdir()):
            if student_dir.name in _NOT_RELEASED or student_dir.name.startswith(".") or not _is_real_dir(student_dir):
                continue
            counts[student_dir.name] = 0
            for root, dirs, files in os.walk(student_dir):
                dirs[:] = sorted(d for d in dirs if d not in _NOT_RELEASED and _is_real_dir(Path(root, d)))
                for name in sorted(files):
                    path = Path(root, name)
                    if name in _NOT_RELEASED or path.is_symlink() or not path.is_file():
                        continue
                    archive.write(path, path.relative_to(folder).as_posix())
                    counts[student_dir.name] += 1
    return counts


def _is_real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()
