"""The PyTorch + transformers peer of our BERT fine-tuning: same data, same recipe, its own loop.

Used by test/bench/train-bert.ts (which writes the data file and compares the two); runs alone too:

  .venv/bin/python test/bench/train-ref.py --data DATA.json --model resources/models/all-MiniLM-L6-v2 \
      [--head mean|cls] [--epochs 1] [--batch-size 16] [--max-length 128] [--lr 2e-5] [--seed 42] \
      [--padding longest|max_length] [--patience N] [--schedule linear|constant]

DATA.json: { train: { texts, labels }, dev?: { texts, labels }, test?: { texts, labels }, numClasses,
initial?: { name: [values] } }. `initial` holds the freshly initialised head of our run (Hugging Face
names such as classifier.weight, pooler.dense.bias), loaded so that both engines start alike.
The recipe is the usual Hugging Face one: AdamW (no decay on bias/LayerNorm, weight decay 0.01),
linear warm-up (10 %) and decay, global-norm clipping at 1.0, dropout on while training, batches
shuffled each epoch and padded to their longest text (--padding longest, dynamic padding) or to
--max-length (--padding max_length, as the seed app's loop does). As our trainer, it keeps the weights of the
best dev macro-F1 epoch (the last epoch without dev data) and scores the test texts with them;
--patience N stops after N epochs without a better dev macro-F1, as our trainer's early stopping.
The model folder may hold model.safetensors or pytorch_model.bin (e.g. m3e-small).
Prints one JSON line: per-epoch seconds, samples/s, mean train loss, dev macro-F1, test macro-F1
and accuracy, and the peak resident memory.

With `steps` in DATA.json (train-bert.ts --shared-streams) the peer replays our
run instead of drawing its own streams: each step's token ids (padded with [PAD] = 0 to the step's
length), labels and learning rate, and our dropout masks for the step's dropoutSeed
(test/parity/python/hash_dropout.py; attention runs eager so that its dropout is one of them).
"""

import argparse
import copy
import json
import os
import resource
import sys
import time

import torch
from sklearn.metrics import f1_score
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'parity', 'python'))
from bert_ref import MeanPoolClassifier, load_weights  # noqa: E402
from hash_dropout import shared_dropout  # noqa: E402


def build(model_dir, head, num_classes, eager=False):
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig.from_pretrained(model_dir, num_labels=num_classes)
    if eager:
        config._attn_implementation = 'eager'
    if head == 'cls':
        model = BertForSequenceClassification.from_pretrained(model_dir, config=config)
        return model, lambda out: out.logits, config
    model = MeanPoolClassifier(config, num_classes)
    weights = load_weights(model_dir)
    state = {('bert.' + k if not k.startswith('bert.') else k): v for k, v in weights.items()}
    missing, _ = model.load_state_dict(state, strict=False)
    # The head is new (ours is loaded over it); anything else missing would train from random weights.
    missing = [m for m in missing if not m.startswith('classifier.') and not m.endswith('position_ids')]
    if missing:
        raise SystemExit(f'{model_dir}: the checkpoint lacks {missing}')
    return model, lambda out: out, config


