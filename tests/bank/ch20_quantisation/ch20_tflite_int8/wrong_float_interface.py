# Wrong: integer kernels inside, but inference_input_type/output_type left at float32.
def tflite_int8(keras_model, representative_images):
    images = np.asarray(representative_images, dtype=np.float32)

    def representative_dataset():
        for image in images:
            yield [image[None]]

    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return converter.convert()
