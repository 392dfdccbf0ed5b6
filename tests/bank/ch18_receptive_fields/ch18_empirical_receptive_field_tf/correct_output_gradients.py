# Correct (new style: output_gradients): differentiate the whole output with a one-hot weighting that selects channel 0 of the centre unit.
import numpy as np
import tensorflow as tf


def empirical_receptive_field_tf(model, input_size):
    channels = model.input_shape[-1]
    x = tf.Variable(tf.random.uniform((1, input_size, input_size, channels), -1.0, 1.0, seed=7))
    with tf.GradientTape() as tape:
        out = model(x, training=False)
    height, width = out.shape[1], out.shape[2]
    onehot = np.zeros(out.shape, dtype=np.float32)
    onehot[0, height // 2, width // 2, 0] = 1.0
    grad = tape.gradient(out, x, output_gradients=tf.constant(onehot)).numpy()[0]
    hit = (grad != 0).any(axis=-1)
    rows, cols = np.where(hit.any(axis=1))[0], np.where(hit.any(axis=0))[0]
    if rows.size == 0:
        return 0
    return int(max(np.ptp(rows), np.ptp(cols)) + 1)
