"""analysis/ as a package: `tiersim-plot --help` works (every form of the command), pyproject.toml declares
the dependencies and the console script, and `pip install` of a copy of analysis/ (offline: no index, no
build isolation, Debian's setuptools and wheel) gives a working `tiersim-plot`."""
import importlib
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tiersim_analysis import figures
from tiersim_analysis.__main__ import main

ANALYSIS = Path(__file__).resolve().parents[2] / "analysis"
WRAPPER = ANALYSIS / "tiersim-plot"
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


def _check_help(text):
    assert text.startswith("usage: tiersim-plot")
    for name in list(figures.FIGURES) + ["list", "all", "numbers", "report"]:
        assert name in text, name
    assert "95% intervals" in text  # the literal % of the response figure's help, once argparse's crash


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    assert exit.value.code == 0
    _check_help(capsys.readouterr().out)


@pytest.mark.parametrize("command", list(figures.FIGURES) + ["list", "all", "numbers", "report"])
def test_help_of_every_command(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([command, "--help"])
    assert exit.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: tiersim-plot {command}")


def test_the_wrapper_prints_help_without_pythonpath():
    result = subprocess.run([str(WRAPPER), "--help"], capture_output=True, text=True, env=CLEAN_ENV)
    assert result.returncode == 0, result.stderr
    _check_help(result.stdout)


def test_pyproject_declares_the_dependencies_and_the_entry_point():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(ANALYSIS / "pyproject.toml", "rb") as f:
        config = tomllib.load(f)
    assert config["build-system"]["build-backend"] == "setuptools.build_meta"
    project = config["project"]
    assert project["name"] == "tiersim-analysis"
    names = {dep.split(";")[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip().lower()
             for dep in project["dependencies"]}
    assert {"h5py", "pandas", "numpy", "matplotlib"} <= names
    assert config["tool"]["setuptools"]["packages"] == ["tiersim_analysis"]
    target = project["scripts"]["tiersim-plot"]
    module, _, function = target.partition(":")
    assert getattr(importlib.import_module(module), function) is main


def _pip_usable():
    try:
        result = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and importlib.util.find_spec("setuptools") is not None \
        and importlib.util.find_spec("wheel") is not None


@pytest.mark.skipif(not _pip_usable(), reason="needs pip, setuptools and wheel for this python (Debian: python3-pip)")
def test_pip_installs_the_package_and_its_tiersim_plot(tmp_path, results_path):
    # A copy: building writes build/ and *.egg-info next to pyproject.toml, never into the source tree.
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(ANALYSIS / "pyproject.toml", source)
    shutil.copytree(ANALYSIS / "tiersim_analysis", source / "tiersim_analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    site = tmp_path / "site"
    env = dict(CLEAN_ENV, PIP_CONFIG_FILE="/dev/null", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_ROOT_USER_ACTION="ignore", PIP_NO_INPUT="1", PYTHONDONTWRITEBYTECODE="1")
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
                              "--no-index", "--target", str(site), str(source)],
                             capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    assert (site / "tiersim_analysis" / "metrics.py").exists()
    (dist_info,) = site.glob("tiersim_analysis-*.dist-info")
    assert "tiersim-plot = tiersim_analysis.__main__:main" in (dist_info / "entry_points.txt").read_text()

    script = site / "bin" / "tiersim-plot"
    run_env = dict(env, PYTHONPATH=str(site), MPLBACKEND="Agg")  # the installed copy, not analysis/
    where = subprocess.run([sys.executable, "-c", "import tiersim_analysis; print(tiersim_analysis.__file__)"],
                           capture_output=True, text=True, env=run_env, cwd=tmp_path, check=True)
    assert Path(where.stdout.strip()).is_relative_to(site)
    help_ = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=run_env, cwd=tmp_path)
    assert help_.returncode == 0, help_.stderr
    _check_help(help_.stdout)
    numbers = subprocess.run([str(script), "numbers", str(results_path)], capture_output=True, text=True,
                             env=run_env, cwd=tmp_path)
    assert numbers.returncode == 0, numbers.stderr
    assert "local content share" in numbers.stdout
