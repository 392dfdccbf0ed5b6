# misconception: the map always has a positive maximum (with no positive evidence the ReLU leaves all zeros and
# cam / cam.max() is 0 / 0: NaN everywhere)
def grad_cam_tf(model, x, target_layer, class_idx=None):
    x = np.asarray(x, "float32")
    x = x[None] if x.ndim == 3 else x
    probe = keras.Model(model.inputs[0], [model.get_layer(target_layer).output, model.outputs[0]])
    with tf.GradientTape() as tape:
        act, logits = probe(x, training=False)
        c = int(tf.argmax(logits[0])) if class_idx is None else class_idx
        score = logits[0, c]
    w = tf.reduce_mean(tape.gradient(score, act)[0], axis=(0, 1))
    cam = tf.nn.relu(tf.reduce_sum(act[0] * w, axis=-1))
    cam = tf.image.resize(cam[None, ..., None], x.shape[1:3], method="bilinear")[0, ..., 0].numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return cam / cam.max()
