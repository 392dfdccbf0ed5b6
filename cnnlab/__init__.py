"""cnnlab: the small helper library behind the course notebooks.

It holds only what the chapters would otherwise repeat: data, the paired
PyTorch/Keras model, weight transfer, plotting grids, seeding and device choice.
Heavy frameworks are imported lazily, so `import cnnlab` is cheap.
"""
from cnnlab.env import setup, seed_everything, torch_device
from cnnlab.notebook import say, solved


def self_check(chapter: str, framework: str | None = None, namespace: dict | None = None) -> None:
    """Print which exercises of `chapter` pass their visible tests (see cnnlab.selfcheck)."""
    from cnnlab.notebook import _namespace
    from cnnlab.selfcheck import self_check as run   # imported late: `python -m cnnlab.selfcheck` stays clean
    run(chapter, framework, _namespace() if namespace is None else namespace)

__all__ = ["setup", "seed_everything", "torch_device", "self_check", "say", "solved"]
__version__ = "0.1.0"
