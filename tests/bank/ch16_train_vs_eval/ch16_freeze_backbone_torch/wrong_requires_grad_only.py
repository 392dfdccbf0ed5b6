# misconception: requires_grad=False freezes everything (BatchNorm running statistics are buffers and still update)
def freeze_backbone_torch(model, head):
    head_params = list(model.get_submodule(head).parameters())
    keep = {id(p) for p in head_params}
    for p in model.parameters():
        p.requires_grad = id(p) in keep
    return head_params
