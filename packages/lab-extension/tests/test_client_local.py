"""The Python client's own parts, without a service: finding the service, names that never replace files,
downloads written whole, the feedback folder packed as the service reads it, the status rows."""

import io
import os
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path
from unittest import mock

from coursework import Coursework, CourseworkError
from coursework._client import _status_row
from coursework._files import free_name, safe_relative, write_new, zip_student_folders


class FindingTheService(unittest.TestCase):
    def test_without_a_token_says_where_to_run_it(self) -> None:
        with mock.patch.dict(os.environ, {"COURSEWORK_URL": "http://127.0.0.1:1/"}, clear=True):
            with self.assertRaisesRegex(CourseworkError, "inside JupyterHub .* or pass token="):
                Coursework()

    def test_without_an_address_says_how_to_give_one(self) -> None:
        with mock.patch.dict(os.environ, {"JUPYTERHUB_API_TOKEN": "t"}, clear=True):
            with self.assertRaisesRegex(CourseworkError, "COURSEWORK_URL.*Pass url="):
                Coursework()

    def test_reads_both_from_the_environment(self) -> None:
        with mock.patch.dict(os.environ, {"JUPYTERHUB_API_TOKEN": "t", "COURSEWORK_URL": "http://h:1/services/coursework"}):
            with Coursework() as client:
                self.assertEqual(client.url, "http://h:1/services/coursework/")
                self.assertEqual(client._path("students", "c 1/x"), "api/v1/courses/c%201%2Fx/students")
                self.assertEqual(client._path("students", None), "api/v1/students")

    def test_an_unreachable_service_is_a_clear_error(self) -> None:
        with Coursework(url="http://127.0.0.1:9/", token="t", timeout=2) as client:
            with self.assertRaisesRegex(CourseworkError, "could not be reached"):
                client.me()


class Files(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp())

    def test_free_names_follow_the_labs_copy_to_home(self) -> None:
        self.assertEqual(free_name(self.dir, "a.ipynb"), self.dir / "a.ipynb")
        (self.dir / "a.ipynb").write_text("mine")
        self.assertEqual(free_name(self.dir, "a.ipynb"), self.dir / "a-feedback.ipynb")
        (self.dir / "a-feedback.ipynb").write_text("mine too")
        self.assertEqual(free_name(self.dir, "a.ipynb"), self.dir / "a-feedback-2.ipynb")
        (self.dir / "hw1.d").mkdir()
        self.assertEqual(free_name(self.dir, "hw1.d", is_dir=True), self.dir / "hw1.d-feedback")
        os.symlink("/nonexistent", self.dir / "dangling")
        self.assertEqual(free_name(self.dir, "dangling"), self.dir / "dangling-feedback")

    def test_paths_from_the_service_stay_inside(self) -> None:
        self.assertEqual(str(safe_relative("a/b.txt")), "a/b.txt")
        for bad in ("", "/etc/passwd", "../x", "a/../../x", "a//b", "a\\b", "a/./b"):
            with self.assertRaises(ValueError, msg=bad):
                safe_relative(bad)

    def test_a_failed_download_leaves_nothing(self) -> None:
        def chunks():
            yield b"half"
            raise ConnectionError("cut")

        with self.assertRaises(ConnectionError):
            write_new(self.dir / "f.zip", chunks())
        self.assertEqual(os.listdir(self.dir), [])
        self.assertEqual(write_new(self.dir / "sub" / "f.zip", [b"ab", b"c"]), 3)
        self.assertEqual((self.dir / "sub" / "f.zip").read_bytes(), b"abc")

    def test_feedback_folders_pack_regular_files_only(self) -> None:
        (self.dir / "student1" / "hw1" / ".ipynb_checkpoints").mkdir(parents=True)
        (self.dir / "student1" / "hw1" / "report.html").write_text("<p>ok</p>")
        (self.dir / "student1" / "hw1" / ".ipynb_checkpoints" / "x.ipynb").write_text("{}")
        (self.dir / "student2").mkdir()
        (self.dir / "student2" / "notes.txt").write_text("fine")
        os.symlink("/etc/passwd", self.dir / "student2" / "passwd")
        os.symlink(self.dir / "student1", self.dir / "student3")
        (self.dir / "loose.txt").write_text("not a student's")
        packed = io.BytesIO()
        counts = zip_student_folders(self.dir, packed)
        self.assertEqual(counts, {"student1": 1, "student2": 1})
        with zipfile.ZipFile(packed) as archive:
            self.assertEqual(sorted(archive.namelist()), ["student1/hw1/report.html", "student2/notes.txt"])

    def test_a_file_is_not_a_feedback_folder(self) -> None:
        (self.dir / "f").write_text("")
        with self.assertRaises(NotADirectoryError):
            zip_student_folders(self.dir / "f", io.BytesIO())


class StatusRows(unittest.TestCase):
    STATUS = {
        "student": "s1",
        "dueAt": "2026-12-01T17:00:00.000Z",
        "extended": True,
        "status": "captured",
        "receipt": {"snapshot": "hw1_2026-12-01", "takenAt": "2026-12-01T17:00:01.000Z", "files": 3, "bytes": 10,
                    "manifestSha256": "ab", "lateBySeconds": None},
        "error": None,
        "feedbackReleasedAt": None,
    }

    def test_flattened_with_the_receipt(self) -> None:
        row = _status_row(self.STATUS)
        self.assertEqual(row["captured_at"], "2026-12-01T17:00:01.000Z")
        self.assertEqual(row["files"], 3)
        self.assertIsNone(_status_row({**self.STATUS, "receipt": None})["captured_at"])

    def test_a_list_of_dicts_without_pandas(self) -> None:
        client = Coursework(url="http://127.0.0.1:9/", token="t")
        with mock.patch.object(client, "_json", return_value={"students": [self.STATUS]}), mock.patch.dict(sys.modules, {"pandas": None}):
            rows = client.assignment_status("hw1")
        self.assertIsInstance(rows, list)
        self.assertEqual(rows[0]["student"], "s1")


if __name__ == "__main__":
    unittest.main()
