# Correct: an all-ones tf.Variable as input, a plain model call (inference mode in Keras 3), tf ops for the box.
import tensorflow as tf


def empirical_receptive_field_tf(model, input_size):
    channels = model.input_shape[-1]
    x = tf.Variable(tf.ones((1, input_size, input_size, channels)))
    with tf.GradientTape() as tape:
        out = model(x)
        h, w = out.shape[1], out.shape[2]
        unit = out[0, h // 2, w // 2, 0]
    grad = tape.gradient(unit, x)
    mask = tf.reduce_any(tf.not_equal(grad[0], 0.0), axis=-1)
    where = tf.where(mask)
    if where.shape[0] == 0:
        return 0
    extent = tf.reduce_max(where, axis=0) - tf.reduce_min(where, axis=0) + 1
    return int(tf.reduce_max(extent))
