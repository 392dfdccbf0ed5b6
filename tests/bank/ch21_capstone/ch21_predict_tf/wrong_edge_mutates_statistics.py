# wrong: converts the checkpoint's statistics to camera units in place (*= 255): right once, wrong from the 2nd call
def predict_tf(model, images_uint8):
    mean, std = model.pixel_mean, model.pixel_std
    mean *= 255.0
    std *= 255.0
    x = (images_uint8.astype(np.float32) - mean) / std
    return np.argmax(np.asarray(model(x, training=False)), axis=-1)
