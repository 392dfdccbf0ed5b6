# correct: no kit instruments but the Service itself: np.polyfit per (input channel, camera channel), raw state arrays
def implicated_suspects(service, images_uint8):
    names = []
    x = np.asarray(service.preprocess(images_uint8), dtype=np.float64)
    cam = images_uint8.astype(np.float64)
    mean = np.asarray(service.pixel_mean, dtype=np.float64)
    std = np.asarray(service.pixel_std, dtype=np.float64)
    wrapped = swapped = wrong = False
    for c in range(x.shape[1]):
        fits = []
        for k in range(3):
            slope, intercept = np.polyfit(cam[..., k].ravel(), x[:, c].ravel(), 1)
            err = np.max(np.abs(slope * cam[..., k].ravel() + intercept - x[:, c].ravel()))
            fits.append((err, k, slope, intercept))
        err, k, slope, intercept = min(fits)
        if err > 1e-3:
            wrapped = True
            continue
        swapped |= k != c
        wrong |= abs(slope * 255 * std[c] - 1) > 1e-3 or abs(intercept + mean[c] / std[c]) > 1e-3 * (1 + abs(mean[c] / std[c]))
    one = np.asarray(service.preprocess(images_uint8[0]))
    batch_of_one = np.asarray(service.preprocess(images_uint8[:1]))
    before = np.array(service.state(), copy=True)
    first = np.asarray(service.forward(x.astype(np.float32)), dtype=np.float64)
    after = np.asarray(service.state())
    second = np.asarray(service.forward(x.astype(np.float32)), dtype=np.float64)
    if not np.array_equal(before, after):
        names.append("batchnorm_batch_statistics")
    if np.abs(first - second).max() > 1e-4:
        names.append("dropout_active")
    if wrong:
        names.append("wrong_normalisation")
    if swapped:
        names.append("channel_order")
    if one.shape != batch_of_one.shape or np.abs(one - batch_of_one).max() > 1e-5:
        names.append("single_image_layout")
    if wrapped:
        names.append("uint8_wraparound")
    if (first >= 0).all() and np.abs(first.sum(axis=1) - 1).max() < 1e-4:
        names.append("double_softmax")
    return names
