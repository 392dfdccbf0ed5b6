# Correct: the closed form, 1 + sum of (k_eff - 1) times the product of the EARLIER strides, for each prefix.
import math


def receptive_field(layers):
    layers = [tuple(layer) for layer in layers]
    result = []
    for i in range(len(layers)):
        rf = 1 + sum((d * (k - 1)) * math.prod(s for _, s, _ in layers[:j]) for j, (k, _, d) in enumerate(layers[:i + 1]))
        jump = math.prod(s for _, s, _ in layers[:i + 1])
        result.append((rf, jump))
    return result
