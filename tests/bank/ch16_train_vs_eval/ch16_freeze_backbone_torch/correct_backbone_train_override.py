# correct: every top-level child except the head refuses to leave eval mode
def freeze_backbone_torch(model, head):
    import types
    head_module = model.get_submodule(head)
    for name, child in model.named_children():
        if child is head_module:
            continue
        for p in child.parameters():
            p.requires_grad = False
        child.train = types.MethodType(lambda self, mode=True: nn.Module.train(self, False), child)
        child.eval()
    return list(head_module.parameters())
