# alternative: keras.ops for the arithmetic (einsum for the weighted channel sum, ops.where for the zero case)
def grad_cam_tf(model, x, target_layer, class_idx=None):
    ops = keras.ops
    x = np.asarray(x, dtype=np.float32)
    x = x[np.newaxis] if x.ndim == 3 else x
    if not model.built:
        model(x)
    probe = keras.Model(model.inputs[0], [model.get_layer(target_layer).output, model.outputs[0]])
    with tf.GradientTape() as tape:
        features, logits = probe(x, training=False)
        target = int(ops.argmax(logits[0])) if class_idx is None else class_idx
        score = logits[:, target]
    grads = tape.gradient(score, features)
    weights = ops.mean(grads, axis=(1, 2))                        # (1, C)
    cam = ops.relu(ops.einsum("bhwc,bc->bhw", features, weights))[..., None]
    cam = np.asarray(tf.image.resize(cam, (x.shape[1], x.shape[2]), method="bilinear"))[0, :, :, 0]
    peak = cam.max()
    return np.asarray(ops.where(peak > 0, cam / ops.maximum(peak, 1e-30), ops.zeros_like(cam)))
