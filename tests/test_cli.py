"""The `joblog-dash` command line (the demo command; import commands are tested with the importer)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from joblog_dash import cli
from joblog_dash.data import store


def test_demo_command_builds_the_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_facts_path: Path
):
    assert cli.main(["demo", "--data-dir", str(tmp_path)]) == 0
    manifest = store.current_manifest(tmp_path)
    assert manifest.is_demo and manifest.details["seed"] == 2018
    out = capsys.readouterr().out
    # Danish thousands separator in the summary line.
    rows = f"{manifest.rows:,}".replace(",", ".")
    assert f"version {manifest.version}, {rows} rækker, 2015-01-01 – 2026-08-01." in out
    # Same seed as the session build, so the same bytes.
    assert store.current_paths(tmp_path)[0].read_bytes() == demo_facts_path.read_bytes()


@pytest.mark.parametrize(
    "argv",
    [["demo", "--data-dir", "DIR"], ["--data-dir", "DIR", "demo"]],
    ids=["after-command", "before-command"],
)
def test_data_dir_accepted_before_or_after_the_command(argv: list[str], tmp_path: Path):
    args = cli.build_parser().parse_args([str(tmp_path) if a == "DIR" else a for a in argv])
    assert Path(args.data_dir) == tmp_path
    assert (args.seed, args.scale) == (2018, "demo")


def test_demo_options_are_parsed():
    args = cli.build_parser().parse_args(["demo", "--seed", "7", "--scale", "full"])
    assert (args.seed, args.scale) == (7, "full")
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["demo", "--scale", "huge"])
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args([])  # a command is required


def test_versions_command_after_demo(demo_data_dir: Path, capsys: pytest.CaptureFixture[str]):
    assert cli.main(["versions", "--data-dir", str(demo_data_dir)]) == 0
    out = capsys.readouterr().out
    assert store.current_version(demo_data_dir) in out and "demo" in out


def test_console_script_entry_point_runs():
    # The installed module runs as a program and lists its commands.
    result = subprocess.run(
        [sys.executable, "-m", "joblog_dash.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "demo" in result.stdout