def load_initial(model, initial):
    """Copies our run's initial head into the model (names as Hugging Face's base model uses them)."""
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, values in initial.items():
            target = name if name.startswith('classifier.') else 'bert.' + name
            if target not in params:
                raise SystemExit(f'initial weights: the model has no parameter {target}')
            p = params[target]
            p.copy_(torch.tensor(values, dtype=p.dtype).reshape(p.shape))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', required=True)
    ap.add_argument('--model', required=True)
    ap.add_argument('--head', default='mean', choices=['mean', 'cls'])
    ap.add_argument('--epochs', type=int, default=1)
    ap.add_argument('--batch-size', type=int, default=16)
    ap.add_argument('--max-length', type=int, default=128)
    ap.add_argument('--lr', type=float, default=2e-5)
    ap.add_argument('--weight-decay', type=float, default=0.01)
    ap.add_argument('--warmup-ratio', type=float, default=0.1)
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--padding', default='longest', choices=['longest', 'max_length'])
    ap.add_argument('--patience', type=int, default=None, help='default: no early stopping')
    ap.add_argument('--schedule', default='linear', choices=['linear', 'constant'],
                    help='constant: no scheduler, as the seed app\'s loop (with --warmup-ratio 0)')
    args = ap.parse_args()

    from transformers import AutoTokenizer, get_constant_schedule_with_warmup, get_linear_schedule_with_warmup

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    with open(args.data) as f:
        data = json.load(f)
    tok = AutoTokenizer.from_pretrained(args.model)
    replay = data.get('steps')
    model, logits_of, config = build(args.model, args.head, data['numClasses'], eager=bool(replay))
    load_initial(model, data.get('initial') or {})

    no_decay = set()
    for mod_name, mod in model.named_modules():
        if isinstance(mod, nn.LayerNorm):
            no_decay.update(f'{mod_name}.{p}' for p, _ in mod.named_parameters())
    named = list(model.named_parameters())
    groups = [
        {'params': [p for n, p in named if n not in no_decay and not n.endswith('bias')], 'weight_decay': args.weight_decay},
        {'params': [p for n, p in named if n in no_decay or n.endswith('bias')], 'weight_decay': 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=args.lr)
    train = data['train']
    n = len(train['texts'])
    steps_per_epoch = (n + args.batch_size - 1) // args.batch_size
    total = steps_per_epoch * args.epochs
    if args.schedule == 'constant':
        sched = get_constant_schedule_with_warmup(opt, int(total * args.warmup_ratio + 0.999999))
    else:
        sched = get_linear_schedule_with_warmup(opt, int(total * args.warmup_ratio + 0.999999), total)
    # A replayed run that stopped early (--patience) holds fewer whole epochs than asked for.
    if replay and (len(replay) % steps_per_epoch or len(replay) > total):
        raise SystemExit(f'replay: {len(replay)} steps for {args.epochs} epochs of {steps_per_epoch}')
    run_epochs = len(replay) // steps_per_epoch if replay else args.epochs

    def encode(texts):
        enc = tok(texts, truncation=True, max_length=args.max_length, padding=args.padding, return_tensors='pt')
        return enc['input_ids'], enc['attention_mask'], enc.get('token_type_ids', torch.zeros_like(enc['input_ids']))

    def forward(ids, mask, types):
        if args.head == 'cls':
            return logits_of(model(input_ids=ids, attention_mask=mask, token_type_ids=types))
        return logits_of(model(ids, mask, types))

    def predict(texts):
        model.eval()
        preds = []
        with torch.no_grad():
            for b in range(0, len(texts), 64):
                ids, mask, types = encode(texts[b : b + 64])
                preds += forward(ids, mask, types).argmax(-1).tolist()
        return preds

    def scores(split):
        preds = predict(split['texts'])
        f1 = f1_score(split['labels'], preds, average='macro')
        return f1, sum(int(p == y) for p, y in zip(preds, split['labels'])) / len(preds)

    epochs = []
    best_f1, best_state, bad_epochs = -1.0, None, 0
    g = torch.Generator().manual_seed(args.seed)

    def own_batches():
        """This epoch's batches from our own streams: a seeded permutation, padded as asked."""
        order = torch.randperm(n, generator=g).tolist()
        for b in range(0, n, args.batch_size):
            idx = order[b : b + args.batch_size]
            ids, mask, types = encode([train['texts'][i] for i in idx])
            yield ids, mask, types, [train['labels'][i] for i in idx], None, None

    def replayed_batches(epoch):
        """This epoch's steps of our run: its batches, learning rates and dropout seeds."""
        for step in replay[epoch * steps_per_epoch : (epoch + 1) * steps_per_epoch]:
            rows = [r + [0] * (step['length'] - len(r)) for r in step['ids']]
            masks = [[1] * len(r) + [0] * (step['length'] - len(r)) for r in step['ids']]
            ids = torch.tensor(rows)
            yield ids, torch.tensor(masks), torch.zeros_like(ids), step['labels'], step['lr'], step['dropoutSeed']

    sites_per_pass = 2 + 3 * config.num_hidden_layers  # embeddings, 3 per layer, the head
    for epoch in range(run_epochs):
        model.train()
        started = time.perf_counter()
        loss_sum = 0.0
        for ids, mask, types, batch_labels, lr, dropout_seed in replayed_batches(epoch) if replay else own_batches():
            labels = torch.tensor(batch_labels)
            if replay:
                for group in opt.param_groups:
                    group['lr'] = lr
                with shared_dropout(dropout_seed) as sites:
                    logits = forward(ids, mask, types)
                if sites[0] != sites_per_pass:
                    raise SystemExit(f'replay: {sites[0]} dropout sites, expected {sites_per_pass}')
            else:
                logits = forward(ids, mask, types)
            loss = nn.functional.cross_entropy(logits, labels)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            loss_sum += loss.item() * len(batch_labels)
        seconds = time.perf_counter() - started
        result = {'epoch': epoch + 1, 'seconds': seconds, 'samplesPerSecond': n / seconds, 'trainLoss': loss_sum / n}
        dev = data.get('dev')
        if dev:
            result['devMacroF1'], result['devAccuracy'] = scores(dev)
            if result['devMacroF1'] > best_f1:
                best_f1, best_state, bad_epochs = result['devMacroF1'], copy.deepcopy(model.state_dict()), 0
            else:
                bad_epochs += 1
        epochs.append(result)
        print(json.dumps(result), file=sys.stderr, flush=True)  # progress: a run can take hours
        if args.patience is not None and bad_epochs >= args.patience:
            break
    streams = 'replaying our batches, learning rates and dropout masks' if replay else f'padding {args.padding}'
    out = {'engine': f'torch {torch.__version__} ({streams})', 'epochs': epochs}
    if data.get('test'):
        if best_state is not None:
            model.load_state_dict(best_state)
        out['testMacroF1'], out['testAccuracy'] = scores(data['test'])
    out['peakRssMb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == '__main__':
    main()
