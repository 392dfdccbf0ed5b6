# correct: gather the kit's readings into one evidence dict first, then apply one rule per suspect from a table
def implicated_suspects(service, images_uint8):
    x = service.preprocess(images_uint8)
    lines = channel_map(x, images_uint8)
    mean, std = service.pixel_mean.astype(float), service.pixel_std.astype(float)
    clean = [(c, l) for c, l in enumerate(lines) if l["residual"] <= 1e-3]
    evidence = {
        "wrapped": len(clean) < len(lines),
        "moved": any(l["source"] != c for c, l in clean),
        "off_line": any(not np.allclose([l["scale"], l["offset"]], [1 / (255 * std[c]), -mean[c] / std[c]],
                                        rtol=1e-3, atol=1e-4) for c, l in clean),
        "single": float(np.abs(service.preprocess(images_uint8[0]) - service.preprocess(images_uint8[:1])).max()),
        "state": state_change(service, x),
        "repeat": repeat_gap(service, x),
        "scores": np.asarray(service.forward(x)),
    }
    rules = {
        "batchnorm_batch_statistics": lambda e: e["state"] > 0,
        "dropout_active": lambda e: e["repeat"] > 1e-4,
        "wrong_normalisation": lambda e: e["off_line"],
        "channel_order": lambda e: e["moved"],
        "single_image_layout": lambda e: e["single"] > 1e-5,
        "uint8_wraparound": lambda e: e["wrapped"],
        "double_softmax": lambda e: bool(np.all(e["scores"] >= 0) and np.allclose(e["scores"].sum(axis=1), 1, atol=1e-4)),
    }
    return [name for name, rule in rules.items() if rule(evidence)]
