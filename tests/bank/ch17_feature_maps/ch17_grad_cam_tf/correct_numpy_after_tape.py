# alternative: only the gradient comes from the tape; the rest is NumPy, then tf.image.resize
def grad_cam_tf(model, x, target_layer, class_idx=None):
    batch = np.asarray(x, "float32").reshape((-1,) + np.shape(x)[-3:])
    grad_model = keras.Model(model.inputs, [model.get_layer(target_layer).output, model.output])
    with tf.GradientTape() as tape:
        conv_out, preds = grad_model([batch], training=False)
        c = int(np.argmax(preds[0])) if class_idx is None else class_idx
        class_score = preds[0][c]
    g = tape.gradient(class_score, conv_out).numpy()[0]
    a = conv_out.numpy()[0]
    heat = np.maximum(np.tensordot(a, g.mean(axis=(0, 1)), axes=([2], [0])), 0)
    heat = tf.image.resize(heat[None, ..., None], batch.shape[1:3]).numpy()[0, ..., 0]
    peak = heat.max()
    return heat / peak if peak > 0 else np.zeros_like(heat)
