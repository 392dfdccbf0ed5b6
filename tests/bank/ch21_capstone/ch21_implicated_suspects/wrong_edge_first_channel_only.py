# wrong: examines only input channel 0 (right when every channel shares the fault, wrong when one channel is off)
def implicated_suspects(service, images_uint8):
    found = set()
    images = np.asarray(images_uint8)
    mean = np.asarray(service.pixel_mean, dtype=np.float64)
    std = np.asarray(service.pixel_std, dtype=np.float64)
    x = service.preprocess(images)
    for c, line in enumerate(channel_map(x, images)[:1]):
        if line["residual"] > 1e-3:
            found.add("uint8_wraparound")
            continue
        if line["source"] != c:
            found.add("channel_order")
        if not (np.isclose(line["scale"], 1 / (255 * std[c]), rtol=1e-3)
                and np.isclose(line["offset"], -mean[c] / std[c], rtol=1e-3, atol=1e-3)):
            found.add("wrong_normalisation")
    if not np.allclose(service.preprocess(images[0]), service.preprocess(images[:1]), atol=1e-5):
        found.add("single_image_layout")
    if state_change(service, x) > 0:
        found.add("batchnorm_batch_statistics")
    if repeat_gap(service, x) > 1e-4:
        found.add("dropout_active")
    scores = np.asarray(service.forward(x), dtype=np.float64)
    if scores.min() >= 0 and np.allclose(scores.sum(axis=1), 1.0, atol=1e-4):
        found.add("double_softmax")
    return [name for name in SUSPECTS if name in found]
