# alternative: hook returns nothing but stores; division by (max + tiny epsilon) instead of an explicit zero case
def grad_cam_torch(model, x, target_layer, class_idx=None):
    module = model.get_submodule(target_layer)
    batch = x.unsqueeze(0) if x.dim() == 3 else x
    acts = []
    handle = module.register_forward_hook(lambda m, i, o: acts.append(o))
    saved_modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with torch.enable_grad():
            out = model(batch)
            c = int(out[0].argmax()) if class_idx is None else int(class_idx)
            grad = torch.autograd.grad(out[0, c], acts[0])[0][0]
    finally:
        handle.remove()
        for m, mode in saved_modes:
            m.training = mode
    a = acts[0][0].detach()
    alpha = grad.mean(dim=(-2, -1), keepdim=True)
    cam = torch.clamp((alpha * a).sum(dim=0), min=0)
    h, w = batch.shape[-2:]
    cam = torch.nn.functional.interpolate(cam.reshape(1, 1, *cam.shape), size=(h, w), mode="bilinear")[0, 0]
    return (cam / (cam.max() + 1e-12)).detach().cpu().numpy()
