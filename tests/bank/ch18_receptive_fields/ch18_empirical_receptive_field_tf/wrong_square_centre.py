# Wrong (edge: non-square outputs): assumes a square output and uses H'//2 for both the row and the column of the centre unit.
import numpy as np
import tensorflow as tf


def empirical_receptive_field_tf(model, input_size):
    channels = model.input_shape[-1]
    x = tf.constant(np.random.default_rng(0).normal(size=(1, input_size, input_size, channels)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = model(x, training=False)
        centre = out.shape[1] // 2
        unit = out[0, centre, centre, 0]
    mask = np.any(tape.gradient(unit, x).numpy()[0] != 0, axis=-1)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return 0
    return int(max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1)
