# Wrong: fuses, prepares and converts the caller's model in place, so the float model is gone afterwards.
def static_quantize_torch(model, calibration_batches):
    model.eval()
    tq.fuse_modules(model, [["features.conv1", "features.bn1", "features.relu1"],
                            ["features.conv2", "features.bn2", "features.relu2"]], inplace=True)
    model.features = nn.Sequential(tq.QuantStub(), model.features)
    model.classifier = nn.Sequential(model.classifier, tq.DeQuantStub())
    model.qconfig = tq.get_default_qconfig(torch.backends.quantized.engine)
    tq.prepare(model, inplace=True)
    with torch.no_grad():
        for images in calibration_batches:
            model(images)
    tq.convert(model, inplace=True)
    return model
