# misconception: freezing means keeping each BatchNorm in the mode it arrived in (fine only if it arrived in eval)
def freeze_backbone_torch(model, head):
    import types
    head_module = model.get_submodule(head)
    head_ids = {id(p) for p in head_module.parameters()}
    for p in model.parameters():
        p.requires_grad = id(p) in head_ids
    in_head = set(head_module.modules())
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m not in in_head:
            found = m.training
            m.train = types.MethodType(lambda self, mode=True, found=found: nn.Module.train(self, found), m)
    return list(head_module.parameters())
