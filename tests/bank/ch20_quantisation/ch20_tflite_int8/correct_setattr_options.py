# Correct: the same four settings, written as a table of converter options.
def tflite_int8(keras_model, representative_images):
    images = np.asarray(representative_images, dtype=np.float32)
    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    options = {"optimizations": [tf.lite.Optimize.DEFAULT],
               "representative_dataset": lambda: ([images[i:i + 1]] for i in range(len(images))),
               "inference_input_type": tf.int8,
               "inference_output_type": tf.int8}
    for name, value in options.items():
        setattr(converter, name, value)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return bytes(converter.convert())
