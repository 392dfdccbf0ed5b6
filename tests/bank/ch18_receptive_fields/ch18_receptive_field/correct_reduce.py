# Correct (new style: functools.reduce): fold the layers into the list of (rf, jump) pairs, starting from the input pixel (1, 1).
from functools import reduce


def receptive_field(layers):
    def step(history, layer):
        kernel, stride, dilation = layer
        rf, jump = history[-1]
        return history + [(rf + (dilation * (kernel - 1) + 1 - 1) * jump, jump * stride)]
    return reduce(step, layers, [(1, 1)])[1:]
