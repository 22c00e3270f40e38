#!/usr/bin/env python3
"""Extract the parts of AWS's KMS API model (service-2.json) that the engine and shell need.

Writes crates/kms-core/model/kms-model.json: every operation's input/output shape and the shapes
they reach, with only type, members, required, min/max, pattern, enum and sensitivity kept. The output is
committed, so building never needs ../shared.

    python3 tools/gen-model.py ../shared/aws-kms-model/service-2.json
"""
import json, sys, os

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '../../shared/aws-kms-model/service-2.json')
m = json.load(open(src))
shapes, ops, keep = m['shapes'], {}, {}

def visit(name):
    if name in keep:
        return
    s = shapes[name]
    out = {'type': s['type']}
    for k in ('min', 'max', 'pattern', 'enum', 'required', 'sensitive', 'exception'):
        if k in s:
            out[k] = s[k]
    keep[name] = out
    if s['type'] == 'structure':
        out['members'] = {k: v['shape'] for k, v in s['members'].items()}
        for v in s['members'].values():
            visit(v['shape'])
    elif s['type'] == 'list':
        out['member'] = s['member']['shape']; visit(s['member']['shape'])
    elif s['type'] == 'map':
        out['key'] = s['key']['shape']; out['value'] = s['value']['shape']
        visit(s['key']['shape']); visit(s['value']['shape'])

for name, op in sorted(m['operations'].items()):
    entry = {'errors': [e['shape'] for e in op.get('errors', [])]}
    for d in ('input', 'output'):
        if d in op:
            entry[d] = op[d]['shape']; visit(op[d]['shape'])
    ops[name] = entry

out = {'apiVersion': m['metadata']['apiVersion'], 'targetPrefix': m['metadata']['targetPrefix'],
       'operations': ops, 'shapes': dict(sorted(keep.items()))}
dst = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../crates/kms-core/model/kms-model.json')
with open(dst, 'w') as f:
    json.dump(out, f, separators=(',', ':'), sort_keys=True)
    f.write('\n')
print(dst, os.path.getsize(dst), 'bytes,', len(ops), 'operations,', len(keep), 'shapes')
