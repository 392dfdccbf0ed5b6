# alternative: tf.tensordot for the weighted channel sum and tf.math.divide_no_nan for the all-zero map
def grad_cam_tf(model, x, target_layer, class_idx=None):
    image = tf.convert_to_tensor(np.asarray(x, np.float32))
    if image.shape.rank == 3:
        image = tf.expand_dims(image, 0)
    inputs = model.inputs if model.built else None
    if not inputs:
        model.build((None, *image.shape[1:]))
        inputs = model.inputs
    probe = keras.Model(inputs, {"act": model.get_layer(target_layer).output, "logits": model.outputs[0]})
    with tf.GradientTape() as tape:
        out = probe(image, training=False)
        target = int(tf.argmax(out["logits"][0])) if class_idx is None else int(class_idx)
        score = out["logits"][0, target]
    grads = tape.gradient(score, out["act"])[0]                       # (h, w, k)
    alpha = tf.reduce_mean(grads, axis=[0, 1])                        # (k,)
    cam = tf.nn.relu(tf.tensordot(out["act"][0], alpha, axes=[[2], [0]]))
    cam = tf.image.resize(cam[tf.newaxis, :, :, tf.newaxis], image.shape[1:3], method="bilinear")[0, :, :, 0]
    return tf.math.divide_no_nan(cam, tf.reduce_max(cam)).numpy()
