"""PyTorch + transformers reference for the BERT parity tests: logits, loss, gradients, one AdamW step.

Reference only (never part of the app). Run with the project venv (scripts/setup-python.sh):

  python bert_ref.py tiny --out DIR --seed 7 [--vocab 96 --hidden 32 --layers 2 --heads 4 ...]
      writes DIR/config.json + DIR/model.safetensors: a small random BERT (every weight random,
      LayerNorm gains and biases included, so a swapped or transposed weight cannot hide).
  python bert_ref.py head --out FILE --hidden 384 --num-labels 3 --seed 1
      writes FILE (safetensors): classifier.weight [labels, hidden], classifier.bias [labels],
      so both sides start the classifier from the same numbers.
  python bert_ref.py run --spec SPEC.json [--spec SPEC2.json …]
      SPEC: { modelDir, headPath, head: 'cls'|'mean', outDir, headInit?: {hidden, numLabels, seed}
              (writes headPath first, as the head command does),
              batch: { inputIds, attentionMask, tokenTypeIds: int[][], labels: int[] },
              adamw: { lr, beta1, beta2, eps, weightDecay, clipNorm? },
              freezeEmbeddings?: bool, freezeLayers?: int, dtype?: 'float64'|'float32' }
      Dropout is off (model.eval()) but gradients are on; the loss is the mean cross-entropy;
      clipNorm (optional) clips the global gradient norm before the step. Prints one JSON line
      per spec: { logits, loss, trainable: [names], decay: [names] }, and writes
      outDir/grads.safetensors (before clipping) and outDir/updated.safetensors, float32, keyed by
      the model folder's own weight names (no 'bert.' prefix) plus classifier.weight/.bias.
"""

import argparse
import json
import os
import sys

import torch
from safetensors.torch import load_file, save_file
from torch import nn


def tiny(args):
    from transformers import BertConfig, BertModel

    torch.manual_seed(args.seed)
    config = BertConfig(
        vocab_size=args.vocab,
        hidden_size=args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        intermediate_size=args.intermediate,
        max_position_embeddings=args.max_positions,
        type_vocab_size=2,
        layer_norm_eps=1e-12,
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
        pad_token_id=0,
    )
    model = BertModel(config, add_pooling_layer=True)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if 'LayerNorm.weight' in name:
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif name.endswith('bias'):
                p.copy_(0.05 * torch.randn_like(p))
            else:
                # Larger than BERT's 0.02 so attention is not uniform and gradients are not tiny.
                p.copy_(0.2 * torch.randn_like(p))
    os.makedirs(args.out, exist_ok=True)
    config.architectures = ['BertModel']
    config.to_json_file(os.path.join(args.out, 'config.json'))
    tensors = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, os.path.join(args.out, 'model.safetensors'))


def write_head(out, hidden, num_labels, seed):
    g = torch.Generator().manual_seed(seed)
    weight = 0.2 * torch.randn(num_labels, hidden, generator=g)
    bias = 0.1 * torch.randn(num_labels, generator=g)
    save_file({'classifier.weight': weight, 'classifier.bias': bias}, out)


def head(args):
    write_head(args.out, args.hidden, args.num_labels, args.seed)


def strip(name):
    return name[len('bert.') :] if name.startswith('bert.') else name


def is_frozen(name, spec):
    if spec.get('freezeEmbeddings') and name.startswith('embeddings.'):
        return True
    k = int(spec.get('freezeLayers') or 0)
    for i in range(k):
        if name.startswith(f'encoder.layer.{i}.'):
            return True
    return False


def decay_names(model):
    """The usual Hugging Face recipe: decay everything except biases and LayerNorm parameters."""
    no_decay_modules = set()
    for mod_name, mod in model.named_modules():
        if isinstance(mod, nn.LayerNorm):
            no_decay_modules.add(mod_name)
    out = set()
    for name, _ in model.named_parameters():
        owner = name.rsplit('.', 1)[0]
        if owner in no_decay_modules or name.endswith('bias'):
            continue
        out.add(name)
    return out


class MeanPoolClassifier(nn.Module):
    """sentence-transformers mean pooling over the attention mask, then dropout + linear."""

    def __init__(self, config, num_labels):
        from transformers import BertModel

        super().__init__()
        self.bert = BertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.classifier = nn.Linear(config.hidden_size, num_labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        out = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        )
        hidden = out.last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        summed = (hidden * mask).sum(1)
        count = mask.sum(1).clamp(min=1e-9)
        return self.classifier(self.dropout(summed / count))


def load_weights(model_dir):
    """model.safetensors, else pytorch_model.bin read by torch itself (weights_only: no code runs)."""
    st = os.path.join(model_dir, 'model.safetensors')
    if os.path.exists(st):
        return load_file(st)
    return torch.load(os.path.join(model_dir, 'pytorch_model.bin'), map_location='cpu', weights_only=True)


def run(args):
    # One process for several specs: importing torch + transformers costs more than a small run.
    for path in args.spec:
        with open(path) as f:
            run_one(json.load(f))


