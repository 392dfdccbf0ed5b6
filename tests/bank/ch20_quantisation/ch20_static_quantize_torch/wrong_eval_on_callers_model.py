# Wrong (edge: a model arriving in training mode): calls eval() on the caller's model before copying it, so its mode changes.
def static_quantize_torch(model, calibration_batches):
    model.eval()
    float_model = copy.deepcopy(model)
    fused = tq.fuse_modules(float_model, [["features.conv1", "features.bn1", "features.relu1"],
                                          ["features.conv2", "features.bn2", "features.relu2"]])
    wrapped = tq.QuantWrapper(fused).eval()
    wrapped.qconfig = tq.get_default_qconfig(torch.backends.quantized.engine)
    prepared = tq.prepare(wrapped)
    with torch.no_grad():
        for images in calibration_batches:
            prepared(images)
    return tq.convert(prepared)
