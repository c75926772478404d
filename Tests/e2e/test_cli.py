"""The `backoffice` binary answers --help and refuses unknown commands with exit 2."""
import subprocess

from conftest import BACKOFFICE


def test_help_lists_commands():
    result = subprocess.run([BACKOFFICE, "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "usage: backoffice" in result.stdout


def test_unknown_command_is_a_usage_error():
    result = subprocess.run([BACKOFFICE, "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "unknown command" in result.stderr
