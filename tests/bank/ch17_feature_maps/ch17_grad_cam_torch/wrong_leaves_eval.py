# misconception: switching to eval mode is all Grad-CAM needs (the caller's training-mode model is left in eval mode)
import torch.nn.functional as F


def grad_cam_torch(model, x, target_layer, class_idx=None):
    layer = dict(model.named_modules())[target_layer]
    x = x[None] if x.dim() == 3 else x
    saved = {}
    handle = layer.register_forward_hook(lambda m, i, o: saved.__setitem__("a", o))
    try:
        model.eval()
        logits = model(x)
        c = int(logits[0].argmax()) if class_idx is None else class_idx
        grads, = torch.autograd.grad(logits[0, c], saved["a"])
    finally:
        handle.remove()
    weights = grads[0].mean(dim=(1, 2))
    cam = torch.relu((weights[:, None, None] * saved["a"][0].detach()).sum(0))
    cam = F.interpolate(cam[None, None], size=tuple(x.shape[-2:]), mode="bilinear", align_corners=False)[0, 0]
    return (cam / cam.max() if cam.max() > 0 else cam).cpu().numpy()
