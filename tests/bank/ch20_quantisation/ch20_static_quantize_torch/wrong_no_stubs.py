# Wrong: no QuantStub/DeQuantStub, so float images reach int8 kernels (and int8 logits would come out).
def static_quantize_torch(model, calibration_batches):
    float_model = copy.deepcopy(model).cpu().eval()
    fused = tq.fuse_modules(float_model, [["features.conv1", "features.bn1", "features.relu1"],
                                          ["features.conv2", "features.bn2", "features.relu2"]])
    fused.qconfig = tq.get_default_qconfig(torch.backends.quantized.engine)
    prepared = tq.prepare(fused)
    with torch.no_grad():
        for images in calibration_batches:
            prepared(images)
    return tq.convert(prepared)
