# correct: tf.image.convert_image_dtype for the /255, keras.ops for the statistics, predict_on_batch (inference)
def predict_tf(model, images_uint8):
    x = tf.image.convert_image_dtype(tf.constant(images_uint8), tf.float32)
    x = keras.ops.divide(keras.ops.subtract(x, model.pixel_mean), model.pixel_std)
    return keras.ops.convert_to_numpy(keras.ops.argmax(model.predict_on_batch(x), axis=-1))