def load_classifier(spec):
    """The spec's model in eval mode (dropout off) with the spec's frozen params.

    Returns (model, forward(ids, mask, types) -> logits, trainable [(name, p)], decay names).
    """
    # Imported here so the small commands (head) do not pay for importing transformers.
    from transformers import BertConfig, BertForSequenceClassification

    dtype = torch.float64 if spec.get('dtype', 'float64') == 'float64' else torch.float32
    torch.manual_seed(0)
    init = spec.get('headInit')
    if init:
        write_head(spec['headPath'], init['hidden'], init['numLabels'], init['seed'])
    head_tensors = load_file(spec['headPath'])
    num_labels = head_tensors['classifier.weight'].shape[0]
    config = BertConfig.from_json_file(os.path.join(spec['modelDir'], 'config.json'))
    config.num_labels = num_labels
    config._attn_implementation = 'eager'

    if spec['head'] == 'cls':
        model = BertForSequenceClassification(config)
    elif spec['head'] == 'mean':
        model = MeanPoolClassifier(config, num_labels)
    else:
        raise SystemExit(f"unknown head {spec['head']!r}")

    weights = load_weights(spec['modelDir'])
    state = {}
    for k, v in weights.items():
        key = k if k.startswith('bert.') else 'bert.' + k
        state[key] = v
    for k, v in head_tensors.items():
        state[k] = v
    missing, unexpected = model.load_state_dict(state, strict=False)
    # position_ids is a buffer some checkpoints carry; the mean head has no pooler.
    missing = [m for m in missing if not m.endswith('position_ids')]
    unexpected = [u for u in unexpected if not (u.endswith('position_ids') or '.pooler.' in u)]
    if missing or unexpected:
        raise SystemExit(f'weights do not match the model: missing {missing}, unexpected {unexpected}')
    model = model.to(dtype)
    model.eval()

    decay = decay_names(model)
    trainable = []
    for n, p in model.named_parameters():
        frozen = is_frozen(strip(n), spec)
        p.requires_grad_(not frozen)
        if not frozen:
            trainable.append((n, p))

    def forward(ids, mask, types):
        if spec['head'] == 'cls':
            return model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits
        return model(ids, mask, types)

    return model, forward, trainable, decay


def adamw_for(trainable, decay, a):
    """torch.optim.AdamW with the usual HF groups: no weight decay on biases and LayerNorm."""
    groups = [
        {'params': [p for n, p in trainable if n in decay], 'weight_decay': a['weightDecay']},
        {'params': [p for n, p in trainable if n not in decay], 'weight_decay': 0.0},
    ]
    return torch.optim.AdamW(groups, lr=a.get('lr', 1e-3), betas=(a['beta1'], a['beta2']), eps=a['eps'])


def batch_tensors(b):
    return tuple(
        torch.tensor(b[k], dtype=torch.long) for k in ('inputIds', 'attentionMask', 'tokenTypeIds')
    )


def run_one(spec):
    _, forward, trainable, decay = load_classifier(spec)
    b = spec['batch']
    labels = torch.tensor(b['labels'], dtype=torch.long)
    logits = forward(*batch_tensors(b))
    loss = nn.functional.cross_entropy(logits, labels)
    loss.backward()

    grads = {}
    for n, p in trainable:
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        grads[strip(n)] = g.detach().to(torch.float32).contiguous()

    a = spec['adamw']
    if a.get('clipNorm'):
        # As the trainer does before every step: torch.nn.utils.clip_grad_norm_ over all grads.
        nn.utils.clip_grad_norm_([p for _, p in trainable], a['clipNorm'])
    adamw_for(trainable, decay, a).step()
    updated = {strip(n): p.detach().to(torch.float32).contiguous() for n, p in trainable}

    os.makedirs(spec['outDir'], exist_ok=True)
    save_file(grads, os.path.join(spec['outDir'], 'grads.safetensors'))
    save_file(updated, os.path.join(spec['outDir'], 'updated.safetensors'))
    json.dump(
        {
            'logits': logits.detach().tolist(),
            'loss': loss.item(),
            'trainable': [strip(n) for n, _ in trainable],
            'decay': [strip(n) for n, _ in trainable if n in decay],
        },
        sys.stdout,
    )
    sys.stdout.write('\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    t = sub.add_parser('tiny')
    t.add_argument('--out', required=True)
    t.add_argument('--seed', type=int, default=7)
    t.add_argument('--vocab', type=int, default=96)
    t.add_argument('--hidden', type=int, default=32)
    t.add_argument('--layers', type=int, default=2)
    t.add_argument('--heads', type=int, default=4)
    t.add_argument('--intermediate', type=int, default=64)
    t.add_argument('--max-positions', type=int, default=64)
    h = sub.add_parser('head')
    h.add_argument('--out', required=True)
    h.add_argument('--hidden', type=int, required=True)
    h.add_argument('--num-labels', type=int, required=True)
    h.add_argument('--seed', type=int, default=1)
    r = sub.add_parser('run')
    r.add_argument('--spec', required=True, action='append', help='repeatable')
    args = ap.parse_args()
    {'tiny': tiny, 'head': head, 'run': run}[args.cmd](args)


if __name__ == '__main__':
    main()
