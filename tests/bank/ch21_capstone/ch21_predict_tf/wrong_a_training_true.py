# wrong: fixes preprocessing but keeps training=True from the training loop (batch statistics, Dropout on)
def predict_tf(model, images_uint8):
    x = (images_uint8.astype(np.float32) / 255.0 - model.pixel_mean) / model.pixel_std
    return np.argmax(np.asarray(model(x, training=True)), axis=-1)
