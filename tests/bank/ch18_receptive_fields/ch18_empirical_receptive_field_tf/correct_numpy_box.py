# Correct: channels from model.inputs, training=False, bounding box from np.argwhere.
import numpy as np
import tensorflow as tf


def empirical_receptive_field_tf(model, input_size):
    channels = int(model.inputs[0].shape[-1])
    x = tf.random.stateless_normal((1, input_size, input_size, channels), seed=(1, 2))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x, training=False)
        target = y[:, y.shape[1] // 2, y.shape[2] // 2, 0]
    g = np.abs(tape.gradient(target, x).numpy()[0]).sum(axis=-1)
    points = np.argwhere(g != 0)
    if len(points) == 0:
        return 0
    return int((points.max(axis=0) - points.min(axis=0) + 1).max())
