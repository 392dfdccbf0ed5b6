# correct: one joint least-squares fit of every input channel on all three camera channels; three forward runs
def implicated_suspects(service, images_uint8):
    found = set()
    x = np.asarray(service.preprocess(images_uint8), dtype=np.float64)
    design = np.concatenate([images_uint8.reshape(-1, 3).astype(np.float64), np.ones((images_uint8[..., 0].size, 1))], 1)
    target = x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)          # (4, C): three slopes and an offset per channel
    residual = np.abs(design @ coef - target).max(axis=0)
    want_scale = 1 / (255.0 * service.pixel_std.astype(np.float64))
    want_offset = -service.pixel_mean.astype(np.float64) / service.pixel_std.astype(np.float64)
    for c in range(x.shape[1]):
        if residual[c] > 1e-3:
            found.add("uint8_wraparound")
            continue
        source = int(np.argmax(np.abs(coef[:3, c])))
        if source != c:
            found.add("channel_order")
        if not (np.isclose(coef[source, c], want_scale[c], rtol=1e-3) and np.isclose(coef[3, c], want_offset[c], rtol=1e-3, atol=1e-3)):
            found.add("wrong_normalisation")
    if not np.allclose(service.preprocess(images_uint8[:1][0]), service.preprocess(images_uint8[:1]), atol=1e-5):
        found.add("single_image_layout")
    before = service.state().copy()
    runs = [np.asarray(service.forward(x.astype(np.float32)), dtype=np.float64) for _ in range(3)]
    if np.any(service.state() != before):
        found.add("batchnorm_batch_statistics")
    if max(np.abs(r - runs[0]).max() for r in runs[1:]) > 1e-4:
        found.add("dropout_active")
    if runs[0].min() >= 0 and np.all(np.abs(runs[0].sum(axis=1) - 1) < 1e-4):
        found.add("double_softmax")
    return sorted(found)
