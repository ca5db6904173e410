import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import type { DataSource } from 'typeorm';
import { parse } from 'yaml';
import { consumerMetrics } from '@app/kafka';
import { ServiceMetrics } from '@app/observability';
import { GatewayMetrics } from '../../apps/notify-gateway/src/infrastructure/metrics/gateway-metrics';
import { OrderStateMetrics } from '../../apps/order-state/src/infrastructure/metrics/order-state-metrics';
import { PollerMetrics } from '../../apps/inquiry-poller/src/application/poller-metrics';
import { PollerPrometheus } from '../../apps/inquiry-poller/src/infrastructure/metrics/metered-partner-api';

/*
 * Issue 12: the alert rules and the dashboard name only metrics the services expose, and the
 * Kubernetes PrometheusRule carries the same rules. The catalogue is built from the services' own
 * declarations (nothing is scraped, nothing is running).
 */
const here = __dirname;
const RULES = path.join(here, 'alerts.rules.yml');
const DASHBOARD = path.join(here, 'grafana-dashboard.json');
const K8S_RULE = path.join(here, '..', 'kubernetes', 'components', 'monitoring', 'prometheus-rule.yaml');

function catalogue(): Set<string> {
  const names = new Set<string>(['up']);
  const add = (m: ServiceMetrics) => {
    for (const metric of m.registry.getMetricsAsArray()) {
      const { name, type } = metric as unknown as { name: string; type: string };
      names.add(name);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    }
  };
  const gateway = new ServiceMetrics('notify-gateway');
  new GatewayMetrics(gateway);
  const orderState = new ServiceMetrics('order-state');
  new OrderStateMetrics(orderState, {} as DataSource);
  consumerMetrics(orderState);
  const poller = new ServiceMetrics('inquiry-poller');
  new PollerPrometheus(poller, new PollerMetrics(), () => undefined);
  consumerMetrics(poller);
  [gateway, orderState, poller].forEach(add);
  return names;
}

const FUNCTIONS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'increase',
  'delta',
  'histogram_quantile',
  'absent',
  'by',
  'without',
  'and',
  'or',
  'unless',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
]);

/** The metric names an expression reads: label matchers, groupings and strings taken out first. */
function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...bare.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b/g)]
    .map((m) => m[0])
    .filter((t) => !FUNCTIONS.has(t) && !/^\d/.test(t) && !/^(le|e)$/.test(t));
}

type Rule = { alert: string; expr: string };
type Group = { name: string; rules: Rule[] };

describe('alert rules and dashboard', () => {
  const known = catalogue();
  const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: Group[] }).groups;

  it('the catalogue holds every metric the issue names', () => {
    for (const name of [
      'notify_received_total',
      'notify_ack_duration_seconds_bucket',
      'kafka_publish_duration_seconds_bucket',
      'observations_applied_total',
      'order_transitions_total',
      'orders_final_total',
      'outbox_pending',
      'outbox_publish_lag_seconds',
      'exceptions_open',
      'anomalies_total',
      'parked_results',
      'inquiries_total',
      'inquiry_lateness_seconds_bucket',
      'inquiry_due_backlog',
      'cancels_total',
      'partner_rate_limited_total',
      'untrusted_answers_total',
      'kafka_consumer_lag_messages',
      'kafka_consumer_batch_duration_seconds_bucket',
      'dlq_writes_total',
    ]) {
      expect({ name, known: known.has(name) }).toEqual({ name, known: true });
    }
  });

  it('every alert expression names only metrics that exist', () => {
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'ConsumerLagHigh',
        'OutboxLagHigh',
        'OpenExceptionsGrowing',
        'InquiryLatenessP99High',
        'DeadLettersWritten',
        'UntrustedPartnerAnswers',
      ]),
    );
    for (const rule of rules) {
      const unknown = metricsIn(rule.expr).filter((m) => !known.has(m));
      expect({ alert: rule.alert, unknown }).toEqual({ alert: rule.alert, unknown: [] });
    }
  });

  it('every dashboard panel names only metrics that exist', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      const unknown = panel.targets.flatMap((t) => metricsIn(t.expr)).filter((m) => !known.has(m));
      expect({ panel: panel.title, unknown }).toEqual({ panel: panel.title, unknown: [] });
    }
  });

  it('finds a metric that does not exist (the check itself works)', () => {
    expect(metricsIn('sum by (reason) (rate(no_such_metric_total{a="b"}[5m])) > 1')).toEqual([
      'no_such_metric_total',
    ]);
  });

  it('the Kubernetes PrometheusRule carries the same rules', () => {
    const k8s = parse(readFileSync(K8S_RULE, 'utf8')) as { spec: { groups: Group[] } };
    for (const group of groups) {
      expect(k8s.spec.groups.find((g) => g.name === group.name)).toEqual(group);
    }
  });

  const promtool = '/usr/bin/promtool';
  (existsSync(promtool) ? it : it.skip)('promtool checks the rules file', () => {
    const out = execFileSync(promtool, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });
});
