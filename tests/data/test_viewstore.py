"""data.viewstore: values stored with a dataset version, read back whole; damage reads as absent."""

from __future__ import annotations

import struct
from pathlib import Path

import polars as pl

from joblog_dash.data import viewstore


def _facts(tmp_path: Path, version: str = "v1") -> Path:
    folder = tmp_path / version
    folder.mkdir()
    return folder / "facts.parquet"


def test_a_stored_value_reads_back_equal_and_only_for_its_version_and_code(tmp_path: Path) -> None:
    facts, other = _facts(tmp_path), _facts(tmp_path, "v2")
    value = {"frame": pl.DataFrame({"a": [1, 2]}), "n": 3}
    assert viewstore.load(facts, "c1", "x") is None
    viewstore.save(facts, "c1", "x", value)
    back = viewstore.load(facts, "c1", "x")
    assert back["n"] == 3 and back["frame"].equals(value["frame"])
    assert viewstore.load(other, "c1", "x") is None  # another version
    assert viewstore.load(facts, "c2", "x") is None  # another build of the code
    assert viewstore.size(facts, "c1")[0] == 1
    assert not [p for p in viewstore.folder(facts, "c1").iterdir() if p.suffix == ".tmp"]  # no leftovers


def test_a_damaged_file_reads_as_absent(tmp_path: Path) -> None:
    facts = _facts(tmp_path)
    viewstore.save(facts, "c1", "x", [1, 2, 3])
    (viewstore.folder(facts, "c1") / "x.pkl").write_bytes(b"\x80\x05 not a pickle")
    assert viewstore.load(facts, "c1", "x") is None


def test_a_flipped_bit_in_a_stored_frame_reads_as_absent_not_as_another_number(tmp_path: Path) -> None:
    facts = _facts(tmp_path)
    viewstore.save(facts, "c1", "x", pl.DataFrame({"persons": [123456789, 5]}))
    path = viewstore.folder(facts, "c1") / "x.pkl"
    data = bytearray(path.read_bytes())
    at = data.find(struct.pack("<q", 123456789))  # the number itself, inside the pickled frame
    assert at > 0
    data[at] ^= 0x01  # unchecked, this loads as 123456788
    path.write_bytes(bytes(data))
    assert viewstore.load(facts, "c1", "x") is None


def test_prune_drops_what_other_code_stored(tmp_path: Path) -> None:
    facts = _facts(tmp_path)
    viewstore.save(facts, "old", "x", 1)
    viewstore.save(facts, "new", "x", 2)
    viewstore.prune(facts, "new")
    assert viewstore.load(facts, "old", "x") is None and viewstore.load(facts, "new", "x") == 2


def test_a_folder_that_cannot_be_written_is_not_an_error(tmp_path: Path) -> None:
    facts = _facts(tmp_path)
    (facts.parent / viewstore.FOLDER).write_text("a file where the folder should be")
    viewstore.save(facts, "c1", "x", 1)  # logs, does not raise
    assert viewstore.load(facts, "c1", "x") is None
