"""Our engine's seeded dropout masks, in torch, so a PyTorch run can share the masks of ours.

Reference only. Mirrors `dropout` in main/ml/graph/nn.ts: an element of a dropout site is kept when

  a = S1 seed + C1 site,  c = 2 (S2 seed + C2 site) + 1,  b = S3 seed + C3 site + R
  h2 = (A i + a) * (2A i + c) + b      (i: the element's row-major index; all int32 mod 2^32)
  h3 = h2 * h2
  h3 > floor(p * 2^32) - 2^31          (signed)

and kept elements are scaled by 1 / (1 - p). `site` numbers the graph's dropout calls from 1 in
the order the forward pass makes them; a BERT forward makes them in the same order as ours
(embeddings; per layer attention probabilities, attention output, feed-forward output; the head).

`shared_dropout(seed)` is a context manager that swaps torch.nn.functional.dropout — which
nn.Dropout and transformers' eager attention both call — for these masks while one forward pass
runs, counting sites as it goes. The arithmetic is done in int64 and cut to 32 bits after every
product, which is exactly int32's wrapping arithmetic in ONNX.
"""

import contextlib
import json
import sys

import torch

M = (1 << 32) - 1

# Odd 32-bit constants (golden ratio; murmur3's and xxhash's multipliers) — as in nn.ts.
A = 0x9E3779B9
S1, S2, S3 = 0x85EBCA6B, 0x27D4EB2F, 0x7FEB352D
C1, C2, C3 = 0xC2B2AE35, 0x165667B1, 0x846CA68B
R = 0x632BE59B


def keep_mask(shape, p, seed, site):
    """Boolean keep-mask of the given shape: exactly the elements our graph keeps."""
    count = 1
    for d in shape:
        count *= d
    seed &= M
    a = (S1 * seed + C1 * site) & M
    c = (2 * (S2 * seed + C2 * site) + 1) & M
    b = (S3 * seed + C3 * site + R) & M
    i = torch.arange(count, dtype=torch.int64)
    h1 = (i * A + a) & M
    u = (i * ((2 * A) & M) + c) & M
    # Products of two values below 2^32 overflow int64: split one factor into 16-bit halves.
    h2 = (_mul32(h1, u) + b) & M
    h3 = _mul32(h2, h2)
    signed = torch.where(h3 >= 1 << 31, h3 - (1 << 32), h3)
    threshold = int(p * 2**32) - (1 << 31)
    return (signed > threshold).reshape(shape)


def _mul32(x, y):
    """x * y mod 2^32 for int64 tensors holding values in [0, 2^32)."""
    lo = y & 0xFFFF
    hi = y >> 16
    return ((x * lo) + (((x * hi) & 0xFFFF) << 16)) & M


@contextlib.contextmanager
def shared_dropout(seed):
    """Within the block, F.dropout(x, p, training=True) applies our mask for the next site."""
    original = torch.nn.functional.dropout
    sites = [0]

    def dropout(x, p=0.5, training=True, inplace=False):
        if not training or p <= 0:
            return x
        sites[0] += 1
        keep = keep_mask(tuple(x.shape), p, seed, sites[0])
        return torch.where(keep, x * (1.0 / (1.0 - p)), torch.zeros((), dtype=x.dtype))

    torch.nn.functional.dropout = dropout
    try:
        yield sites
    finally:
        torch.nn.functional.dropout = original


if __name__ == '__main__':
    # python hash_dropout.py '[[shape, p, seed, site], …]': one line of 0/1 per mask (parity test).
    for shape, p, seed, site in json.loads(sys.argv[1]):
        print(''.join('1' if k else '0' for k in keep_mask(tuple(shape), p, seed, site).flatten().tolist()))
