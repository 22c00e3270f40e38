#!/usr/bin/env python3
"""Extract what the AWS CLI in the page (crates/kms-cli) needs from AWS's API models, besides the
shapes kms-core already embeds: each structure's member order (botocore builds answers in model
order, so the CLI prints them so), the paginators (paginators-1.json), the waiters
(waiters-2.json), idempotency-token members,
and the documentation of the operations and their members with the HTML stripped (for `help`).

Only the operations kms-core's models hold (the ones the sandbox answers) are kept.

Writes crates/kms-cli/data/<service>.json (orders, paginators, tokens) and <service>-docs.json
(the documentation, which only the crate's `docs` feature embeds). The output is committed, so building never needs
../shared.

    python3 tools/gen-cli-data.py [shared directory]
"""
import html, json, os, re, sys

here = os.path.dirname(os.path.abspath(__file__))
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '../../shared')
core = os.path.join(here, '../crates/kms-core/model')
out_dir = os.path.join(here, '../crates/kms-cli/data')

SOURCES = {
    'kms': os.path.join(shared, 'aws-kms-model'),
    'iam': os.path.join(shared, 'aws-models/iam'),
    'sts': os.path.join(shared, 'aws-models/sts'),
    'cloudtrail': os.path.join(shared, 'aws-models/cloudtrail'),
    'cloudformation': os.path.join(shared, 'aws-models/cloudformation'),
}


def strip_html(doc):
    """AWS's documentation HTML as plain paragraphs: <p> and <li> start lines, tags dropped."""
    if not doc:
        return ''
    t = re.sub(r'\s+', ' ', doc)
    # The service's full name heads its documentation; the CLI's help leaves it out.
    t = re.sub(r'<fullname>.*?</fullname>', '', t)
    t = re.sub(r'<li>\s*', '\n\n* ', t)
    t = re.sub(r'</?(p|ul|ol|note|important|div)>', '\n\n', t)
    t = re.sub(r'<br\s*/?>', '\n\n', t)
    t = re.sub(r'<[^>]+>', '', t)
    t = html.unescape(t)
    paras = [re.sub(r' +', ' ', p).strip() for p in t.split('\n\n')]
    paras = [p for p in paras if p]
    # A list item whose text is its own paragraph (<li><p>...</p></li>) is one item.
    merged = []
    for p in paras:
        if merged and merged[-1] == '*':
            merged[-1] = '* ' + p
        else:
            merged.append(p)
    return '\n\n'.join(merged)


def main():
    for service, src in SOURCES.items():
        full = json.load(open(os.path.join(src, 'service-2.json')))
        mine = json.load(open(os.path.join(core, f'{service}-model.json')))
        pag_path = os.path.join(src, 'paginators-1.json')
        pag = json.load(open(pag_path)).get('pagination', {}) if os.path.exists(pag_path) else {}
        wait_path = os.path.join(src, 'waiters-2.json')
        waiters = json.load(open(wait_path)).get('waiters', {}) if os.path.exists(wait_path) else {}
        shapes = full['shapes']
        out = {
            'service': strip_html(full.get('documentation', '')),
            'paginators': {op: p for op, p in pag.items() if op in mine['operations']},
            'order': {},
            'idempotency': {},
            # `aws <service> wait <name>`: the waiters whose operation the sandbox answers.
            'waiters': {n: w for n, w in waiters.items() if w['operation'] in mine['operations']},
            'operations': {},
            'members': {},
        }
        for name, s in mine['shapes'].items():
            if s['type'] == 'structure' and name in shapes:
                members = list(shapes[name].get('members', {}))
                out['order'][name] = members
                tokens = [m for m, ms in shapes[name].get('members', {}).items()
                          if ms.get('idempotencyToken')]
                if tokens:
                    out['idempotency'][name] = tokens
        for op in mine['operations']:
            o = full['operations'][op]
            out['operations'][op] = strip_html(o.get('documentation', ''))
            for key in ('input', 'output'):
                if key in o:
                    sname = o[key]['shape']
                    for m, ms in shapes[sname].get('members', {}).items():
                        doc = strip_html(ms.get('documentation', ''))
                        if doc:
                            out['members'][f'{sname}.{m}'] = doc
        docs = {k: out.pop(k) for k in ('service', 'operations', 'members')}
        for suffix, data in (('', out), ('-docs', docs)):
            with open(os.path.join(out_dir, f'{service}{suffix}.json'), 'w') as f:
                json.dump(data, f, indent=None, separators=(',', ':'), ensure_ascii=False)
                f.write('\n')


main()
