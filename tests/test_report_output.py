"""Run directories and atomic writes (critlocus.output)."""

import os

import pytest

from critlocus.core.errors import CritlocusError
from critlocus.output import atomic_write_text, new_run_dir, new_run_id, point_latest


def test_run_ids_are_unique_within_one_second(tmp_path):
    made = [new_run_dir(tmp_path, "verify") for _ in range(50)]
    ids = [run_id for run_id, _ in made]
    assert len(set(ids)) == 50
    for run_id, path in made:
        assert path.is_dir() and path.name == run_id and run_id.startswith("verify-")


def test_run_id_rejects_path_characters():
    with pytest.raises(CritlocusError, match="run name"):
        new_run_id("../x")


def test_atomic_write_replaces_whole_file_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "sub" / "results.json"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new text")
    assert target.read_text() == "new text"
    assert os.listdir(target.parent) == ["results.json"]


def test_latest_points_at_the_newest_run(tmp_path):
    _, first = new_run_dir(tmp_path, "check")
    _, second = new_run_dir(tmp_path, "check")
    (second / "results.json").write_text("{}")
    point_latest(tmp_path, first)
    link = point_latest(tmp_path, second)
    assert (link / "results.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
