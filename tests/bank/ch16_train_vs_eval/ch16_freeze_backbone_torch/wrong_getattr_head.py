# misconception: the head is always a direct child (getattr fails on a dotted name such as "head.out")
def freeze_backbone_torch(model, head):
    import types
    head_module = getattr(model, head)
    head_ids = {id(p) for p in head_module.parameters()}
    for p in model.parameters():
        p.requires_grad = id(p) in head_ids
    in_head = set(head_module.modules())
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m not in in_head:
            m.train = types.MethodType(lambda self, mode=True: nn.Module.train(self, False), m)
            m.eval()
    return list(head_module.parameters())
