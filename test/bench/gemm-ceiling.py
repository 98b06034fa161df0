"""PyTorch's side of test/bench/gemm-ceiling.ts (issue #13): on this CPU, with the same threads,
the time of each matrix product the TypeScript side lists, one MiniLM forward pass (eval, no
gradient) and one padded training step (forward, backward, AdamW) at batch × length. Prints one
JSON object. Run by gemm-ceiling.ts with the reference venv's python."""

import argparse
import json
import statistics
import sys
import time

import torch
from torch import nn


def median_ms(fn, repeat, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--length", type=int, default=128)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--steps", type=int, default=4)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    # [[batch..., m, k, n], ...] from the TypeScript side: one product A[..., m, k] · B[..., k, n].
    shapes = json.loads(sys.stdin.read())
    products = []
    for shape in shapes:
        *lead, m, k, n = shape
        a = torch.randn(*lead, m, k)
        b = torch.randn(*lead, k, n)
        with torch.no_grad():
            products.append(median_ms(lambda: torch.matmul(a, b), args.repeat))

    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig.from_pretrained(args.model, num_labels=2)
    model = BertForSequenceClassification.from_pretrained(args.model, config=config)
    ids = torch.randint(1000, config.vocab_size, (args.batch, args.length))
    mask = torch.ones_like(ids)
    labels = torch.randint(0, 2, (args.batch,))

    model.eval()

    def forward():
        with torch.no_grad():
            model(input_ids=ids, attention_mask=mask)

    forward_ms = median_ms(forward, args.repeat)

    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)

    def step():
        out = model(input_ids=ids, attention_mask=mask)
        loss = nn.functional.cross_entropy(out.logits, labels)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    step_ms = median_ms(step, args.steps, warmup=2)
    print(json.dumps({"products": products, "forward": forward_ms, "step": step_ms}))


if __name__ == "__main__":
    main()
