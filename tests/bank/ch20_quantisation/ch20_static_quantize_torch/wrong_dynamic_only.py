# Wrong: dynamic quantisation only converts nn.Linear; the convolutions stay float, so the model barely shrinks.
def static_quantize_torch(model, calibration_batches):
    return tq.quantize_dynamic(copy.deepcopy(model).cpu().eval(), {nn.Linear, nn.Conv2d}, dtype=torch.qint8)
