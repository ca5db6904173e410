import { execFileSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join, posix } from 'path';
import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';
import { DEFAULT_TOPIC_PARTITIONS, TopicName, Topics } from '@app/contracts';
import { SimulatorSettings } from '@test/simulator/config';
import { InquiryPollerSettings } from '@test/inquiry-poller/config';
import { NotifyGatewaySettings } from '@test/notify-gateway/config';
import { OrderStateSettings } from '@test/order-state/config';

/**
 * The deployment files against the code they deploy (issue 13): every Deployment of the kustomize
 * overlays and every service of docker-compose.yml sets each required setting of its app's config
 * schema and no setting the schema does not know, with values the schema accepts; the compose file is
 * valid compose-spec; the topics are those of libs/contracts. deploy/validate.sh checks the manifests
 * against the Kubernetes and CRD schemas; this checks them against the apps.
 */

// Plain CommonJS: js-yaml ships no types of its own.
const yaml: { loadAll(text: string): unknown[]; load(text: string): unknown } = require('js-yaml');

const ROOT = join(__dirname, '..', '..', '..');
const KUBE = join(ROOT, 'deploy', 'kubernetes');

/** Each app's settings, as its main.ts validates them at boot. */
const SETTINGS: Record<string, z.ZodType> = {
  'notify-gateway': NotifyGatewaySettings,
  'order-state': OrderStateSettings,
  'inquiry-poller': InquiryPollerSettings,
  'alipayplus-simulator': SimulatorSettings,
};
/**
 * Settings that libraries read from the environment themselves, outside the apps' schemas, by the
 * file that reads them (checked below, so that this list cannot outlive the code).
 */
const LIBRARY_SETTINGS: Record<string, string[]> = {
  'libs/observability/src/logger.ts': ['LOG_LEVEL', 'LOG_FORMAT'],
  'libs/operator-auth/src/operator-tokens.ts': [
    'OPERATOR_AUTH',
    'OPERATOR_TOKENS_FILE',
    'OPERATOR_TOKENS_JSON',
  ],
};
const PROCESS_WIDE = new Set(Object.values(LIBRARY_SETTINGS).flat());
/** The services whose HTTP API has operator endpoints: they get operator tokens from a Secret. */
const OPERATOR_APIS = ['order-state', 'inquiry-poller'];
/** Whether an app's own code loads the operator tokens (then it refuses to start without them). */
const loadsOperatorTokens = (app: string) =>
  sourceFiles(join(ROOT, 'apps', app, 'src')).some((f) =>
    readFileSync(f, 'utf8').includes('loadOperatorAuth('),
  );

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
}
/** Stand-ins for the values of Secrets, which no manifest holds: shaped as the schemas expect. */
const SECRET_SAMPLES: Record<string, string> = {
  DATABASE_URL: 'postgres://payments:secret@postgres.example:5432/payments',
};

type Obj = Record<string, unknown>;
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Obj;
  data?: Record<string, string>;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string };
    secretKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: EnvVar[];
  envFrom?: unknown[];
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: Obj;
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  lifecycle?: { preStop?: Obj };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
  securityContext?: Obj;
  terminationGracePeriodSeconds?: number;
}

/** The app's schema as an object schema: its fields and whether each may be left unset. */
function fieldsOf(schema: z.ZodType): Record<string, z.ZodType> {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) throw new Error('an app settings schema is expected to be a z.object');
  return shape;
}
const requiredSettings = (schema: z.ZodType) =>
  Object.entries(fieldsOf(schema))
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([name]) => name);

/** Problems of one environment against an app's settings; [] when it would boot. */
function envProblems(app: string, env: Record<string, string>): string[] {
  const schema = SETTINGS[app];
  const known = fieldsOf(schema);
  const problems: string[] = [];
  for (const name of Object.keys(env)) {
    if (!(name in known) && !PROCESS_WIDE.has(name)) problems.push(`${name} is not a setting of ${app}`);
  }
  for (const name of requiredSettings(schema)) {
    if (!(name in env)) problems.push(`${name} is required by ${app} but not set`);
  }
  if (loadsOperatorTokens(app) && env.OPERATOR_AUTH !== 'disabled') {
    if (!env.OPERATOR_TOKENS_FILE && !env.OPERATOR_TOKENS_JSON) {
      problems.push(`${app} loads operator tokens: OPERATOR_TOKENS_FILE or OPERATOR_TOKENS_JSON is required`);
    }
  }
  // The whole schema too: refinements across settings (PARTNERS_JSON or PARTNERS_FILE, LEASE_MS) and values.
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  return [...new Set(problems)];
}

