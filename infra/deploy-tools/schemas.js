// Turns the schemas that deploy-tools.sh fetched into what kubeconform reads, offline:
//
//   node schemas.js kubernetes <local-strict dir> <out dir>
//     kubernetes-validate (PyPI) ships one JSON schema per kind whose $refs point at
//     https://kubernetes.io/api/_definitions.json; rewritten to the _definitions.json beside them
//     (and without $id), so that kubeconform's file loader resolves them and nothing is downloaded.
//
//   node schemas.js crd <out dir> <crd.yaml>...
//     A CustomResourceDefinition's openAPIV3Schema, per served version, as a strict JSON schema
//     (objects refuse unknown fields unless the CRD preserves them), written to
//     <out dir>/<group>/<kind>_<version>.json — kubeconform's
//     {{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json.
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');

function kubernetes(from, to) {
  fs.mkdirSync(to, { recursive: true });
  let count = 0;
  for (const name of fs.readdirSync(from)) {
    if (!name.endsWith('.json')) continue;
    const schema = JSON.parse(fs.readFileSync(path.join(from, name), 'utf8'));
    delete schema.$id;
    const text = JSON.stringify(schema).replaceAll('"/api/_definitions.json#', '"_definitions.json#');
    fs.writeFileSync(path.join(to, name), text);
    count++;
  }
  if (count === 0) throw new Error(`no schema in ${from}`);
  console.error(`kubernetes schemas: ${count} written to ${to}`);
}

/** OpenAPI v3 (as Kubernetes uses it) to JSON schema, refusing unknown fields. */
function strict(node) {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    // `properties` maps field names to schemas: its keys are not keywords.
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strict(v)]));
    } else out[key] = strict(value);
  }
  if (out['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  delete out.nullable;
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out['x-kubernetes-preserve-unknown-fields']
  ) {
    out.additionalProperties = false;
  }
  return out;
}

function crd(to, files) {
  let count = 0;
  for (const file of files) {
    for (const doc of yaml.loadAll(fs.readFileSync(file, 'utf8'))) {
      if (!doc || doc.kind !== 'CustomResourceDefinition') continue;
      const { group, names, versions } = doc.spec;
      for (const version of versions) {
        if (!version.served || !version.schema) continue;
        const schema = strict(version.schema.openAPIV3Schema);
        // apiVersion and kind are fixed for this file; metadata is checked by the API server.
        schema.properties.apiVersion = { type: 'string', enum: [`${group}/${version.name}`] };
        schema.properties.kind = { type: 'string', enum: [names.kind] };
        const dir = path.join(to, group);
        fs.mkdirSync(dir, { recursive: true });
        const out = path.join(dir, `${names.kind.toLowerCase()}_${version.name}.json`);
        fs.writeFileSync(out, JSON.stringify(schema, null, 1));
        count++;
      }
    }
  }
  if (count === 0) throw new Error(`no CustomResourceDefinition in ${files.join(', ')}`);
  console.error(`CRD schemas: ${count} written under ${to}`);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'kubernetes' && args.length === 2) kubernetes(args[0], args[1]);
else if (command === 'crd' && args.length >= 2) crd(args[0], args.slice(1));
else {
  console.error('usage: node schemas.js kubernetes <from> <to> | crd <to> <crd.yaml>...');
  process.exit(2);
}
