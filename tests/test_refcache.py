"""The machine-wide store of the judge's references (autograder/refcache.py)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder import judge, refcache
from autograder.settings import ROOT

SOLUTION = ROOT / "tests" / "fixtures" / "toycourse" / "solutions" / "toy" / "toy.ipynb"

# run by separate processes: each gets the value for one key, computing it (slowly, counted) when absent
WORKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from autograder import refcache
    from cnnlab.checks import Spec
    counter = Path(sys.argv[1])

    def compute():
        with open(counter, "a") as handle:
            handle.write("computed\\n")
        time.sleep(1.0)
        return {"t": {"values": [41], "specs": [Spec("within bounds", judge=lambda got, ref: 0 < got <= ref + 1)]}}

    refs = refcache.get_or_compute("solution-fingerprint", 3, compute)
    spec = refs["t"]["specs"][0]
    print(spec.message, spec.judge(42, refs["t"]["values"][0]), spec.judge(43, refs["t"]["values"][0]))
""")


@pytest.fixture
def store(tmp_path, monkeypatch):
    where = tmp_path / "references"
    monkeypatch.setenv("AUTOGRADER_REFERENCE_CACHE", str(where))
    return where


def _workers(n: int, counter: Path, store: Path) -> list[str]:
    env = dict(os.environ, AUTOGRADER_REFERENCE_CACHE=str(store), PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(counter)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(n)]
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outs.append(out.strip())
    return outs


def test_processes_of_a_machine_compute_a_key_once_and_share_it_lambdas_included(store, tmp_path):
    counter = tmp_path / "computed.txt"
    outs = _workers(3, counter, store)                   # at the same time: one computes, two wait and load
    assert outs == ["within bounds True False"] * 3
    assert counter.read_text().count("computed") == 1
    assert _workers(1, counter, store) == ["within bounds True False"]      # a later command loads it too
    assert counter.read_text().count("computed") == 1
    assert oct(store.stat().st_mode & 0o777) == "0o700"


def test_an_unreadable_entry_is_computed_again(store):
    calls = []

    def compute():
        calls.append(1)
        return {"t": {"values": [len(calls)], "specs": []}}
    assert refcache.get_or_compute("fp", 0, compute)["t"]["values"] == [1]
    (entry,) = store.glob("*.pickle")
    entry.write_bytes(b"\x80\x05 truncated")
    assert refcache.get_or_compute("fp", 0, compute)["t"]["values"] == [2]
    assert refcache.get_or_compute("fp", 0, compute)["t"]["values"] == [2]       # and stored again
    assert len(calls) == 2


def test_a_folder_others_can_open_is_not_used(store):
    store.mkdir(mode=0o755)
    store.chmod(0o755)
    calls = []
    for _ in range(2):
        refcache.get_or_compute("fp", 0, lambda: calls.append(1) or {"t": {}})
    assert len(calls) == 2 and not list(store.iterdir())
    assert oct(store.stat().st_mode & 0o777) == "0o755"            # and left as it was


def test_the_key_holds_what_a_reference_value_depends_on(store, monkeypatch):
    base = refcache.key("fp", 0)
    assert refcache.key("fp", 0) == base
    assert refcache.key("fp", 1) != base                 # the seed
    assert refcache.key("other", 0) != base              # the solution notebook
    monkeypatch.setenv("OMP_NUM_THREADS", "7")           # the numerics settings a kernel also gets
    assert refcache.key("fp", 0) != base
    monkeypatch.delenv("OMP_NUM_THREADS")
    monkeypatch.setattr(refcache, "_versions", lambda: ["torch=0.0"])
    assert refcache.key("fp", 0) != base
    monkeypatch.undo()
    monkeypatch.setattr(refcache, "_cpu", lambda: "another processor")      # a home folder shared by a cluster
    assert refcache.key("fp", 0) != base


def test_a_store_a_kernel_could_read_is_never_used(monkeypatch, tmp_path):
    inside = Path(sys.prefix) / "autograder-references-test"          # sys.prefix is bound into every kernel
    monkeypatch.setenv("AUTOGRADER_REFERENCE_CACHE", str(inside))
    assert not refcache.hidden_from_kernels(inside)
    try:
        calls = []
        for _ in range(2):
            refcache.get_or_compute("fp", 0, lambda: calls.append(1) or {"t": {}})
        assert len(calls) == 2 and not list(inside.glob("*.pickle"))
    finally:
        if inside.exists():
            for entry in inside.iterdir():
                entry.unlink()
            inside.rmdir()
    assert refcache.hidden_from_kernels(tmp_path / "references")


def test_the_judge_shares_references_only_when_asked(store, monkeypatch):
    from autograder import notebooks as nbs
    source = nbs.read(SOLUTION)
    monkeypatch.setattr(judge, "_CACHE", {})
    unshared = judge.references(source, 11)
    assert not list(store.glob("*.pickle"))
    monkeypatch.setattr(judge, "_CACHE", {})
    shared = judge.references(source, 11, shared=True)
    assert shared == unshared and len(list(store.glob("*.pickle"))) == 1

    def fail(*_):
        raise AssertionError("computed again")
    monkeypatch.setattr(judge, "_CACHE", {})
    monkeypatch.setattr(judge, "_compute", fail)
    assert judge.references(source, 11, shared=True) == unshared        # another process: loaded
