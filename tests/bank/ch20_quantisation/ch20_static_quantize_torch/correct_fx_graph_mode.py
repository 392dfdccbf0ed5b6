# Correct: FX graph mode traces the model and inserts the fusions and quant/dequant steps itself.
def static_quantize_torch(model, calibration_batches):
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    batches = list(calibration_batches)
    float_model = copy.deepcopy(model).cpu().eval()
    mapping = tq.get_default_qconfig_mapping(torch.backends.quantized.engine)
    prepared = prepare_fx(float_model, mapping, example_inputs=(batches[0].cpu(),))
    with torch.no_grad():
        for images in batches:
            prepared(images.cpu())
    return convert_fx(prepared)
