"""Coursework from a notebook or a terminal of your JupyterHub server, with nothing to configure.

Students::

    import coursework
    coursework.my_feedback()                     # released feedback, by course and assignment
    coursework.download_feedback("hw1")          # into ./hw1 (or ./hw1-feedback if taken)
    coursework.my_assignments()                  # due times (with your extension) and capture receipts

Instructors and graders::

    coursework.students()
    job = coursework.take_snapshot("midterm")   # the whole class, with a progress bar
    coursework.download_class_zip(job["name"], to="grading")
    report = coursework.release_feedback("hw1", "feedback/")  # a folder per student
    coursework.assignment_status("hw1")         # a pandas DataFrame when pandas is installed

Each function takes ``course="..."`` (default: the service's default course). ``Coursework(url=..., token=...)``
is the client these use, for scripts outside JupyterHub or several courses at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from ._client import Coursework, CourseworkError, Json

__all__ = [
    "Coursework",
    "CourseworkError",
    "client",
    "me",
    "courses",
    "my_feedback",
    "download_feedback",
    "my_assignments",
    "students",
    "snapshots",
    "files",
    "take_snapshot",
    "download_file",
    "download_zip",
    "download_class_zip",
    "release_feedback",
    "assignment_status",
]

_default: Optional[Coursework] = None


def client() -> Coursework:
    """The client the module's functions use, made from the server's environment on first use."""
    global _default
    if _default is None:
        _default = Coursework()
    return _default


def me() -> Json:
    return client().me()


def courses() -> list[Json]:
    return client().courses()


def my_feedback(course: Optional[str] = None, assignment: Optional[str] = None) -> list[Json]:
    return client().my_feedback(course=course, assignment=assignment)


def download_feedback(assignment: str, to: Any = ".", course: Optional[str] = None) -> Path:
    return client().download_feedback(assignment, to=to, course=course)


def my_assignments(course: Optional[str] = None) -> list[Json]:
    return client().my_assignments(course=course)


def students(course: Optional[str] = None) -> list[Json]:
    return client().students(course=course)


def snapshots(student: str, course: Optional[str] = None) -> list[Json]:
    return client().snapshots(student, course=course)


def files(student: str, snapshot: str, course: Optional[str] = None) -> list[Json]:
    return client().files(student, snapshot, course=course)


def take_snapshot(name: str, **options: Any) -> Json:
    return client().take_snapshot(name, **options)


def download_file(student: str, snapshot: str, path: str, **options: Any) -> Path:
    return client().download_file(student, snapshot, path, **options)


def download_zip(student: str, snapshot: str, **options: Any) -> Path:
    return client().download_zip(student, snapshot, **options)


def download_class_zip(snapshot: str, **options: Any) -> Path:
    return client().download_class_zip(snapshot, **options)


def release_feedback(assignment: str, folder: Any, **options: Any) -> Json:
    return client().release_feedback(assignment, folder, **options)


def assignment_status(assignment: str, **options: Any) -> Any:
    return client().assignment_status(assignment, **options)


for _name in __all__[3:]:
    globals()[_name].__doc__ = getattr(Coursework, _name).__doc__
