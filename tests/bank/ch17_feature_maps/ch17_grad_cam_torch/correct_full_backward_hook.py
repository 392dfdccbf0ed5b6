# alternative: a module backward hook (register_full_backward_hook) receives the gradient of the layer's output
# during score.backward(); torch.where for the all-zero case
import torch.nn.functional as F


def grad_cam_torch(model, x, target_layer, class_idx=None):
    module = model.get_submodule(target_layer)
    image = x if x.dim() == 4 else x.unsqueeze(0)
    image = image.to(next(model.parameters()).device).detach().requires_grad_(True)
    store = {}
    hooks = [module.register_forward_hook(lambda m, inp, out: store.__setitem__("act", out.detach())),
             module.register_full_backward_hook(lambda m, gin, gout: store.__setitem__("grad", gout[0].detach()))]
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with torch.enable_grad():
            logits = model(image)
            target = logits.argmax(dim=1)[0].item() if class_idx is None else class_idx
            logits[0, target].backward()
    finally:
        for h in hooks:
            h.remove()
        for m, mode in modes:
            m.training = mode
        model.zero_grad(set_to_none=True)
    alpha = store["grad"][0].mean(dim=(1, 2))
    cam = F.relu(torch.tensordot(alpha, store["act"][0], dims=1))
    cam = F.interpolate(cam[None, None], size=image.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    peak = cam.max()
    return torch.where(peak > 0, cam / peak.clamp_min(1e-30), torch.zeros_like(cam)).cpu().numpy()
