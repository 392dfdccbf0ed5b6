# misconception: the head is always the course model's "fc" layer (the head argument is ignored)
def freeze_backbone_tf(model, head):
    for layer in model.layers:
        layer.trainable = layer.name == "fc"
