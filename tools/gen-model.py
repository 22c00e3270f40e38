#!/usr/bin/env python3
"""Extract the parts of AWS's API models (service-2.json) that the engine and shell need.

Writes, under crates/kms-core/model/:

- kms-model.json: every KMS operation's input/output shape and the shapes they reach, with only
  type, members, required, min/max, pattern, enum and sensitivity kept.
- iam-model.json, sts-model.json: only the operations the engine implements (IAM and STS speak
  the query protocol), with what a query codec and validator need besides: each operation's
  `resultWrapper`, members' `locationName`, `flattened`, `timestampFormat`, the error shapes'
  `error` (code, HTTP status, sender fault), and the service's `xmlNamespace`.
- cloudformation-model.json: the CloudFormation stack operations the engine answers (query
  protocol, like IAM and STS).
- cloudtrail-model.json: CloudTrail's LookupEvents (JSON 1.1, like KMS), which the engine
  answers over the events the shell stores (see `kms_core::trail`).

The output is committed, so building never needs ../shared.

    python3 tools/gen-model.py [KMS service-2.json] [directory holding iam/ and sts/]
"""
import json, sys, os

here = os.path.dirname(os.path.abspath(__file__))
kms_src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '../../shared/aws-kms-model/service-2.json')
models_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(kms_src), '../aws-models')
out_dir = os.path.join(here, '../crates/kms-core/model')

# What the engine answers of IAM and STS. Only these (and the shapes they reach) are written.
IAM_OPERATIONS = [
    'CreateUser', 'GetUser', 'ListUsers', 'DeleteUser', 'TagUser', 'UntagUser', 'ListUserTags',
    'CreateRole', 'GetRole', 'ListRoles', 'DeleteRole', 'UpdateRole', 'UpdateAssumeRolePolicy',
    'TagRole', 'UntagRole', 'ListRoleTags',
    'PutUserPolicy', 'GetUserPolicy', 'ListUserPolicies', 'DeleteUserPolicy',
    'PutRolePolicy', 'GetRolePolicy', 'ListRolePolicies', 'DeleteRolePolicy',
    'CreatePolicy', 'GetPolicy', 'ListPolicies', 'DeletePolicy',
    'CreatePolicyVersion', 'GetPolicyVersion', 'ListPolicyVersions', 'DeletePolicyVersion',
    'SetDefaultPolicyVersion', 'TagPolicy', 'UntagPolicy', 'ListPolicyTags',
    'AttachUserPolicy', 'DetachUserPolicy', 'ListAttachedUserPolicies',
    'AttachRolePolicy', 'DetachRolePolicy', 'ListAttachedRolePolicies', 'ListEntitiesForPolicy',
    'CreateAccessKey', 'ListAccessKeys', 'UpdateAccessKey', 'DeleteAccessKey',
]
STS_OPERATIONS = ['GetCallerIdentity', 'AssumeRole']
CLOUDTRAIL_OPERATIONS = ['LookupEvents']
CLOUDFORMATION_OPERATIONS = [
    'CreateStack', 'UpdateStack', 'DeleteStack', 'DescribeStacks', 'DescribeStackEvents',
    'DescribeStackResources', 'ValidateTemplate', 'GetTemplate', 'ListStacks',
    'ListStackResources', 'DescribeStackResource', 'ListExports', 'ListImports',
    'GetTemplateSummary', 'UpdateTerminationProtection', 'RollbackStack',
]


def extract(m, operations, query):
    """The operations (all if None) and the shapes they reach. `query` keeps what the query
    protocol needs besides; without it the output is exactly what the KMS model always was."""
    shapes, ops, keep = m['shapes'], {}, {}
    shape_keys = ('min', 'max', 'pattern', 'enum', 'required', 'sensitive', 'exception')
    if query:
        shape_keys += ('flattened', 'timestampFormat', 'error')

    def visit(name):
        if name in keep:
            return
        s = shapes[name]
        out = {'type': s['type']}
        for k in shape_keys:
            if k in s:
                out[k] = s[k]
        keep[name] = out
        if s['type'] == 'structure':
            out['members'] = {k: v['shape'] for k, v in s['members'].items()}
            if query:
                locations = {k: v['locationName'] for k, v in s['members'].items() if 'locationName' in v}
                if locations:
                    out['locationNames'] = locations
                flat = sorted(k for k, v in s['members'].items() if v.get('flattened'))
                if flat:
                    out['flattenedMembers'] = flat
            for v in s['members'].values():
                visit(v['shape'])
        elif s['type'] == 'list':
            out['member'] = s['member']['shape']; visit(s['member']['shape'])
            if query and 'locationName' in s['member']:
                out['memberLocationName'] = s['member']['locationName']
        elif s['type'] == 'map':
            out['key'] = s['key']['shape']; out['value'] = s['value']['shape']
            visit(s['key']['shape']); visit(s['value']['shape'])
            if query:
                for part in ('key', 'value'):
                    if 'locationName' in s[part]:
                        out[part + 'LocationName'] = s[part]['locationName']

    for name, op in sorted(m['operations'].items()):
        if operations is not None and name not in operations:
            continue
        entry = {'errors': [e['shape'] for e in op.get('errors', [])]}
        for e in entry['errors'] if query else ():
            visit(e)
        for d in ('input', 'output'):
            if d in op:
                entry[d] = op[d]['shape']; visit(op[d]['shape'])
        if query and 'output' in op and 'resultWrapper' in op['output']:
            entry['resultWrapper'] = op['output']['resultWrapper']
        ops[name] = entry
    if operations is not None:
        missing = set(operations) - set(ops)
        assert not missing, f'not in the model: {sorted(missing)}'

    out = {'apiVersion': m['metadata']['apiVersion']}
    if query:
        out['protocol'] = m['metadata']['protocol']
        out['xmlNamespace'] = m['metadata']['xmlNamespace']
    else:
        out['targetPrefix'] = m['metadata']['targetPrefix']
    out['operations'] = ops
    out['shapes'] = dict(sorted(keep.items()))
    return out


def write(name, out):
    dst = os.path.join(out_dir, name)
    with open(dst, 'w') as f:
        json.dump(out, f, separators=(',', ':'), sort_keys=True)
        f.write('\n')
    print(os.path.normpath(dst), os.path.getsize(dst), 'bytes,', len(out['operations']), 'operations,',
          len(out['shapes']), 'shapes')


write('kms-model.json', extract(json.load(open(kms_src)), None, False))
write('iam-model.json', extract(json.load(open(os.path.join(models_dir, 'iam/service-2.json'))), IAM_OPERATIONS, True))
write('sts-model.json', extract(json.load(open(os.path.join(models_dir, 'sts/service-2.json'))), STS_OPERATIONS, True))
write('cloudtrail-model.json', extract(json.load(open(os.path.join(models_dir, 'cloudtrail/service-2.json'))), CLOUDTRAIL_OPERATIONS, False))
write('cloudformation-model.json', extract(json.load(open(os.path.join(models_dir, 'cloudformation/service-2.json'))), CLOUDFORMATION_OPERATIONS, True))
