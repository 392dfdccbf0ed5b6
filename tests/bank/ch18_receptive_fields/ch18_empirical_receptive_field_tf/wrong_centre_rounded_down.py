# Wrong (edge: even output sizes): takes the centre as ((H'-1)//2, (W'-1)//2), one unit off the contract's (H'//2, W'//2) when a side is even.
import numpy as np
import tensorflow as tf


def empirical_receptive_field_tf(model, input_size):
    channels = model.input_shape[-1]
    x = tf.constant(np.random.default_rng(0).normal(size=(1, input_size, input_size, channels)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = model(x, training=False)
        unit = out[0, (out.shape[1] - 1) // 2, (out.shape[2] - 1) // 2, 0]
    mask = np.any(tape.gradient(unit, x).numpy()[0] != 0, axis=-1)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return 0
    return int(max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1)
