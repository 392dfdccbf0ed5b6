# Wrong: takes the square root of the NUMBER of pixels with a gradient, which undercounts fields with holes (dilation).
import numpy as np
import tensorflow as tf


def empirical_receptive_field_tf(model, input_size):
    channels = model.input_shape[-1]
    x = tf.constant(np.random.default_rng(0).normal(size=(1, input_size, input_size, channels)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = model(x, training=False)
        unit = out[0, out.shape[1] // 2, out.shape[2] // 2, 0]
    count = int(np.any(tape.gradient(unit, x).numpy()[0] != 0, axis=-1).sum())
    return int(round(np.sqrt(count)))
