# Correct: export a SavedModel first and convert from it; calibrate on at most 100 images via a tf.data pipeline.
def tflite_int8(keras_model, representative_images):
    import contextlib
    import io
    import tempfile
    folder = tempfile.mkdtemp()
    with contextlib.redirect_stdout(io.StringIO()):
        keras_model.export(folder)
    dataset = tf.data.Dataset.from_tensor_slices(np.asarray(representative_images, dtype=np.float32)).batch(1).take(100)

    def representative_dataset():
        for batch in dataset:
            yield [batch]

    converter = tf.lite.TFLiteConverter.from_saved_model(folder)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()
