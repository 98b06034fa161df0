"""The PyTorch + transformers peer of our prediction benchmark (test/bench/infer-bert.ts): fp32, batch 16
padded to each batch's longest text (dynamic padding; texts sorted by length as ours sorts them),
2 threads, inference mode.

  .venv/bin/python test/bench/infer-ref.py --data TEXTS.json --model resources/models/all-MiniLM-L6-v2 \
      --weights WEIGHTS.safetensors [--batch-size 16] [--max-length 128] [--threads 2]

TEXTS.json: { texts }. WEIGHTS.safetensors: our fine-tuned classifier's tensors by Hugging Face name
(classifier.* and the base model's names without the bert. prefix), loaded over the base model with
the mean-pooling head of test/parity/python/bert_ref.py. Timed: tokenizing + forward of every batch,
after loading. Prints one JSON line: seconds, texts/s, load seconds, peak RSS, predicted classes.
"""

import argparse
import json
import os
import resource
import sys
import time

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'parity', 'python'))
from bert_ref import MeanPoolClassifier  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', required=True)
    ap.add_argument('--model', required=True)
    ap.add_argument('--weights', required=True)
    ap.add_argument('--batch-size', type=int, default=16)
    ap.add_argument('--max-length', type=int, default=128)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()

    from transformers import AutoTokenizer, BertConfig

    torch.set_num_threads(args.threads)
    with open(args.data) as f:
        texts = json.load(f)['texts']
    load_started = time.perf_counter()
    weights = load_file(args.weights)
    num_classes = weights['classifier.weight'].shape[0]
    config = BertConfig.from_pretrained(args.model)
    model = MeanPoolClassifier(config, num_classes)
    state = {(k if k.startswith('classifier.') else 'bert.' + k): v for k, v in weights.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith('position_ids')]
    if missing or unexpected:
        raise SystemExit(f'weights: missing {missing}, unexpected {unexpected}')
    model.eval()
    tok = AutoTokenizer.from_pretrained(args.model)
    load_seconds = time.perf_counter() - load_started

    predicted = [0] * len(texts)
    started = time.perf_counter()
    # As ours (main/ml/infer/predict.ts): every text tokenized once, batches of similar length
    # (sorted by token count), each padded to its longest text, results put back in text order.
    ids = tok(texts, truncation=True, max_length=args.max_length)['input_ids']
    order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
    with torch.inference_mode():
        for b in range(0, len(order), args.batch_size):
            rows = order[b : b + args.batch_size]
            width = max(len(ids[i]) for i in rows)
            input_ids = torch.full((len(rows), width), tok.pad_token_id, dtype=torch.long)
            mask = torch.zeros((len(rows), width), dtype=torch.long)
            for r, i in enumerate(rows):
                input_ids[r, : len(ids[i])] = torch.tensor(ids[i])
                mask[r, : len(ids[i])] = 1
            logits = model(input_ids, mask, torch.zeros_like(input_ids))
            for r, c in zip(rows, logits.argmax(-1).tolist()):
                predicted[r] = c
    seconds = time.perf_counter() - started
    print(json.dumps({
        'seconds': seconds,
        'textsPerSecond': len(texts) / seconds,
        'loadSeconds': load_seconds,
        'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'predicted': predicted,
    }))


if __name__ == '__main__':
    main()
