# Wrong: converts right after prepare: the observers saw no data, so activations get scale 1.0.
def static_quantize_torch(model, calibration_batches):
    float_model = copy.deepcopy(model).cpu().eval()
    fused = tq.fuse_modules(float_model, [["features.conv1", "features.bn1", "features.relu1"],
                                          ["features.conv2", "features.bn2", "features.relu2"]])
    wrapped = nn.Sequential(tq.QuantStub(), fused, tq.DeQuantStub()).eval()
    wrapped.qconfig = tq.get_default_qconfig(torch.backends.quantized.engine)
    return tq.convert(tq.prepare(wrapped))
