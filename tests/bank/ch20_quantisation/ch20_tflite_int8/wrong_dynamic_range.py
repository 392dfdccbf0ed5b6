# Wrong: Optimize.DEFAULT alone is dynamic-range quantisation: int8 weights, but a float32 input and output.
def tflite_int8(keras_model, representative_images):
    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()
