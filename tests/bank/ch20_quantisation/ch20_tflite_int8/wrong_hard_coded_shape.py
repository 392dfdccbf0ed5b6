# Wrong (edge: another image size or channel count): reshapes every calibration image to the chapter's 16x16x1.
def tflite_int8(keras_model, representative_images):
    images = np.asarray(representative_images, dtype=np.float32).reshape(-1, 16, 16, 1)

    def representative_dataset():
        for image in images:
            yield [image[None]]

    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()