const kustomizer = (): string[] | undefined => {
  const onPath = (cmd: string) => {
    try {
      execFileSync(cmd, ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (onPath('kubectl')) return ['kubectl', 'kustomize'];
  const pinned = join(ROOT, '.infra', 'bin', 'kustomize');
  if (existsSync(pinned)) return [pinned, 'build'];
  return undefined;
};
const KUSTOMIZE = kustomizer();

function render(dir: string): Resource[] {
  const [cmd, ...args] = KUSTOMIZE!;
  const out = execFileSync(cmd, [...args, dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return yaml.loadAll(out).filter(Boolean) as Resource[];
}

const byKind = (resources: Resource[], kind: string) => resources.filter((r) => r.kind === kind);
const find = (resources: Resource[], kind: string, name: string) => {
  const found = resources.find((r) => r.kind === kind && r.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} is not rendered`);
  return found;
};
const podSpec = (r: Resource) => (r.spec as { template: { spec: PodSpec } }).template.spec;

/** A container's environment with ConfigMap values resolved and Secrets replaced by samples. */
function resolveEnv(container: Container, resources: Resource[]): Record<string, string> {
  expect(container.envFrom).toBeUndefined(); // every setting by name, so that it can be checked here
  const env: Record<string, string> = {};
  for (const v of container.env ?? []) {
    const from = v.valueFrom;
    if (v.value !== undefined) env[v.name] = v.value;
    else if (from?.configMapKeyRef) {
      const value = find(resources, 'ConfigMap', from.configMapKeyRef.name).data?.[from.configMapKeyRef.key];
      if (value === undefined)
        throw new Error(`${v.name}: ConfigMap key ${from.configMapKeyRef.key} is missing`);
      env[v.name] = value;
    } else if (from?.secretKeyRef) {
      const sample = SECRET_SAMPLES[from.secretKeyRef.key];
      if (sample === undefined)
        throw new Error(`${v.name}: no sample for Secret key ${from.secretKeyRef.key}`);
      env[v.name] = sample;
    } else if (from?.fieldRef) env[v.name] = 'pod-name-from-the-downward-api';
    else throw new Error(`${v.name} has neither a value nor a source`);
  }
  return env;
}

/** The file a setting names, as the pod sees it: a key of a mounted ConfigMap, or under a mounted Secret. */
function mounted(spec: PodSpec, container: Container, resources: Resource[], file: string) {
  for (const mount of container.volumeMounts ?? []) {
    const prefix = mount.mountPath.replace(/\/$/, '') + '/';
    if (!file.startsWith(prefix)) continue;
    const volume = spec.volumes?.find((v) => v.name === mount.name);
    const key = file.slice(prefix.length);
    if (volume?.configMap) {
      const data = find(resources, 'ConfigMap', volume.configMap.name).data ?? {};
      return { kind: 'configMap' as const, content: data[key] };
    }
    if (volume?.secret) return { kind: 'secret' as const, secretName: volume.secret.secretName, key };
  }
  return undefined;
}

const OVERLAYS = ['dev', 'production'];
const SERVICES = ['notify-gateway', 'order-state', 'inquiry-poller'];
const describeKustomize = KUSTOMIZE ? describe : describe.skip;
if (!KUSTOMIZE) {
  console.warn(
    'deploy-manifests.spec: SKIPPED the Kubernetes checks: neither kubectl nor .infra/bin/kustomize is installed',
  );
}

describeKustomize('Kubernetes overlays (deploy/kubernetes)', () => {
  const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, render(join(KUBE, 'overlays', o))]));

  describe.each(OVERLAYS)('%s', (overlay) => {
    const resources = rendered[overlay];
    const deployments = byKind(resources, 'Deployment');

    it('deploys each service, and the simulator in dev only', () => {
      const names = deployments.map((d) => d.metadata.name).sort();
      const expected = overlay === 'dev' ? [...SERVICES, 'alipayplus-simulator'] : SERVICES;
      expect(names).toEqual([...expected].sort());
      for (const name of expected) {
        expect(find(resources, 'Service', name)).toBeDefined();
        expect(find(resources, 'PodDisruptionBudget', name)).toBeDefined();
      }
    });

    it.each(deployments.map((d) => [d.metadata.name, d] as const))(
      '%s: its environment is exactly what its config schema accepts',
      (name, deployment) => {
        const spec = podSpec(deployment);
        expect(spec.containers).toHaveLength(1);
        const container = spec.containers[0];
        expect(container.name).toBe(name);
        expect(envProblems(name, resolveEnv(container, resources))).toEqual([]);
      },
    );

    it.each(deployments.map((d) => [d.metadata.name, d] as const))(
      '%s: the partners file is a mounted ConfigMap whose key files are under a mounted Secret',
      (name, deployment) => {
        const spec = podSpec(deployment);
        const container = spec.containers[0];
        const env = resolveEnv(container, resources);
        const partnersFile = env.PARTNERS_FILE ?? env.SIM_PARTNERS_FILE;
        if (name === 'order-state') return expect(partnersFile).toBeUndefined();
        const file = mounted(spec, container, resources, partnersFile);
        expect(file?.kind).toBe('configMap');
        const partners = JSON.parse(file?.kind === 'configMap' ? (file.content ?? 'null') : 'null');
        expect(Array.isArray(partners) && partners.length > 0).toBe(true);
        for (const partner of partners as Obj[]) {
          for (const [field, value] of Object.entries(partner)) {
            if (!field.endsWith('File')) continue;
            expect({ field, mount: mounted(spec, container, resources, String(value))?.kind }).toEqual({
              field,
              mount: 'secret',
            });
          }
        }
      },
    );

    it.each(deployments.map((d) => [d.metadata.name, d] as const))(
      '%s: runs as non-root on a read-only root filesystem, with no privilege and no capabilities',
      (_name, deployment) => {
        const spec = podSpec(deployment);
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
        expect(spec.containers[0].securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        });
      },
    );

    it.each(SERVICES)(
      '%s: probes /health/live and /health/ready, with a grace period for its shutdown',
      (name) => {
        const spec = podSpec(find(resources, 'Deployment', name));
        const container = spec.containers[0];
        expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
        expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
        expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
        if (name === 'notify-gateway') expect(container.lifecycle?.preStop).toBeDefined();
      },
    );

    it.each(OPERATOR_APIS)('%s: operator tokens come from a mounted Secret', (name) => {
      const spec = podSpec(find(resources, 'Deployment', name));
      const container = spec.containers[0];
      const file = resolveEnv(container, resources).OPERATOR_TOKENS_FILE;
      expect(mounted(spec, container, resources, file)?.kind).toBe('secret');
    });

    it('migrates in a Job, and the services do not migrate at boot', () => {
      const job = find(resources, 'Job', 'payments-migrate');
      const spec = podSpec(job);
      const steps = [...(spec.initContainers ?? []), ...spec.containers];
      const scripts = steps.map((c) => c.command?.[c.command.length - 1]);
      expect(scripts).toEqual([
        'dist/apps/order-state/src/infrastructure/persistence/migrate.js',
        'dist/apps/inquiry-poller/src/infrastructure/persistence/migrate.js',
      ]);
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
      expect(pkg.scripts['migration:run']).toContain(scripts[0]);
      for (const [i, step] of steps.entries()) {
        expect(existsSync(join(ROOT, scripts[i]!.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
        // migrate.ts reads DATABASE_URL alone.
        expect(Object.keys(resolveEnv(step, resources))).toEqual(['DATABASE_URL']);
        expect(step.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        });
      }
      for (const name of ['order-state', 'inquiry-poller']) {
        const env = resolveEnv(podSpec(find(resources, 'Deployment', name)).containers[0], resources);
        expect(env.DB_MIGRATE_ON_BOOT).toBe('false');
      }
    });

    it('takes the gateway traffic from the partner side only, operator ports from inside the cluster', () => {
      type Peer = {
        namespaceSelector?: { matchLabels?: Obj };
        podSelector?: { matchLabels?: Obj };
        ipBlock?: Obj;
      };
      type Policy = { podSelector: { matchLabels?: Obj }; ingress?: { from?: Peer[] }[] };
      const policies = byKind(resources, 'NetworkPolicy').map((p) => p.spec as Policy);
      // Nothing gets in that no policy names.
      expect(policies).toContainEqual({ podSelector: {}, policyTypes: ['Ingress'] });
      const peersOf = (app: string) =>
        policies
          .filter((p) => p.podSelector.matchLabels?.['app.kubernetes.io/name'] === app)
          .flatMap((p) => p.ingress ?? [])
          .flatMap((rule) => rule.from ?? [{}]); // a rule without `from` admits everyone
      for (const peer of peersOf('notify-gateway')) {
        // The partner's side is a named namespace (the ingress controller's; Prometheus scrapes) or, in
        // dev, the simulator: never the whole cluster, never any address.
        const named =
          Object.keys(peer.namespaceSelector?.matchLabels ?? {}).length > 0 ||
          peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'alipayplus-simulator';
        expect({ peer, named }).toEqual({ peer, named: true });
        expect(peer.ipBlock).toBeUndefined();
      }
      for (const app of ['order-state', 'inquiry-poller']) {
        // Any pod of the cluster (operators' tools), and nothing from outside it.
        expect(peersOf(app)).toEqual([{ namespaceSelector: {} }]);
      }
    });
  });

  it('production: topics are provisioned, not created by the services', () => {
    for (const name of SERVICES) {
      const container = podSpec(find(rendered.production, 'Deployment', name)).containers[0];
      expect(resolveEnv(container, rendered.production).KAFKA_CREATE_TOPICS).toBe('false');
    }
  });

  it('production: order-state scales on its consumer lag, at most one replica per partition', () => {
    const resources = rendered.production;
    const scaled = find(resources, 'ScaledObject', 'order-state').spec as {
      maxReplicaCount: number;
      triggers: { type: string; metadata: Record<string, string> }[];
    };
    const [trigger] = scaled.triggers;
    expect(trigger.type).toBe('kafka');
    expect(trigger.metadata.consumerGroup).toBe(OrderStateSettings.shape.KAFKA_GROUP_ID.parse(undefined));
    // The generated ConfigMap carries kustomize's hash suffix.
    const settings = byKind(resources, 'ConfigMap').find((c) =>
      /^payments-settings-[a-z0-9]+$/.test(c.metadata.name),
    );
    expect(trigger.metadata.bootstrapServers).toBe(settings?.data?.KAFKA_BROKERS);
    // The topics order-state consumes (apps/order-state/src/infrastructure/messaging/order-state.consumers.ts).
    const consumed: TopicName[] = [Topics.orderRegistered, Topics.resultObserved];
    expect(scaled.maxReplicaCount).toBe(Math.min(...consumed.map((t) => DEFAULT_TOPIC_PARTITIONS[t])));
  });

  it('production: the poller scales on its due backlog, the gateway on CPU', () => {
    const resources = rendered.production;
    const poller = find(resources, 'ScaledObject', 'inquiry-poller').spec as {
      triggers: { type: string; metadata: Record<string, string> }[];
    };
    expect(poller.triggers[0].type).toBe('postgresql');
    expect(poller.triggers[0].metadata.query).toMatch(
      /FROM inquiry_schedule\s+WHERE phase <> 'done' AND next_due_at <= now\(\)/,
    );
    const pollerEnv = resolveEnv(
      podSpec(find(resources, 'Deployment', 'inquiry-poller')).containers[0],
      resources,
    );
    expect(pollerEnv).toHaveProperty(poller.triggers[0].metadata.connectionFromEnv);
    const hpa = find(resources, 'HorizontalPodAutoscaler', 'notify-gateway').spec as { metrics: Obj[] };
    expect(hpa.metrics).toEqual([
      expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
    ]);
  });

  it('production: the PrometheusRule names only metrics that Prometheus or our code produce', () => {
    const rule = find(rendered.production, 'PrometheusRule', 'payment-result-pipeline').spec as {
      groups: { rules: { expr: string }[] }[];
    };
    const declared = [...sourceFiles(join(ROOT, 'libs')), ...sourceFiles(join(ROOT, 'apps'))]
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const exprs = rule.groups.flatMap((g) => g.rules.map((r) => r.expr));
    const metrics = new Set(
      exprs.flatMap((e) => [...e.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1])),
    );
    expect(metrics.size).toBeGreaterThan(1);
    for (const metric of metrics) {
      const known = metric === 'up' || declared.includes(`'${metric}'`);
      expect({ metric, known }).toEqual({ metric, known: true });
    }
  });

  it('topics: one Strimzi KafkaTopic per topic of libs/contracts, replicated for a broker loss, kept for days', () => {
    const topics = render(join(KUBE, 'topics'));
    const spec = (name: string) =>
      find(topics, 'KafkaTopic', name).spec as {
        topicName: string;
        partitions: number;
        replicas: number;
        config: Obj;
      };
    expect(topics.map((t) => t.metadata.name).sort()).toEqual(Object.values(Topics).sort());
    for (const topic of Object.values(Topics)) {
      expect(spec(topic)).toMatchObject({
        topicName: topic,
        partitions: DEFAULT_TOPIC_PARTITIONS[topic],
        replicas: 3,
      });
      expect(spec(topic).config['min.insync.replicas']).toBe('2');
      // An outage of days: a week at the very least.
      expect(Number(spec(topic).config['retention.ms'])).toBeGreaterThanOrEqual(7 * 24 * 3_600_000);
    }
  });
});

describe('settings and metrics the manifests name', () => {
  it.each(Object.entries(LIBRARY_SETTINGS))('%s reads %j', (file, names) => {
    const source = readFileSync(join(ROOT, file), 'utf8');
    for (const name of names) expect(source).toContain(name);
  });
});

describe('docker-compose.yml', () => {
  const compose = yaml.load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<
      string,
      { build?: { args?: Record<string, string> }; environment?: Record<string, unknown>; volumes?: string[] }
    >;
  };

  it('is valid against the compose-spec schema (deploy/compose-spec.schema.json, from compose-go)', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'deploy', 'compose-spec.schema.json'), 'utf8'));
    // Formats such as "duration" are the compose tool's own: their values are not checked here.
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(valid ? [] : validate.errors).toEqual([]);
  });

  it('rejects what compose itself would (a misspelt service key)', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'deploy', 'compose-spec.schema.json'), 'utf8'));
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
    const broken = structuredClone(compose) as { services: Record<string, Obj> };
    broken.services['order-state'].enviroment = {};
    expect(validate(broken)).toBe(false);
  });

  const apps = Object.entries(compose.services).filter(([, s]) => s.build?.args?.APP);
  it('builds every app', () => {
    expect(apps.map(([, s]) => s.build!.args!.APP).sort()).toEqual(Object.keys(SETTINGS).sort());
  });

  it.each(apps.map(([name, s]) => [name, s] as const))(
    '%s: its environment is exactly what its config schema accepts',
    (_name, service) => {
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]),
      );
      expect(envProblems(service.build!.args!.APP, env)).toEqual([]);
      const file = env.PARTNERS_FILE ?? env.SIM_PARTNERS_FILE;
      if (file) {
        // The partners file lies in a mounted folder.
        const dirs = (service.volumes ?? []).map((v) => v.split(':')[1]);
        expect(dirs.some((dir) => posix.dirname(file).startsWith(dir))).toBe(true);
      }
    },
  );
});

describe('the image', () => {
  it('.dockerignore keeps dependencies, outputs, local tools and keys out of the build context', () => {
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const required of ['node_modules', 'dist', '.infra', 'deploy/local', '**/*.key']) {
      expect(patterns).toContain(required);
    }
  });

  it('runs as a numeric non-root user', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1];
    expect(last).toMatch(/^[1-9]\d*(:\d+)?$/);
    // And the one the manifests declare.
    expect(last.split(':')[0]).toBe('1000');
  });
});
