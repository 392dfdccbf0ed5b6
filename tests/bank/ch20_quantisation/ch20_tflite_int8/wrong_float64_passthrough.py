# Wrong (edge: float64 representative images): yields the images in their own dtype; the converter accepts float32 only.
def tflite_int8(keras_model, representative_images):
    def representative_dataset():
        for image in representative_images:
            yield [image[None]]

    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()
