"""The Coursework REST API from Python: a student's feedback and assignments, an instructor's snapshots,
downloads, releases and assignment status. Inside a JupyterHub server it needs no set-up: the server's own token
(``JUPYTERHUB_API_TOKEN``) and the service's URL (``COURSEWORK_URL``, set for every server by the Hub's Coursework
config) are in its environment."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any, Optional, Union
from urllib.parse import quote

import httpx

from ._files import free_name, safe_relative, write_new, zip_student_folders

PAGINATED = "application/jupyterhub-pagination+json"
StrPath = Union[str, "os.PathLike[str]"]
Json = dict[str, Any]


class CourseworkError(Exception):
    """An answer of the service that is not a success, or a client that cannot reach it. ``status`` is the HTTP
    status (``None`` when no request was made)."""

    def __init__(self, status: Optional[int], message: str) -> None:
        super().__init__(message if status is None else f"{status}: {message}")
        self.status = status
        self.message = message


def _segment(value: str) -> str:
    return quote(value, safe="")


def _file_path(path: str) -> str:
    return "/".join(_segment(part) for part in path.split("/"))


class Coursework:
    """A client of the Coursework service.

    ``url`` is the service's URL (default: ``$COURSEWORK_URL``), ``token`` a JupyterHub token (default:
    ``$JUPYTERHUB_API_TOKEN``, the server's own), ``course`` the course the calls about a course's resources are
    about (default: the service's default course; every call also takes ``course=``)."""

    def __init__(
        self,
        url: Optional[str] = None,
        token: Optional[str] = None,
        course: Optional[str] = None,
        timeout: float = 60.0,
    ) -> None:
        token = token or os.environ.get("JUPYTERHUB_API_TOKEN")
        if not token:
            raise CourseworkError(
                None, "No JupyterHub token: run this inside JupyterHub (in a notebook or terminal of your server) or pass token=..."
            )
        url = url or os.environ.get("COURSEWORK_URL")
        if not url:
            raise CourseworkError(
                None,
                "Coursework's address is unknown: this server was not started by a Hub with Coursework's config "
                "(which sets COURSEWORK_URL). Pass url='https://<your hub>/services/coursework/'.",
            )
        self.url = url if url.endswith("/") else url + "/"
        self.course = course
        self._http = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"token {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=10.0),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "Coursework":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Coursework(url={self.url!r}, course={self.course!r})"

    # --- requests -------------------------------------------------------------------------------------------

    def _path(self, path: str, course: Optional[str]) -> str:
        """An API path about a course's resources, under ``courses/{course}/`` when a course is named."""
        course = course if course is not None else self.course
        return f"api/v1/courses/{_segment(course)}/{path}" if course else f"api/v1/{path}"

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise CourseworkError(None, f"Coursework at {self.url} could not be reached: {error}") from error
        self._raise_for(response)
        return response

    @staticmethod
    def _raise_for(response: httpx.Response) -> None:
        if response.is_success:
            return
        try:
            message = str(response.json().get("message") or response.reason_phrase)
        except ValueError:
            message = response.reason_phrase
        if response.status_code == 401:
            message += " (the token is not valid: expired or revoked? In a server, restart it to get a new one)"
        raise CourseworkError(response.status_code, message)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        return None if response.status_code == 204 else response.json()

    def _all_pages(self, path: str, page_size: int = 200) -> list[Json]:
        items: list[Json] = []
        offset = 0
        while True:
            page = self._json("GET", path, params={"offset": offset, "limit": page_size}, headers={"Accept": PAGINATED})
            items += page["items"]
            following = page["_pagination"]["next"]
            if not following:
                return items
            offset = following["offset"]

    def _download(self, path: str, target: Path, params: Optional[dict[str, str]] = None) -> Path:
        """Streams ``path`` into ``target`` (a new file)."""
        try:
            with self._http.stream("GET", path, params=params) as response:
                if not response.is_success:
                    response.read()
                    self._raise_for(response)
                write_new(target, response.iter_bytes(1 << 20))
        except httpx.HTTPError as error:
            raise CourseworkError(None, f"the download of {path} failed: {error}") from error
        return target

    # --- everyone -------------------------------------------------------------------------------------------

    def me(self) -> Json:
        """Who the service sees: name, roles in the default course, and every course with one's roles in it."""
        answer: Json = self._json("GET", "api/v1/me")
        return answer

    def courses(self) -> list[Json]:
        """The courses one takes or teaches (every course for a course admin)."""
        answer: list[Json] = self._json("GET", "api/v1/courses")
        return answer

    # --- students -------------------------------------------------------------------------------------------

    def my_feedback(self, course: Optional[str] = None, assignment: Optional[str] = None) -> list[Json]:
        """One's released feedback: per assignment, its course, when it was released and its files."""
        items: list[Json] = self._json("GET", "api/v1/me/feedback")["items"]
        return [
            item
            for item in items
            if (course is None or item["course"]["id"] == course) and (assignment is None or item["assignment"] == assignment)
        ]

    def download_feedback(self, assignment: str, to: StrPath = ".", course: Optional[str] = None) -> Path:
        """Saves one's feedback on ``assignment`` into a new folder in ``to`` (named after the assignment, or
        ``<assignment>-feedback``, ... when that name is taken: never over one's own files). Answers the folder."""
        items = self.my_feedback(course=course, assignment=assignment)
        if not items:
            raise CourseworkError(404, f"No released feedback on {assignment}" + (f" in {course}" if course else ""))
        if len(items) > 1:
            courses = ", ".join(item["course"]["id"] for item in items)
            raise CourseworkError(None, f"{assignment} has feedback in several courses ({courses}): pass course=")
        item = items[0]
        folder = free_name(Path(to), assignment, is_dir=True)
        folder.mkdir(parents=True)
        for file in item["files"]:
            target = folder / safe_relative(file["path"])
            self._download(
                f"api/v1/me/feedback/{_segment(assignment)}/files/{_file_path(file['path'])}",
                target,
                params={"course": item["course"]["id"]},
            )
        return folder

    def my_assignments(self, course: Optional[str] = None) -> list[Json]:
        """One's assignments: due time (one's own, with an extension), capture status and receipt."""
        items: list[Json] = self._json("GET", "api/v1/me/assignments")
        return [item for item in items if course is None or item["course"]["id"] == course]

    # --- instructors and graders ----------------------------------------------------------------------------

    def students(self, course: Optional[str] = None) -> list[Json]:
        """The course's students, with their latest snapshot."""
        return self._all_pages(self._path("students", course))

    def snapshots(self, student: str, course: Optional[str] = None) -> list[Json]:
        """A student's snapshots, newest first."""
        return self._all_pages(self._path(f"students/{_segment(student)}/snapshots", course))

    def files(self, student: str, snapshot: str, course: Optional[str] = None) -> list[Json]:
        """The files of a student's snapshot: path, size, mode, time and content hash."""
        return self._all_pages(self._path(f"students/{_segment(student)}/snapshots/{_segment(snapshot)}/files", course))

    def take_snapshot(
        self,
        name: str,
        students: Optional[list[str]] = None,
        course: Optional[str] = None,
        include_hidden: bool = False,
        progress: bool = True,
        timeout: float = 3600.0,
    ) -> Json:
        """Snapshots the homes of the course's students (or of ``students``) as ``name`` and waits for the job to
        end, with a progress bar unless ``progress`` is false. Answers the job: each student's outcome in
        ``students``. Raises if the job failed as a whole."""
        body: Json = {"name": name, "includeHidden": include_hidden}
        if students is not None:
            body["students"] = students
        job: Json = self._json("POST", self._path("snapshots", course), json=body)["job"]
        path = self._path(f"jobs/{_segment(job['id'])}", course)
        deadline = time.monotonic() + timeout
        bar = _progress_bar(job["total"], job["name"]) if progress else None
        try:
            while job["state"] in ("queued", "running"):
                if time.monotonic() > deadline:
                    raise CourseworkError(None, f"job {job['id']} is still {job['state']} after {timeout:.0f} s")
                if bar is None:
                    job = self._json("GET", path, params={"wait": 30})
                else:
                    time.sleep(0.5)
                    job = self._json("GET", path)
                    bar.total = job["total"]
                    bar.update(job["done"] - bar.n)
        finally:
            if bar is not None:
                bar.close()
        if job["state"] == "failed":
            raise CourseworkError(None, f"the snapshot job {job['id']} failed: {job.get('error')}")
        return job

    def download_file(self, student: str, snapshot: str, path: str, to: StrPath = ".", course: Optional[str] = None) -> Path:
        """Saves one file of a student's snapshot into ``to`` (a new name if its own is taken)."""
        relative = safe_relative(path)
        target = free_name(Path(to), relative.name)
        url = self._path(f"students/{_segment(student)}/snapshots/{_segment(snapshot)}/files/{_file_path(path)}", course)
        return self._download(url, target)

    def download_zip(self, student: str, snapshot: str, to: StrPath = ".", course: Optional[str] = None) -> Path:
        """Saves a student's snapshot as ``<student>_<snapshot>.zip`` in ``to``, streamed."""
        target = free_name(Path(to), f"{student}_{snapshot}.zip")
        return self._download(self._path(f"students/{_segment(student)}/snapshots/{_segment(snapshot)}/zip", course), target)

    def download_class_zip(
        self, snapshot: str, to: StrPath = ".", students: Optional[list[str]] = None, course: Optional[str] = None
    ) -> Path:
        """Saves the snapshot ``snapshot`` of every student who has one (or of ``students``) as one zip with a folder
        per student, ``<snapshot>.zip`` in ``to``, streamed."""
        target = free_name(Path(to), f"{snapshot}.zip")
        params = {"students": ",".join(students)} if students is not None else None
        return self._download(self._path(f"snapshots/{_segment(snapshot)}/zip", course), target, params=params)

    def release_feedback(
        self,
        assignment: str,
        folder: StrPath,
        course: Optional[str] = None,
        release_at: Optional[str] = None,
        deliver: Optional[bool] = None,
    ) -> Json:
        """Releases the feedback in ``folder``, which holds a folder per student named by their user name (as
        nbgrader's ``feedback/`` does), each student's files at once. ``release_at`` (ISO time) holds them back until
        then; ``deliver`` also writes them into the students' homes (default: the service's setting). Answers the
        per-student report: ``students[name]["status"]`` is ``released``, ``unknown-student`` or ``rejected``."""
        params: dict[str, str] = {}
        if release_at is not None:
            params["releaseAt"] = release_at
        if deliver is not None:
            params["deliver"] = "true" if deliver else "false"
        with tempfile.TemporaryFile() as packed:
            counts = zip_student_folders(Path(folder), packed)
            if not counts:
                raise CourseworkError(None, f"{folder} holds no student folders")
            packed.seek(0)
            report: Json = self._json(
                "POST",
                self._path(f"feedback/{_segment(assignment)}", course),
                params=params,
                files={"zip": (f"{assignment}.zip", packed, "application/zip")},
            )
        return report

    def assignment_status(self, assignment: str, course: Optional[str] = None, as_frame: Optional[bool] = None) -> Any:
        """Each student's state on ``assignment``: due time (with extension), capture status and receipt, latest
        submission through nbgrader's exchange, feedback release. A pandas DataFrame when pandas is installed (``as_frame=False`` for a list of dicts)."""
        status = self._json("GET", self._path(f"assignments/{_segment(assignment)}/status", course))
        rows = [_status_row(student) for student in status["students"]]
        if as_frame is False:
            return rows
        try:
            import pandas
        except ImportError:
            if as_frame:
                raise
            return rows
        frame = pandas.DataFrame(rows, columns=list(_status_row({}).keys()))
        for column in ("due_at", "captured_at", "submitted_at", "feedback_released_at"):
            frame[column] = pandas.to_datetime(frame[column], utc=True)
        return frame.set_index("student")


def _status_row(student: Json) -> Json:
    receipt = student.get("receipt") or {}
    submission = student.get("submission") or {}
    return {
        "student": student.get("student"),
        "due_at": student.get("dueAt"),
        "extended": student.get("extended"),
        "status": student.get("status"),
        "captured_at": receipt.get("takenAt"),
        "late_by_seconds": receipt.get("lateBySeconds"),
        "files": receipt.get("files"),
        "bytes": receipt.get("bytes"),
        "snapshot": receipt.get("snapshot"),
        "manifest_sha256": receipt.get("manifestSha256"),
        "error": student.get("error"),
        "submitted_at": submission.get("submittedAt"),
        "submission_late_by_seconds": submission.get("lateBySeconds"),
        "submission_manifest_sha256": submission.get("manifestSha256"),
        "feedback_released_at": student.get("feedbackReleasedAt"),
    }


def _progress_bar(total: int, name: str) -> Any:
    """A tqdm bar: a widget in a notebook that has ipywidgets, text otherwise (no warning about widgets)."""
    try:
        import ipywidgets  # noqa: F401

        from tqdm.notebook import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm(total=total, desc=name, unit="home")
