# Wrong (edge: a model arriving in training mode): copies, but never calls eval(), so fusion fails ("Fusion only for eval!").
def static_quantize_torch(model, calibration_batches):
    float_model = copy.deepcopy(model)
    fused = tq.fuse_modules(float_model, [["features.conv1", "features.bn1", "features.relu1"],
                                          ["features.conv2", "features.bn2", "features.relu2"]])
    wrapped = tq.QuantWrapper(fused)
    wrapped.qconfig = tq.get_default_qconfig(torch.backends.quantized.engine)
    prepared = tq.prepare(wrapped)
    with torch.no_grad():
        for images in calibration_batches:
            prepared(images)
    return tq.convert(prepared).eval()
