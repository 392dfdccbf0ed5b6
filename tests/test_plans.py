"""Opt-in (`make test-plans`, TEST_PLANS=1): the demo class (`make demo`: ch16's) gets the same points under
--plan pruned and --plan full; CHAPTERS="..." names other chapters. `make test` compares the plans on one correct and one wrong bank composite per
chapter (test_chapters.py); `make test-plans` also sends every bank answer and the hostile batch through both."""
from __future__ import annotations

import os

import pytest

from autograder.demo import PREFERRED, build_class

DEMO_CHAPTERS = os.environ.get("CHAPTERS", "").split() or [PREFERRED]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not os.environ.get("TEST_PLANS"), reason="opt-in: make test-plans")]


@pytest.mark.parametrize("chapter", DEMO_CHAPTERS)
def test_the_demo_class_gets_the_same_points_under_both_plans(chapter, tmp_path):
    from autograder.grade import Options, grade
    build_class(chapter, tmp_path / "submissions")
    rows = {plan: {r.student_id: r for r in grade(chapter, tmp_path / "submissions", tmp_path / plan, workers=2,
                                                   log=lambda *_: None, options=Options(seed=3, plan=plan))}
            for plan in ("pruned", "full")}
    assert rows["pruned"].keys() == rows["full"].keys()
    for student, full in rows["full"].items():
        pruned = rows["pruned"][student]
        assert (pruned.status, pruned.scores) == (full.status, full.scores), f"{student}: the plans disagree"
    fell_back = sorted(s for s, r in rows["pruned"].items() if {"ran_in_full", "regraded_in_full"} & set(r.flags))
    print(f"{chapter}: {len(rows['full'])} students, run in full under the pruned plan: {fell_back}")
