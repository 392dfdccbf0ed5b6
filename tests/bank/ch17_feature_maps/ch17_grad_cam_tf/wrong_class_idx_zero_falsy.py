# misconception: `class_idx or predicted` picks the predicted class only when none is given (0 is falsy: asking
# for class 0 explains the predicted class instead)
def grad_cam_tf(model, x, target_layer, class_idx=None):
    x = np.asarray(x, "float32")
    x = x[None] if x.ndim == 3 else x
    probe = keras.Model(model.inputs[0], [model.get_layer(target_layer).output, model.outputs[0]])
    with tf.GradientTape() as tape:
        act, logits = probe(x, training=False)
        c = class_idx or int(tf.argmax(logits[0]))
        score = logits[0, c]
    w = tf.reduce_mean(tape.gradient(score, act)[0], axis=(0, 1))
    cam = tf.nn.relu(tf.reduce_sum(act[0] * w, axis=-1))
    cam = tf.image.resize(cam[None, ..., None], x.shape[1:3], method="bilinear")[0, ..., 0].numpy()
    return cam / cam.max() if cam.max() > 0 else cam
