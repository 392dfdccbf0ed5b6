# correct: find the head's position, freeze the layers before and after it, and make sure the head trains
def freeze_backbone_tf(model, head):
    names = [layer.name for layer in model.layers]
    position = names.index(head)
    for layer in model.layers[:position] + model.layers[position + 1:]:
        layer.trainable = False
    model.layers[position].trainable = True
