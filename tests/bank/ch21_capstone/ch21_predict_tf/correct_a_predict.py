# correct: Keras' own predict loop (always inference mode), preprocessing in NumPy
def predict_tf(model, images_uint8):
    x = (images_uint8.astype(np.float32) / 255.0 - model.pixel_mean) / model.pixel_std
    logits = model.predict(x, batch_size=32, verbose=0)
    return np.argmax(logits, axis=1)
