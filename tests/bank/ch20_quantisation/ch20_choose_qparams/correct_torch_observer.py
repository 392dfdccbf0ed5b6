# Correct: let PyTorch's own observers do the work and convert their answer to NumPy.
def choose_qparams(x, num_bits=8, symmetric=False, axis=None):
    import torch.ao.quantization as tq
    if symmetric:
        dtype, qmin, qmax = torch.qint8, -(2 ** (num_bits - 1)), 2 ** (num_bits - 1) - 1
        scheme = torch.per_tensor_symmetric if axis is None else torch.per_channel_symmetric
    else:
        dtype, qmin, qmax = torch.quint8, 0, 2 ** num_bits - 1
        scheme = torch.per_tensor_affine if axis is None else torch.per_channel_affine
    if axis is None:
        observer = tq.MinMaxObserver(dtype=dtype, qscheme=scheme, quant_min=qmin, quant_max=qmax)
    else:
        observer = tq.PerChannelMinMaxObserver(ch_axis=axis, dtype=dtype, qscheme=scheme, quant_min=qmin, quant_max=qmax)
    observer(torch.as_tensor(np.ascontiguousarray(x, dtype=np.float32)))
    scale, zero_point = observer.calculate_qparams()
    return scale.numpy().astype(np.float32), zero_point.numpy().astype(np.int64)
