# Wrong: uint8 input and output, not the int8 interface the contract asks for.
def tflite_int8(keras_model, representative_images):
    images = np.asarray(representative_images, dtype=np.float32)

    def representative_dataset():
        for image in images:
            yield [image[None]]

    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.uint8
    converter.inference_output_type = tf.uint8
    return converter.convert()
