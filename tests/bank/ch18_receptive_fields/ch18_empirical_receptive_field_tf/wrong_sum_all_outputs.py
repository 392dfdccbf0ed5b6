# Wrong: takes the gradient of the sum of all outputs, so the "field" is every pixel any unit sees.
import numpy as np
import tensorflow as tf


def empirical_receptive_field_tf(model, input_size):
    channels = model.input_shape[-1]
    x = tf.constant(np.random.default_rng(0).normal(size=(1, input_size, input_size, channels)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(model(x, training=False))
    mask = np.any(tape.gradient(total, x).numpy()[0] != 0, axis=-1)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1)
