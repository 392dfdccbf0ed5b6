# Correct: torch.ao.quantization.quantize() runs prepare, a calibration function and convert on its own deep copy.
def static_quantize_torch(model, calibration_batches):
    def calibrate(prepared, batches):
        with torch.no_grad():
            for images in batches:
                prepared(images)

    float_model = copy.deepcopy(model)
    float_model.eval()
    tq.fuse_modules(float_model.features, [["conv1", "bn1", "relu1"], ["conv2", "bn2", "relu2"]], inplace=True)
    wrapped = tq.QuantWrapper(float_model).eval()
    wrapped.qconfig = tq.get_default_qconfig(torch.backends.quantized.engine)
    return tq.quantize(wrapped, calibrate, [calibration_batches])
