# Wrong (edge: a generator of batches): indexes calibration_batches with len() and [i], which only a list allows.
def static_quantize_torch(model, calibration_batches):
    float_model = copy.deepcopy(model).eval()
    fused = tq.fuse_modules(float_model, [["features.conv1", "features.bn1", "features.relu1"],
                                          ["features.conv2", "features.bn2", "features.relu2"]])
    wrapped = tq.QuantWrapper(fused).eval()
    wrapped.qconfig = tq.get_default_qconfig(torch.backends.quantized.engine)
    prepared = tq.prepare(wrapped)
    with torch.no_grad():
        for i in range(len(calibration_batches)):
            prepared(calibration_batches[i])
    return tq.convert(prepared)
