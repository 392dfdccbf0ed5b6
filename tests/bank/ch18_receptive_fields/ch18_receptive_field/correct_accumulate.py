# Correct: cumulative strides with itertools.accumulate, then a running sum of the widenings.
from itertools import accumulate
import operator


def receptive_field(layers):
    layers = list(layers)
    if not layers:
        return []
    jumps_after = list(accumulate((s for _, s, _ in layers), operator.mul))
    jumps_before = [1] + jumps_after[:-1]
    widenings = [(k - 1) * d * j for (k, _, d), j in zip(layers, jumps_before)]
    return [(1 + total, jump) for total, jump in zip(accumulate(widenings), jumps_after)]
