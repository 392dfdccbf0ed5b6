# wrong: assumes the camera delivers BGR and reverses the channel order
def predict_tf(model, images_uint8):
    rgb = images_uint8[..., ::-1]
    x = (rgb.astype(np.float32) / 255.0 - model.pixel_mean) / model.pixel_std
    return np.argmax(np.asarray(model(x, training=False)), axis=-1)
