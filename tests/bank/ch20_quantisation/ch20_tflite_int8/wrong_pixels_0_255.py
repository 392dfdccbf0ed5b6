# Wrong: calibrates on 0-255 pixel values while the model is fed floats in [0, 1].
def tflite_int8(keras_model, representative_images):
    pixels = np.asarray(representative_images, dtype=np.float32) * 255.0

    def representative_dataset():
        for image in pixels:
            yield [image[None]]

    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()
