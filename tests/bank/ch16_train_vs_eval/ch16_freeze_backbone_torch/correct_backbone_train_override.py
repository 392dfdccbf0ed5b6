# correct: every largest backbone subtree (neither the head nor holding it) refuses to leave eval mode
def freeze_backbone_torch(model, head):
    import types
    head_module = model.get_submodule(head)

    def freeze(module):
        for child in module.children():
            if child is head_module:
                continue
            if any(m is head_module for m in child.modules()):
                freeze(child)                 # holds the head (e.g. "classifier" for "classifier.fc"): go inside
                continue
            for p in child.parameters():
                p.requires_grad = False
            child.train = types.MethodType(lambda self, mode=True: nn.Module.train(self, False), child)
            child.eval()

    freeze(model)
    return list(head_module.parameters())
