# correct: freeze the whole model, then unfreeze the head
def freeze_backbone_tf(model, head):
    model.trainable = False
    model.trainable = True          # the model itself stays trainable as a container ...
    for layer in model.layers:
        layer.trainable = False     # ... but every layer is frozen
    model.get_layer(head).trainable = True
