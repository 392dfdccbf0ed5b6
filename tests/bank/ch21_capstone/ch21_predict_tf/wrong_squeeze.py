# wrong: fixes the batch but breaks the single image: np.squeeze drops the batch axis when N = 1
def predict_tf(model, images_uint8):
    x = (images_uint8.astype(np.float32) / 255.0 - model.pixel_mean) / model.pixel_std
    logits = np.squeeze(np.asarray(model(x, training=False)))
    return np.argmax(logits, axis=-1)
