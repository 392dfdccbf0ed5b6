# misconception: BatchNorm means nn.BatchNorm2d (a BatchNorm1d in the backbone keeps drifting)
def freeze_backbone_torch(model, head):
    import types
    head_module = model.get_submodule(head)
    head_ids = {id(p) for p in head_module.parameters()}
    for p in model.parameters():
        p.requires_grad = id(p) in head_ids
    in_head = set(head_module.modules())
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d) and m not in in_head:
            m.train = types.MethodType(lambda self, mode=True: nn.Module.train(self, False), m)
            m.eval()
    return list(head_module.parameters())
