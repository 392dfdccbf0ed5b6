# misconception: model.trainable = False and fit will still train the head
def freeze_backbone_tf(model, head):
    model.trainable = False
