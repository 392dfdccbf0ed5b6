"""Self-learners on Colab: badges, the set-up cell, and a helper package that never touches the frameworks.

The simulated Colab is a fresh virtual environment that already holds this machine's torch and TensorFlow
(a .pth file points at a copy of the course environment's site-packages made of symlinks, without cnnlab) and
a `google.colab` module that the kernel imports at start, as Colab's does. The set-up cell runs there exactly
as written: `git clone` is redirected (git's `url.<local>.insteadOf`) to a snapshot repository of this working
tree, and `CNN_COURSE_DIR` moves `/content/cnn-course` into the test's temporary folder. No network is used
(`PIP_NO_INDEX`): an install that wanted to change a framework would fail, not download.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import notebooks as nbs
from autograder.settings import chapters, solution_path
from cnnlab.course import REPO_NAME, REPO_OWNER, REPO_URL, colab_badge, colab_url
from conftest import ROOT

FRAMEWORKS = re.compile(r"^(torch|torchvision|torchaudio|tensorflow|tensorflow[-_](cpu|gpu|intel|macos)|tf[-_]keras|"
                        r"tf[-_]nightly|keras|jax|jaxlib)$", re.I)
FROZEN = re.compile(r"^(torch|tensorflow[-_]?\w*|keras|tf[-_]keras|numpy)\b", re.I)
SIM_GROUP = pytest.mark.xdist_group("colab-sim")


def _repo_files() -> list[Path]:
    """What a clone of this working tree would hold (tracked and new files, nothing git ignores)."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                         check=True).stdout.decode()
    return [ROOT / p for p in out.split("\0") if p and (ROOT / p).is_file()]


def _setup_cell(path: Path):
    nb = nbs.read(path)
    return next(c for c in nb.cells if (nbs.grade_id(c) or "").endswith("_setup"))


def _colab_block(source: str) -> str:
    return source[:source.index("import cnnlab")]


# --------------------------------------------------------------------------- fast checks

def test_helper_package_pins_no_framework():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        from pip._vendor import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    names = [re.match(r"\s*([A-Za-z0-9._-]+)", r).group(1) for r in requirements]
    pinned = [r for r, n in zip(requirements, names) if FRAMEWORKS.match(n)]
    assert not pinned, f"pyproject.toml must not name a framework (Colab would reinstall it): {pinned}"


@pytest.mark.parametrize("chapter", chapters())
def test_setup_cell_is_the_colab_one(chapter):
    reference = _colab_block(_setup_cell(solution_path("ch16_train_vs_eval")).source)
    block = _colab_block(_setup_cell(solution_path(chapter)).source)
    assert block == reference, f"{chapter}: the set-up cell's Colab part differs from chapter 16's; " \
                               "rebuild it from the shared template (nbb.SETUP_TEMPLATE)"
    pip_line = " ".join(re.findall(r"\"pip\".*?\]", block, re.S))
    assert "--no-deps" in pip_line and not re.search(r"torch|tensorflow|keras|requirements", pip_line)
    assert "drive" not in block.lower() and "files.upload" not in block


def _all_notebooks() -> list[Path]:
    found = [p for d in ("solutions", "notebooks") for p in sorted((ROOT / d).rglob("*.ipynb"))]
    return [p for p in found if ".ipynb_checkpoints" not in p.parts]


