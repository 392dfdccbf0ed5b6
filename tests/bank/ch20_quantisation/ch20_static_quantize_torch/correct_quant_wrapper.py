# Correct: names the two Conv-BN-ReLU runs of the course CNN and uses tq.QuantWrapper for the stubs.
def static_quantize_torch(model, calibration_batches):
    float_model = copy.deepcopy(model).to("cpu")
    float_model.eval()
    float_model = tq.fuse_modules(float_model, [["features.conv1", "features.bn1", "features.relu1"],
                                                ["features.conv2", "features.bn2", "features.relu2"]])
    wrapped = tq.QuantWrapper(float_model)
    wrapped.eval()
    wrapped.qconfig = tq.get_default_qconfig(torch.backends.quantized.engine)
    tq.prepare(wrapped, inplace=True)            # in place on our own copy only
    with torch.inference_mode():
        for images in calibration_batches:
            wrapped(images.to("cpu"))
    return tq.convert(wrapped, inplace=False)
