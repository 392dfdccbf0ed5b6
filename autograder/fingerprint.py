"""The grader's fingerprint: a hash of every module that can change a grade (the autograder and cnnlab packages).

Part of every result's cache key, and carried by every job: a Dask worker that runs other code than the
coordinator refuses the job instead of writing grades under the wrong key.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

from autograder.settings import ROOT

PACKAGES = ("autograder", "cnnlab")


@lru_cache(maxsize=1)
def grader_fingerprint() -> str:
    """Hash of the .py files of the autograder and cnnlab packages (computed once per process)."""
    h = hashlib.sha256()
    for package in PACKAGES:
        for path in sorted((ROOT / package).glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]
