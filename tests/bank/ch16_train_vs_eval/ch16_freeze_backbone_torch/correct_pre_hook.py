# correct: a forward pre-hook puts each backbone BatchNorm back in eval mode before every forward
def freeze_backbone_torch(model, head):
    head_module = model.get_submodule(head)
    for p in model.parameters():
        p.requires_grad_(False)
    for p in head_module.parameters():
        p.requires_grad_(True)
    in_head = set(head_module.modules())

    def force_eval(module, inputs):
        module.training = False

    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)) and m not in in_head:
            m.register_forward_pre_hook(force_eval)
            m.eval()
    return [p for p in head_module.parameters()]
