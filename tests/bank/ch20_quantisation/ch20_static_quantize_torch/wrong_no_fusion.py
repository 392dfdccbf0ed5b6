# Wrong: skips fusion, so BatchNorm stays a separate (quantised) module instead of folding into the convolution.
def static_quantize_torch(model, calibration_batches):
    wrapped = tq.QuantWrapper(copy.deepcopy(model).cpu().eval())
    wrapped.qconfig = tq.get_default_qconfig(torch.backends.quantized.engine)
    prepared = tq.prepare(wrapped)
    with torch.no_grad():
        for images in calibration_batches:
            prepared(images)
    return tq.convert(prepared)
