# wrong: transposes to channels-first out of PyTorch habit; Keras expects NHWC
def predict_tf(model, images_uint8):
    x = (images_uint8.astype(np.float32) / 255.0 - model.pixel_mean) / model.pixel_std
    x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return np.argmax(np.asarray(model(x, training=False)), axis=-1)
