"""Bad files (issue 14): the loaders and `tiersim-plot` answer every file that is not a readable tiersim
results file — truncated, corrupt, text, empty, binary, a foreign HDF5 file, missing, a directory — with one
line naming the file and the problem, and the command exits 2; never a traceback. The files are made here,
in tmp dirs, from the real teaching results (TIERSIM_RESULTS)."""
import os
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

from tiersim_analysis import ResultsFileError, load, load_run, load_sweep
from tiersim_analysis.__main__ import main
from tiersim_analysis.load import is_sweep

WRAPPER = Path(__file__).resolve().parents[2] / "analysis" / "tiersim-plot"
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}


def _truncated(results_path, folder):
    path = folder / "truncated.h5"
    with open(results_path, "rb") as source, open(path, "wb") as out:
        out.write(source.read(os.path.getsize(results_path) // 2))  # a copy cut off by a full disk
    return path


def _corrupt_superblock(results_path, folder):
    path = folder / "corrupt-superblock.h5"
    shutil.copy(results_path, path)
    with open(path, "r+b") as f:  # the signature stays; the superblock and root group after it do not
        f.seek(8)
        f.write(b"\xa5" * 4088)
    return path


def _corrupt_metadata(results_path, folder):
    path = folder / "corrupt-metadata.h5"
    shutil.copy(results_path, path)
    with open(path, "r+b") as f:  # superblock intact, the object headers and B-trees behind it garbage
        f.seek(256)
        f.write(np.random.default_rng(14).integers(0, 256, 64 * 1024, dtype=np.uint8).tobytes())
    return path


def _foreign(folder):
    path = folder / "foreign.h5"
    with h5py.File(path, "w") as f:  # valid HDF5 that some other program wrote
        f.attrs["creator"] = "not tiersim"
        f["temperature"] = np.arange(10.0)
        f.create_group("series")["by_tier"] = np.arange(3)  # a name we use does not make it ours
        del f["series"]
    return path


#: name -> (make(results_path, folder) -> path, words the one line must hold)
BAD_FILES = {
    "truncated": (_truncated, "truncated"),
    "corrupt superblock": (_corrupt_superblock, "corrupt"),
    "corrupt metadata": (_corrupt_metadata, "corrupt"),
    "text": (lambda r, d: _write(d / "notes.h5", b"tick,firms\n0,12\n"), "text file"),
    "empty": (lambda r, d: _write(d / "empty.h5", b""), "empty"),
    "binary": (lambda r, d: _write(d / "random.h5", bytes(range(256)) * 8), "not an HDF5 file"),
    "foreign HDF5": (lambda r, d: _foreign(d), "not a tiersim results file"),
    "missing": (lambda r, d: d / "no-such-run.h5", "no such file"),
    "directory": (lambda r, d: _mkdir(d / "results.h5"), "directory"),
}


def _write(path, data):
    path.write_bytes(data)
    return path


def _mkdir(path):
    path.mkdir()
    return path


@pytest.fixture(params=list(BAD_FILES))
def bad_file(request, results_path, tmp_path):
    make, words = BAD_FILES[request.param]
    return make(results_path, tmp_path), words


def _one_line(text):
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_load_raises_one_line_naming_the_file_and_the_problem(bad_file):
    path, words = bad_file
    with pytest.raises(ResultsFileError) as error:
        load(path)
    message = _one_line(str(error.value))
    assert message.startswith(f"{path}: ")
    assert words in message
    assert error.value.path == str(path)
    assert isinstance(error.value, ValueError)  # what load_run and load_sweep always raised


@pytest.mark.parametrize("loader", [load_run, load_sweep, is_sweep])
def test_every_loader_refuses_a_bad_file_the_same_way(loader, bad_file):
    path, words = bad_file
    with pytest.raises(ResultsFileError, match=words):
        loader(path)


@pytest.mark.parametrize("command", [["numbers"], ["pyramid", "-o", "OUT.png"], ["report", "-o", "OUT.html"],
                                     ["all", "-o", "OUT"], ["response", "-o", "OUT.png"]])
def test_the_command_prints_one_line_and_exits_2(command, bad_file, tmp_path, capsys):
    path, words = bad_file
    argv = [tmp_path / "out" / a[3:] if a.startswith("OUT") else a for a in command]
    argv = [str(a) for a in argv[:1] + [path] + argv[1:]]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = _one_line(captured.err)
    assert line.startswith(f"tiersim-plot: {path}: ") and words in line
    assert not (tmp_path / "out").exists()  # nothing written for a file that was not read


def test_a_bad_second_file_is_named_not_the_good_first(results_path, tmp_path, capsys):
    bad = _truncated(results_path, tmp_path)
    assert main(["compare", str(results_path), str(bad), "-o", str(tmp_path / "ab.png")]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"tiersim-plot: {bad}: truncated")


@pytest.mark.parametrize("name", ["truncated", "corrupt metadata", "foreign HDF5", "directory", "text"])
def test_the_wrapper_exits_2_without_a_traceback(name, results_path, tmp_path):
    path = BAD_FILES[name][0](results_path, tmp_path)
    result = subprocess.run([str(WRAPPER), "numbers", str(path)], capture_output=True, text=True,
                            env=CLEAN_ENV, timeout=300)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert _one_line(result.stderr).startswith(f"tiersim-plot: {path}: ")


def test_a_good_file_still_loads(results_path):
    assert load(results_path).ticks > 0


def test_a_truncated_sweep_file_is_named(sweep_path, tmp_path, capsys):
    bad = _truncated(sweep_path, tmp_path)
    assert main(["response", str(bad), "-o", str(tmp_path / "r.png")]) == 2
    assert "truncated" in _one_line(capsys.readouterr().err)


def test_a_sweep_without_a_run_s_results_names_the_run(sweep):
    with pytest.raises(ResultsFileError, match="no results of run 'nope'"):
        sweep.run("nope")


def test_a_sweep_file_passed_as_a_run_is_named(sweep_path):
    with pytest.raises(ResultsFileError, match="a sweep file, not a single run"):
        load_run(sweep_path)


def test_an_output_that_cannot_be_written_is_one_line_and_exit_1(results_path, tmp_path, capsys):
    out = tmp_path / "no-such-folder" / "pyramid.png"
    assert main(["pyramid", str(results_path), "-o", str(out)]) == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("tiersim-plot: cannot write ") and "no-such-folder" in line
