# wrong: predicts in chunks of 8 with range(len // 8): a partial last chunk (N not a multiple of 8) gets no answer
def predict_tf(model, images_uint8):
    ids = []
    for k in range(len(images_uint8) // 8):
        chunk = images_uint8[8 * k:8 * k + 8].astype(np.float32) / 255.0
        chunk = (chunk - model.pixel_mean) / model.pixel_std
        ids.append(np.argmax(np.asarray(model(chunk, training=False)), axis=-1))
    return np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
