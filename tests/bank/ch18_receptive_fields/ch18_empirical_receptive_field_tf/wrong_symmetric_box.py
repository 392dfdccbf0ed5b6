# Wrong (edge: input size near the field, even sizes): assumes the field is centred on the input's middle pixel and reports 2 * (largest distance) + 1.
import numpy as np
import tensorflow as tf


def empirical_receptive_field_tf(model, input_size):
    channels = model.input_shape[-1]
    x = tf.constant(np.random.default_rng(0).normal(size=(1, input_size, input_size, channels)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = model(x, training=False)
        unit = out[0, out.shape[1] // 2, out.shape[2] // 2, 0]
    rows, cols = np.nonzero(np.any(tape.gradient(unit, x).numpy()[0] != 0, axis=-1))
    if rows.size == 0:
        return 0
    centre = input_size // 2
    return int(2 * max(np.abs(rows - centre).max(), np.abs(cols - centre).max()) + 1)
