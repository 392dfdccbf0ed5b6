"""One-framework views (autograder/views.py): in sync with the release, complete, and they execute."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from autograder import notebooks as nbs
from autograder.settings import release_path, solution_path
from autograder.views import FRAMEWORKS, OTHER, analyse, render_views, view_path
from cnnlab.course import colab_badge
from cnnlab.selfcheck import exercises
from conftest import ROOT, chapter_params

CHAPTERS = [p for p in chapter_params(graded_only=False) if release_path(p.values[0]).exists()]
EXECUTED = ("ch00_start_here", "ch16_train_vs_eval")


def _tag(cell):
    return next((t for t in cell.metadata.get("tags", []) if t in FRAMEWORKS), None)


def _hidden(cell) -> bool:
    return bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_views_equal_a_fresh_render(chapter):
    for path, text in render_views(chapter).items():
        assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `python -m autograder release {chapter}`"
        assert path.read_text(encoding="utf-8") == text, \
            f"{path.relative_to(ROOT)} is stale: run `python -m autograder release {chapter}`"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_views_keep_their_framework_and_collapse_the_other(chapter):
    full = nbs.read(release_path(chapter))
    for fw in FRAMEWORKS:
        nb = nbs.read(view_path(chapter, fw))
        assert nb.metadata.get("cnnlab_view") == fw
        rel = view_path(chapter, fw).relative_to(ROOT).as_posix()
        assert colab_badge(rel) in nb.cells[0].source, "the view's badge opens the view itself"
        # every shared and same-framework cell, in order, unchanged (the self-check call names the framework)
        expected = [c.source for c in full.cells[1:] if _tag(c) != OTHER[fw]]
        got = [re.sub(r', framework="\w+"\)', ")", c.source) for c in nb.cells[1:]
               if _tag(c) != OTHER[fw] and not c.source.startswith("<small>▸")]
        assert got == expected
        for i, cell in enumerate(nb.cells):
            if _tag(cell) == OTHER[fw]:
                assert cell.cell_type == "code" and _hidden(cell), f"cell {i}: visible {OTHER[fw]} cell in the {fw} view"
                assert not (nbs.is_solution_cell(cell) or nbs.is_test_cell(cell)), f"cell {i}: other framework's exercise"
                assert nb.cells[i - 1].source.startswith("<small>▸") or _hidden(nb.cells[i - 1]), \
                    f"cell {i}: a collapsed cell needs the note before it"


def test_analysis_finds_reads_bindings_and_changes():
    n = analyse("import numpy as np\nx = np.ones(3) + y\nfor i in range(3):\n    total += i\n"
                "def f(a):\n    return a + z\nmodel.eval()\ntransfer.torch_to_keras(src, dst)\n"
                "vals = [v * w for v in items]\nlayer.weight[0] = 1\n%timeit f(1)\n")
    assert {"y", "total", "z", "model", "items", "w", "src", "dst"} <= n.uses
    assert not {"i", "v", "a", "x", "np"} & n.uses
    assert {"np", "x", "i", "f", "vals"} <= n.defs
    assert {"model", "dst", "layer"} <= n.touches and "src" not in n.touches


def _solved(nb, chapter):
    """The view with each exercise answered by the reference solution."""
    answers = {nbs.grade_id(c): c.source for c in nbs.read(solution_path(chapter)).cells if nbs.is_solution_cell(c)}
    for cell in nb.cells:
        if nbs.is_solution_cell(cell) and cell.cell_type == "code":
            cell.source = answers[nbs.grade_id(cell)]
    return nb


def _execute(nb, cwd):
    import nbclient
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}}).execute()
    return {i: nbs.error_message(c) for i, c in enumerate(nb.cells) if nbs.error_message(c)}


# ch00's views run as they are (no exercises); ch16's TensorFlow view runs solved in a kernel, its PyTorch view
# solved through the self-check command (`python -m cnnlab.selfcheck`), which executes the notebook itself.
EXECUTIONS = [("ch00_start_here", "pytorch"), ("ch00_start_here", "tensorflow"), ("ch16_train_vs_eval", "tensorflow")]


@pytest.mark.slow
@pytest.mark.parametrize("chapter, framework", [pytest.param(c, f, id=f"{c}-{f}", marks=pytest.mark.xdist_group(f"views-{c}"))
                                                for c, f in EXECUTIONS])
def test_view_executes_and_its_self_check_passes_when_solved(chapter, framework):
    path = view_path(chapter, framework)
    nb = _solved(nbs.read(path), chapter)
    errors = _execute(nb, path.parent)
    assert not errors, f"the {framework} view of {chapter} does not run: {errors}"
    check = next(c for c in nb.cells if c.cell_type == "code" and "self_check(" in c.source)
    text = "".join(o.get("text", "") for o in check.outputs)
    done = re.search(r"(\d+)/(\d+) exercises pass", text)
    assert (done and done.group(1) == done.group(2)) or "no graded exercises" in text, text


@pytest.mark.slow
@pytest.mark.xdist_group("views-ch16_train_vs_eval-cli")
def test_self_check_command_runs_the_solved_pytorch_view(tmp_path):
    chapter = "ch16_train_vs_eval"
    solved = tmp_path / f"{chapter}_pytorch.ipynb"
    nbs.write(_solved(nbs.read(view_path(chapter, "pytorch")), chapter), solved)
    res = subprocess.run([sys.executable, "-m", "cnnlab.selfcheck", str(solved)], capture_output=True, text=True,
                         timeout=900)
    assert res.returncode == 0, res.stdout + res.stderr[-3000:]
    assert "(PyTorch exercises)" in res.stdout and "outside the exercises" not in res.stdout, res.stdout
    pytorch_exercises = [e for e, tag, _ in exercises(chapter) if tag != "tensorflow"]
    assert f"{len(pytorch_exercises)}/{len(pytorch_exercises)} exercises pass" in res.stdout, res.stdout
