// The ops console (issue: operations). A small Preact app (htm templates, no build step), served by
// order-state with its dependencies from our own process. It only talks to order-state's JSON API,
// with the operator's bearer token: what a viewer may not see (raw bodies) or do (actions), the API
// refuses, and the page hides.
import { h, render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import htm from 'htm';

const html = htm.bind(h);
const TOKEN_KEY = 'payments-console-token';

async function api(method, path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${res.status} ${json.code ?? ''}: ${json.message ?? ''}`.trim());
  return json;
}

const ageOf = (iso) => {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
};

function useLoad(loader, deps) {
  const [state, setState] = useState({ loading: true });
  const reload = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    loader().then(
      (data) => setState({ data }),
      (error) => setState({ error: error.message }),
    );
  }, deps);
  useEffect(reload, [reload]);
  return [state, reload];
}

function Notice({ notice }) {
  if (!notice) return null;
  return html`<div class="notice ${notice.kind}" role="status" data-testid="notice">${notice.text}</div>`;
}

function Table({ rows, columns, empty, testid }) {
  if (!rows || rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<table data-testid=${testid}>
    <thead>
      <tr>
        ${columns.map((c) => html`<th>${c.label}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr data-row=${row.id ?? row.paymentRequestId}>
            ${columns.map((c) => html`<td>${c.render ? c.render(row) : String(row[c.key] ?? '')}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function Loaded({ state, children }) {
  if (state.error) return html`<div class="notice error">${state.error}</div>`;
  if (state.data === undefined) return html`<p class="muted">Loading…</p>`;
  return children(state.data);
}

function Orders({ me, open, act }) {
  const [summary, reloadSummary] = useLoad(() => api('GET', '/orders/summary'), []);
  const [stuck, reloadStuck] = useLoad(() => api('GET', '/orders?stuck=true&limit=100'), []);
  const reinquire = (id) =>
    act(
      `Re-inquiry requested for ${id}`,
      () => api('POST', `/orders/${encodeURIComponent(id)}/reinquire`, {}),
      () => {
        reloadSummary();
        reloadStuck();
      },
    );
  return html`<section>
    <h2>Orders by status</h2>
    <${Loaded} state=${summary}
      >${(s) =>
        html`<div class="cards" data-testid="status-cards">
          ${s.byStatus.map(
            (b) =>
              html`<div class="card">
                <span>${b.status}</span><b>${b.count}</b
                ><span class="muted">oldest ${ageOf(b.oldestAt)}</span>
              </div>`,
          )}
        </div>`}<//
    >
    <h2>Stuck orders (not final past their expiry)</h2>
    <${Loaded} state=${stuck}
      >${(rows) =>
        html`<${Table}
          testid="stuck-orders"
          rows=${rows}
          empty="No stuck order."
          columns=${[
            {
              label: 'Payment',
              render: (r) =>
                html`<a href="#" onClick=${(e) => (e.preventDefault(), open(r.paymentRequestId))}
                  >${r.paymentRequestId}</a
                >`,
            },
            { label: 'Partner', render: (r) => `${r.dialect} ${r.clientId}` },
            { label: 'Status', key: 'status' },
            { label: 'Expired', render: (r) => `${ageOf(r.paymentExpiryTime)} ago` },
            {
              label: '',
              render: (r) =>
                me.role === 'operator'
                  ? html`<button class="plain" onClick=${() => reinquire(r.paymentRequestId)}>
                      Re-inquire
                    </button>`
                  : '',
            },
          ]}
        />`}<//
    >
  </section>`;
}

const RESOLUTIONS = [
  ['accept', 'Accept (paid)', 'primary'],
  ['reverse', 'Reverse (cancel)', 'danger'],
  ['mark_failed', 'Mark failed', 'plain'],
  ['reinquire', 'Re-inquire', 'plain'],
];

function Exceptions({ me, open, act }) {
  const [state, reload] = useLoad(() => api('GET', '/exceptions?open=true&limit=500'), []);
  const resolve = (ex, resolution) => {
    const note = prompt(`Why "${resolution}" for ${ex.paymentRequestId}?`, '') ?? '';
    act(
      `Exception ${ex.id} (${ex.paymentRequestId}): ${resolution}`,
      () => api('POST', `/exceptions/${ex.id}/resolve`, { resolution, ...(note ? { note } : {}) }),
      reload,
    );
  };
  return html`<section>
    <h2>Open exceptions</h2>
    <${Loaded} state=${state}
      >${(rows) =>
        html` <div class="cards" data-testid="exception-reasons">
            ${Object.entries(
              rows.reduce((acc, r) => ({ ...acc, [r.reason]: (acc[r.reason] ?? 0) + 1 }), {}),
            ).map(([reason, n]) => html`<div class="card"><span>${reason}</span><b>${n}</b></div>`)}
          </div>
          <${Table}
            testid="exceptions"
            rows=${rows}
            empty="No open exception."
            columns=${[
              { label: 'Id', key: 'id' },
              {
                label: 'Payment',
                render: (r) =>
                  html`<a href="#" onClick=${(e) => (e.preventDefault(), open(r.paymentRequestId))}
                    >${r.paymentRequestId}</a
                  >`,
              },
              { label: 'Reason', key: 'reason' },
              { label: 'Detail', key: 'detail' },
              { label: 'Open for', render: (r) => ageOf(r.openedAt) },
              {
                label: 'Resolve',
                render: (r) =>
                  me.role === 'operator'
                    ? html`<span class="actions"
                        >${RESOLUTIONS.map(
                          ([res, label, cls]) =>
                            html`<button class=${cls} data-resolution=${res} onClick=${() => resolve(r, res)}>
                              ${label}
                            </button>`,
                        )}</span
                      >`
                    : html`<span class="muted">operators only</span>`,
              },
            ]}
          />`}<//
    >
  </section>`;
}

function Anomalies({ open }) {
  const [state] = useLoad(() => api('GET', '/anomalies?limit=200'), []);
  return html`<section>
    <h2>Anomalies</h2>
    <${Loaded} state=${state}
      >${(rows) =>
        html`<${Table}
          testid="anomalies"
          rows=${rows}
          empty="No anomaly."
          columns=${[
            { label: 'When', render: (r) => r.createdAt ?? r.recordedAt ?? '' },
            {
              label: 'Payment',
              render: (r) =>
                html`<a href="#" onClick=${(e) => (e.preventDefault(), open(r.paymentRequestId))}
                  >${r.paymentRequestId}</a
                >`,
            },
            { label: 'Kind', key: 'kind' },
            { label: 'Detail', render: (r) => html`<pre>${JSON.stringify(r.detail)}</pre>` },
          ]}
        />`}<//
    >
  </section>`;
}

function DeadLetters({ me, act }) {
  const [state, reload] = useLoad(() => api('GET', '/dead-letters?limit=200'), []);
  const replay = (letter) =>
    act(
      `Replayed ${letter.id} to ${letter.originalTopic}`,
      () => api('POST', `/dead-letters/${encodeURIComponent(letter.id)}/replay`, {}),
      reload,
    );
  return html`<section>
    <h2>Dead letters</h2>
    <${Loaded} state=${state}
      >${(data) =>
        html`<${Table}
          testid="dead-letters"
          rows=${data.items}
          empty="No dead letter."
          columns=${[
            { label: 'Received', render: (r) => `${ageOf(r.receivedAt)} ago` },
            { label: 'Topic', render: (r) => `${r.originalTopic}[${r.partition}]@${r.offset}` },
            { label: 'Reason', render: (r) => html`<pre>${r.reason.slice(0, 400)}</pre>` },
            {
              label: 'Value',
              render: (r) =>
                r.value === undefined
                  ? html`<span class="muted">operators only</span>`
                  : html`<pre>${(r.value ?? '').slice(0, 300)}</pre>`,
            },
            {
              label: 'Replays',
              render: (r) => `${r.replayCount}${r.lastReplayedBy ? ` (last by ${r.lastReplayedBy})` : ''}`,
            },
            {
              label: '',
              render: (r) =>
                me.role === 'operator'
                  ? html`<button class="primary" onClick=${() => replay(r)}>Replay</button>`
                  : '',
            },
          ]}
        />`}<//
    >
  </section>`;
}

function Timeline({ id }) {
  const [state] = useLoad(() => api('GET', `/orders/${encodeURIComponent(id)}`), [id]);
  return html`<section>
    <h2>Order ${id}</h2>
    <${Loaded} state=${state}
      >${(order) =>
        html` <p data-testid="order-status">
            Status <b>${order.status}</b> (version ${order.version}), result ${order.resultCode ?? '—'} from
            ${order.resultSource ?? '—'}
          </p>
          <h3>Timeline</h3>
          <${Table}
            testid="timeline"
            rows=${order.timeline ?? order.observations ?? []}
            empty="Nothing observed yet."
            columns=${[
              { label: 'When', render: (r) => r.observedAt ?? r.occurredAt ?? r.at ?? '' },
              { label: 'Source', key: 'source' },
              { label: 'Outcome', key: 'outcome' },
              { label: 'Code', key: 'resultCode' },
              {
                label: 'Effect',
                render: (r) => `${r.effect ?? ''}${r.statusAfter ? ` → ${r.statusAfter}` : ''}`,
              },
              {
                label: 'Raw body',
                render: (r) =>
                  r.rawBody === undefined
                    ? html`<span class="muted">operators only</span>`
                    : html`<pre>${r.rawBody ?? ''}</pre>`,
              },
            ]}
          />`}<//
    >
  </section>`;
}

function Login({ onToken, error }) {
  const [value, setValue] = useState('');
  return html`<form class="login" onSubmit=${(e) => (e.preventDefault(), onToken(value.trim()))}>
    <h2>Ops console</h2>
    <p>Paste your operator token (from OPERATOR_TOKENS_FILE). It stays in this tab only.</p>
    ${error ? html`<div class="notice error">${error}</div>` : null}
    <label
      >Bearer token<input
        type="password"
        name="token"
        value=${value}
        onInput=${(e) => setValue(e.target.value)}
    /></label>
    <button class="primary" type="submit">Sign in</button>
  </form>`;
}

const VIEWS = [
  ['orders', 'Orders'],
  ['exceptions', 'Exceptions'],
  ['anomalies', 'Anomalies'],
  ['dead-letters', 'Dead letters'],
];

function App() {
  const [me, setMe] = useState(null);
  const [loginError, setLoginError] = useState(null);
  const [view, setView] = useState('orders');
  const [order, setOrder] = useState(null);
  const [notice, setNotice] = useState(null);

  const signIn = useCallback(async (token) => {
    if (token !== undefined) sessionStorage.setItem(TOKEN_KEY, token);
    try {
      setMe(await api('GET', '/operators/me'));
      setLoginError(null);
    } catch (err) {
      setMe(null);
      if (token !== undefined || sessionStorage.getItem(TOKEN_KEY)) setLoginError(err.message);
    }
  }, []);
  useEffect(() => void signIn(), [signIn]);

  const act = useCallback(async (what, run, then) => {
    try {
      await run();
      setNotice({ kind: 'ok', text: `${what}: done` });
    } catch (err) {
      setNotice({ kind: 'error', text: `${what}: ${err.message}` });
    }
    then?.();
  }, []);
  const open = (id) => {
    setOrder(id);
    setView('order');
  };

  if (!me) return html`<${Login} onToken=${signIn} error=${loginError} />`;
  return html`<div>
    <header>
      <h1>Payment results</h1>
      <nav>
        ${VIEWS.map(
          ([key, label]) =>
            html`<button
              aria-current=${view === key ? 'page' : undefined}
              onClick=${() => (setNotice(null), setView(key))}
            >
              ${label}
            </button>`,
        )}
      </nav>
      <span class="who" data-testid="who">${me.name} · ${me.role}</span>
    </header>
    <div style="padding: 0 1rem"><${Notice} notice=${notice} /></div>
    ${view === 'orders' ? html`<${Orders} me=${me} open=${open} act=${act} />` : null}
    ${view === 'exceptions' ? html`<${Exceptions} me=${me} open=${open} act=${act} />` : null}
    ${view === 'anomalies' ? html`<${Anomalies} open=${open} />` : null}
    ${view === 'dead-letters' ? html`<${DeadLetters} me=${me} act=${act} />` : null}
    ${view === 'order' && order ? html`<${Timeline} id=${order} />` : null}
  </div>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the 'Loading…' placeholder
render(html`<${App} />`, root);