@pytest.mark.parametrize("path", _all_notebooks(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_badge_opens_this_notebook(path):
    rel = path.relative_to(ROOT).as_posix()
    nb = nbs.read(path)
    first = next(c for c in nb.cells if c.cell_type == "markdown")
    badges = nbs.BADGE_RE.findall("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    assert badges == [colab_badge(rel)] and colab_badge(rel) in first.source, \
        f"{rel}: expected exactly one badge, in the first cell, opening {colab_url(rel)}; found {badges}"
    # every other mention of the repository is the set-up cell's clone URL or a Colab link to a real notebook
    for cell in nb.cells:
        for url in re.findall(rf"https://[^\s)\"']*{REPO_OWNER}/{REPO_NAME}[^\s)\"']*", cell.source):
            target = url.split("/blob/main/", 1)[-1]
            assert url == REPO_URL or (url == colab_url(target) and (ROOT / target).is_file()), f"{rel}: {url}"


def test_repository_url_is_written_in_one_place():
    holders = [p.relative_to(ROOT).as_posix() for p in _repo_files()
               if p.suffix != ".ipynb" and REPO_NAME in p.read_text(encoding="utf-8", errors="replace")]
    assert holders == ["cnnlab/course.py"], f"the repository URL must live only in cnnlab/course.py: {holders}"


# --------------------------------------------------------------------------- the simulated Colab

class Colab:
    """A fresh environment that already has torch and TensorFlow, and no cnnlab."""

    def __init__(self, root: Path):
        self.root = root
        site = Path(next(p for p in sys.path if p.endswith("site-packages") and Path(p, "torch").is_dir()))
        farm = root / "preinstalled"          # Colab's preinstalled packages: symlinks, never written to
        farm.mkdir(parents=True)
        for entry in site.iterdir():
            if not re.match(r"(cnnlab|__editable__|_cnnlab)|.*\.pth$", entry.name):
                (farm / entry.name).symlink_to(entry)
        fake = root / "fake-colab"            # import google.colab works, as on Colab
        (fake / "google" / "colab").mkdir(parents=True)
        (fake / "google" / "colab" / "__init__.py").write_text('"""Stand-in for Colab\'s module."""\n')
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
        self.python = root / "venv" / "bin" / "python"
        sp = next((root / "venv" / "lib").glob("python*/site-packages"))
        (sp / "colab_preinstalled.pth").write_text(f"{farm}\n{fake}\n")
        # the GitHub repository, as a local snapshot of this working tree
        self.remote = root / "remote"
        for f in _repo_files():
            dest = self.remote / f.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dest)
        git = ["git", "-c", "user.name=sim", "-c", "user.email=sim@localhost", "-c", "init.defaultBranch=main"]
        subprocess.run(git + ["init", "-q"], cwd=self.remote, check=True)
        subprocess.run(git + ["add", "-A"], cwd=self.remote, check=True)
        subprocess.run(git + ["commit", "-q", "-m", "snapshot"], cwd=self.remote, check=True)
        self.course_dir = root / "content" / "cnn-course"
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PIP_"))},
                    "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "CNN_COURSE_DIR": str(self.course_dir),
                    "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.{self.remote}.insteadOf",
                    "GIT_CONFIG_VALUE_0": REPO_URL, "TF_CPP_MIN_LOG_LEVEL": "3"}
        # the kernel: this environment's Python, google.colab imported at start like Colab's kernel does
        spec = root / "jupyter" / "kernels" / "colab-sim"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [str(self.python), "-c", "import google.colab; from ipykernel.kernelapp import launch_new_instance;"
                     " launch_new_instance()", "-f", "{connection_file}"],
            "display_name": "simulated Colab", "language": "python", "env": self.env}))

    def run(self, *args, check=True) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.python), *args], env=self.env, capture_output=True, text=True, check=check,
                              cwd=self.root)

    def frameworks(self) -> dict:
        """Name, version and location of every framework pip sees."""
        out = self.run("-c", "import json, importlib.metadata as m; print(json.dumps({d.metadata['Name']: "
                             "[d.version, str(d.locate_file(''))] for d in m.distributions()}))").stdout
        return {k: v for k, v in json.loads(out).items() if FROZEN.match(k)}


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    return Colab(tmp_path_factory.mktemp("colab"))


@pytest.mark.slow
@SIM_GROUP
def test_simulated_colab_has_the_frameworks_but_not_the_helpers(colab):
    have = colab.frameworks()
    assert any(k.lower() == "torch" for k in have) and any(k.lower().startswith("tensorflow") for k in have), have
    assert "No module named 'cnnlab'" in colab.run("-c", "import cnnlab", check=False).stderr


