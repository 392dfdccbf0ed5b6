# correct: preprocessing with TensorFlow ops and an explicit training=False call
def predict_tf(model, images_uint8):
    x = tf.cast(images_uint8, tf.float32) / 255.0
    x = (x - tf.constant(model.pixel_mean, dtype=tf.float32)) / tf.constant(model.pixel_std, dtype=tf.float32)
    logits = model(x, training=False)
    return tf.argmax(logits, axis=-1).numpy()
