"""The demo instructor's nbgrader course: Demo 101, its files (source/, release/, submitted/, ...) in ~/demo-101."""

import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "demo-101"
c.CourseDirectory.root = os.path.expanduser("~/demo-101")
