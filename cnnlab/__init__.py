"""cnnlab: the small helper library behind the course notebooks.

It holds only what the chapters would otherwise repeat: data, the paired
PyTorch/Keras model, weight transfer, plotting grids, seeding and device choice.
Heavy frameworks are imported lazily, so `import cnnlab` is cheap.
"""
from cnnlab.env import setup, seed_everything, torch_device
from cnnlab.notebook import say, solved
from cnnlab.selfcheck import self_check

__all__ = ["setup", "seed_everything", "torch_device", "self_check", "say", "solved"]
__version__ = "0.1.0"