@pytest.mark.slow
@SIM_GROUP
def test_the_simulation_would_catch_a_framework_pin(colab, tmp_path):
    """Control: in this environment a package that pins another torch cannot be installed without changing
    torch, while the same package without the pin installs alone. Judged by pip's exit code and its install
    report, never by the wording of its messages (which changes between pip versions and index states)."""
    import torch

    def package(name: str, requirement: str) -> Path:
        pkg = tmp_path / name
        pkg.mkdir()
        (pkg / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "0"\n'
                                            f'dependencies = ["{requirement}"]\n'
                                            '[tool.setuptools]\npy-modules = []\n')
        return pkg

    def plan(pkg: Path):
        report = tmp_path / f"{pkg.name}.json"
        res = colab.run("-m", "pip", "install", "--dry-run", "--no-build-isolation", "-q", "--report", str(report),
                        str(pkg), check=False)
        installs = [i["metadata"]["name"] for i in json.loads(report.read_text())["install"]] if report.exists() else None
        return res.returncode, installs

    version = torch.__version__.split("+")[0]
    code, installs = plan(package("pinned", f"torch!={version}"))
    assert code != 0 or (installs and any(n.lower() == "torch" for n in installs)), \
        "a package pinning another torch must either fail or plan to reinstall torch"
    code, installs = plan(package("unpinned", "torch"))
    assert code == 0 and installs == ["unpinned"], (code, installs)


@pytest.mark.slow
@SIM_GROUP
def test_installing_the_helpers_even_with_their_dependencies_changes_nothing_else(colab, tmp_path):
    """Belt and braces: even `pip install <course>` without --no-deps would install only cnnlab."""
    report = tmp_path / "report.json"
    colab.run("-m", "pip", "install", "--dry-run", "--no-build-isolation", "-q", "--report", str(report),
              str(colab.remote))
    planned = [(i["metadata"]["name"], i["metadata"]["version"]) for i in json.loads(report.read_text())["install"]]
    assert [name for name, _ in planned] == ["cnnlab"], planned


@pytest.mark.slow
@SIM_GROUP
def test_setup_cell_on_colab_installs_only_the_helpers_and_the_notebook_runs(colab, monkeypatch):
    import nbclient
    before = colab.frameworks()
    nb = nbs.read(colab.remote / "notebooks" / "ch00_start_here" / "ch00_start_here.ipynb")
    setup = next(c for c in nb.cells if nbs.grade_id(c) == "ch00_setup")
    # run the set-up cell a second time, recording any command it starts: it must start none
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json, subprocess, time\n_calls, _run = [], subprocess.run\n"
        "subprocess.run = lambda *a, **k: (_calls.append(a[0]), _run(*a, **k))[1]\n_t = time.perf_counter()\n"
        + setup.source +
        "\nsubprocess.run = _run\nimport torch\n"
        "print('SIM' + json.dumps({'calls': _calls, 'cnnlab': cnnlab.__file__, 'rerun_s': time.perf_counter() - _t,"
        " 'torch': torch.__file__, 'self_check': cnnlab.self_check.__module__}))"))
    workdir = colab.root / "content"
    workdir.mkdir(exist_ok=True)
    monkeypatch.setenv("JUPYTER_PATH", str(colab.root / "jupyter"))
    nbclient.NotebookClient(nb, timeout=600, kernel_name="colab-sim", allow_errors=True,
                            resources={"metadata": {"path": str(workdir)}}).execute()
    errors = {i: nbs.error_message(c) for i, c in enumerate(nb.cells) if nbs.error_message(c)}
    assert not errors, f"ch00 does not run on the simulated Colab: {errors}"
    assert (colab.course_dir / ".git").is_dir(), "the set-up cell should have cloned the course"
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    info = json.loads(text[text.index("SIM") + 3:].splitlines()[0])
    assert info["calls"] == [], f"running the set-up cell again started {info['calls']}: it must be idempotent"
    assert info["cnnlab"].startswith(str(colab.course_dir)), info
    assert info["torch"].startswith(str(colab.root / "preinstalled")), "torch must be Colab's own"
    # pip registered the helpers in the environment, and nothing else changed
    after = colab.frameworks()
    assert after == before, f"frameworks changed: {before} -> {after}"
    assert "cnnlab" in colab.run("-m", "pip", "list", "--format=freeze").stdout
