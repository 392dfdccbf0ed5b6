# misconception: x always arrives as a batch (1, H, W, C) (a single image (H, W, C) is then read as a batch of H
# images, and the model refuses it)
def grad_cam_tf(model, x, target_layer, class_idx=None):
    x = tf.convert_to_tensor(x, tf.float32)
    probe = keras.Model(model.inputs[0], [model.get_layer(target_layer).output, model.outputs[0]])
    with tf.GradientTape() as tape:
        act, logits = probe(x, training=False)
        c = int(tf.argmax(logits[0])) if class_idx is None else class_idx
        score = logits[0, c]
    w = tf.reduce_mean(tape.gradient(score, act)[0], axis=(0, 1))
    cam = tf.nn.relu(tf.reduce_sum(act[0] * w, axis=-1))
    cam = tf.image.resize(cam[None, ..., None], x.shape[1:3], method="bilinear")[0, ..., 0].numpy()
    return cam / cam.max() if cam.max() > 0 else cam
