"""Two helpers for chapter cells: demos that use the student's own answers, and prose built from a run.

    predict = cnnlab.solved("ch16_predict_proba_torch")      # the student's function, or None
    if predict:
        probs = predict(model, x)
        ...

`solved` returns the student's function when it is written and passes its visible tests; otherwise it prints
one line naming the exercise that unlocks the demo and returns None, so the notebook carries on. Demos never
carry their own copy of an answer.

    cnnlab.say("Train mode costs {extra:.1f} points of accuracy at batch size {bs}.", extra=..., bs=...)

`say` displays a Markdown sentence whose numbers come from the run's variables, so prose never contradicts
the output next to it.
"""
from __future__ import annotations

import os
import re
import sys

_VERDICTS: dict = {}


def _namespace() -> dict:
    try:
        from IPython import get_ipython
        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except ImportError:
        pass
    return sys._getframe(2).f_globals


def _chapter(exercise: str) -> str | None:
    from cnnlab.course import CHAPTERS
    prefix = exercise.split("_", 1)[0] + "_"
    return next((c for c in CHAPTERS if c.startswith(prefix)), None)


def solved(exercise: str, namespace: dict | None = None):
    """The student's function for `exercise` (an exercise id such as "ch17_grad_cam_torch") when it is written
    and passes its visible tests, else None after one line saying which exercise unlocks what follows."""
    function = re.sub(r"^ch\d+_", "", exercise)
    namespace = _namespace() if namespace is None else namespace
    fn = namespace.get(function)
    if os.environ.get("NBGRADER_EXECUTION"):
        print(f"(demo skipped while grading: it uses your {function}())")
        return None
    problem = None
    if not callable(fn):
        problem = f"run the cell that defines {function}() first"
    else:
        key = (exercise, id(fn), getattr(getattr(fn, "__code__", None), "co_code", None))
        if key not in _VERDICTS:
            _VERDICTS[key] = _visible_tests(exercise, namespace)
        problem = _VERDICTS[key]
    if problem:
        print(f"🔒 This demo uses your {function}() from exercise {exercise}: {problem}. "
              "Come back once it passes its tests.")
        return None
    return fn


def _visible_tests(exercise: str, namespace: dict) -> str | None:
    """None when every visible test of `exercise` passes in `namespace`, else the first problem."""
    from cnnlab import selfcheck
    chapter = _chapter(exercise)
    if chapter is None or not selfcheck.released_notebook(chapter).exists():
        return None
    for ex, _, tests in selfcheck.exercises(chapter):
        if ex == exercise:
            for source in tests:
                error = selfcheck._run_test(source, namespace, exercise)
                if error:
                    return "it is not solved yet" if error.startswith("not solved") else f"its test says: {error}"
    return None


def say(template: str, **values) -> None:
    """Display `template.format(**values)` as Markdown (plain text outside a notebook)."""
    text = template.format(**values)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
        if get_ipython() is not None:
            display(Markdown(text))
            return
    except ImportError:
        pass
    print(text)
