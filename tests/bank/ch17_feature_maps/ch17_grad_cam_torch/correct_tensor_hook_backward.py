# alternative: a tensor hook catches the gradient during score.backward(); in-place division by the peak
import torch.nn.functional as F


def grad_cam_torch(model, x, target_layer, class_idx=None):
    layer = dict(model.named_modules())[target_layer]
    if x.ndim == 3:
        x = x[None]
    x = x.to(next(model.parameters()).device)
    found = {}

    def forward_hook(module, inputs, output):
        found["activation"] = output
        output.register_hook(lambda grad: found.__setitem__("gradient", grad))

    handle = layer.register_forward_hook(forward_hook)
    modes = {m: m.training for m in model.modules()}
    try:
        model.eval()
        logits = model(x)
        target = logits.argmax(dim=1).item() if class_idx is None else class_idx
        model.zero_grad(set_to_none=True)
        logits[0, target].backward()
    finally:
        handle.remove()
        for m, mode in modes.items():
            m.training = mode
    model.zero_grad(set_to_none=True)
    a = found["activation"].detach()[0]
    g = found["gradient"][0]
    weights = g.sum(dim=(1, 2)) / (g.shape[1] * g.shape[2])
    cam = F.relu(torch.einsum("k,kij->ij", weights, a))
    cam = F.interpolate(cam[None, None], size=x.shape[2:], mode="bilinear", align_corners=False)[0, 0]
    top = cam.max()
    if top > 0:
        cam /= top
    return cam.cpu().numpy()
