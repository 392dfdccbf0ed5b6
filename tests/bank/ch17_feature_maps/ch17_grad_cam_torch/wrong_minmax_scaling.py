# misconception: "scale to [0, 1]" means min-max scaling (after the ReLU the minimum is usually 0, but a map that is
# positive everywhere loses its floor: Grad-CAM divides by the maximum only)
import torch.nn.functional as F


def grad_cam_torch(model, x, target_layer, class_idx=None):
    layer = dict(model.named_modules())[target_layer]
    x = x[None] if x.dim() == 3 else x
    saved = {}
    handle = layer.register_forward_hook(lambda m, i, o: saved.__setitem__("a", o))
    flags = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        logits = model(x)
        c = int(logits[0].argmax()) if class_idx is None else class_idx
        grads, = torch.autograd.grad(logits[0, c], saved["a"])
    finally:
        handle.remove()
        for m, f in flags:
            m.training = f
    weights = grads[0].mean(dim=(1, 2))
    cam = torch.relu((weights[:, None, None] * saved["a"][0].detach()).sum(0))
    cam = F.interpolate(cam[None, None], size=tuple(x.shape[-2:]), mode="bilinear", align_corners=False)[0, 0]
    span = cam.max() - cam.min()
    return ((cam - cam.min()) / span if span > 0 else torch.zeros_like(cam)).cpu().numpy()
