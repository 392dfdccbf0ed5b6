"""Notebook environment: quiet TensorFlow, seed everything, choose a device.

`setup()` is what every chapter's setup cell calls. It is idempotent.
"""
from __future__ import annotations

import os
import random

import numpy as np

DEFAULT_SEED = 0


def seed_offset() -> int:
    """CNNLAB_SEED from the environment (0 when unset): every seed the course sets is shifted by it, so one
    variable re-runs a whole chapter under other random draws (`make sweep` does)."""
    try:
        return int(os.environ.get("CNNLAB_SEED", "0"))
    except ValueError:
        return 0


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ and Python logging. Must run before `import tensorflow`
    to affect the C++ side; calling it later still quiets the Python logger."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # oneDNN reorders float sums; turning it off keeps CPU results repeatable run to run.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    try:
        import absl.logging
        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:
        pass
    import logging
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


def seed_everything(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy, PyTorch and TensorFlow (whichever are installed), shifted by CNNLAB_SEED."""
    seed = seed + seed_offset()
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch
        torch.manual_seed(seed)
    except ImportError:
        pass
    try:
        import keras
        keras.utils.set_random_seed(seed)
    except ImportError:
        pass


def torch_device():
    """The PyTorch device to use: CUDA when present, else CPU."""
    import torch
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def configure_tensorflow_gpus() -> list:
    """Let TensorFlow grow GPU memory instead of grabbing all of it (PyTorch shares the GPU)."""
    import tensorflow as tf
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised: the setting can no longer change
            pass
    return gpus


def setup(seed: int = DEFAULT_SEED, frameworks=("torch", "tensorflow"), verbose: bool = True) -> dict:
    """Prepare a notebook: quiet logs, import the frameworks, seed, pick devices.

    Returns a dict with the versions and devices, and prints a one-line summary.
    """
    quiet_tensorflow()
    # OpenMP threads that spin while waiting make PyTorch many times slower when other processes share the
    # cores (two graders on a 2-core CI machine, a busy laptop); sleeping threads cost nothing when idle.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    info = {"seed": seed + seed_offset()}
    if "torch" in frameworks:
        import torch
        info["torch"] = torch.__version__
        info["torch_device"] = str(torch_device())
        # TF32 matmuls on recent GPUs would break the course's 1e-5 parity checks between frameworks
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        # the quantised-kernel backend: fbgemm or x86 on Intel/AMD, qnnpack on ARM (Apple silicon, phones)
        engine = os.environ.get("CNNLAB_QENGINE")
        if engine and engine in torch.backends.quantized.supported_engines:
            torch.backends.quantized.engine = engine
        info["quantized_engine"] = torch.backends.quantized.engine
    if "tensorflow" in frameworks:
        try:
            import tensorflow as tf
            import keras
        except ImportError:            # a PyTorch-only machine: its cells run, TensorFlow's cannot
            frameworks = ()
            info["tensorflow"] = "not installed"
    if "tensorflow" in frameworks:
        info["tensorflow"] = tf.__version__
        info["keras"] = keras.__version__
        info["tf_gpus"] = len(configure_tensorflow_gpus())
        tf.config.experimental.enable_tensor_float_32_execution(False)
        tf.get_logger().setLevel("ERROR")    # TensorFlow resets its logger to INFO on first use otherwise
    seed_everything(seed)
    try:
        from cnnlab.plotting import use_course_style
        use_course_style()
    except ImportError:
        pass
    if verbose:
        print(" | ".join(f"{k}: {v}" for k, v in info.items()))
    return info
