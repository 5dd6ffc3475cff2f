// thema GraphQL explorer: vanilla JS, same-origin requests only, CSP-friendly (no eval, no inline code).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const els = {
    token: $('token'), tokenToggle: $('token-toggle'), query: $('query'), variables: $('variables'),
    variablesError: $('variables-error'), run: $('run'), status: $('status'), result: $('result'),
    resultErrors: $('result-errors'), examples: $('examples'), examplesStatus: $('examples-status'),
    typeSearch: $('type-search'), schemaReload: $('schema-reload'), schemaStatus: $('schema-status'),
    typeNav: $('type-nav'), typeList: $('type-list'), typeDetail: $('type-detail'),
  };
  // The page is served at the GraphQL endpoint itself (GET /graphql with Accept: text/html).
  const endpoint = location.pathname.replace(/\/+$/, '') || '/graphql';
  const KEYS = { token: 'thema.explorer.token', query: 'thema.explorer.query', variables: 'thema.explorer.variables' };
  const store = {
    get(key) { try { return localStorage.getItem(key) || ''; } catch { return ''; } },
    set(key, value) {
      try { if (value) localStorage.setItem(key, value); else localStorage.removeItem(key); } catch { /* storage disabled */ }
    },
  };

  /** Create an element with optional class name and children (strings become text nodes). */
  function h(tag, className, ...children) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    for (const child of children) if (child !== null && child !== undefined) el.append(child);
    return el;
  }

  function setState(name, value) { document.body.dataset[name] = value; }

  // ---- HTTP ---------------------------------------------------------------------------------
  function requestHeaders() {
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    const token = els.token.value.trim();
    if (token) headers.authorization = 'Bearer ' + token;
    return headers;
  }

  async function postGraphQL(query, variables) {
    const response = await fetch(endpoint, {
      method: 'POST', headers: requestHeaders(), credentials: 'same-origin', cache: 'no-store',
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON: shown as text */ }
    return { response, text, json };
  }

  // ---- Editors ------------------------------------------------------------------------------
  function parseVariables() {
    const raw = els.variables.value.trim();
    if (!raw) return { ok: true, value: null };
    let value;
    try { value = JSON.parse(raw); } catch (err) {
      return { ok: false, message: 'Variables are not valid JSON: ' + err.message };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, message: 'Variables must be a JSON object, for example {"id": "42"}.' };
    }
    return { ok: true, value };
  }

  function checkVariables() {
    const parsed = parseVariables();
    els.variablesError.textContent = parsed.ok ? '' : parsed.message;
    els.variablesError.hidden = parsed.ok;
    els.variables.setAttribute('aria-invalid', String(!parsed.ok));
    return parsed;
  }

  function insertText(textarea, text) {
    // execCommand keeps the browser's undo history; setRangeText is the fallback.
    if (!document.execCommand || !document.execCommand('insertText', false, text)) {
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, 'end');
      textarea.dispatchEvent(new Event('input'));
    }
  }

  function setupEditor(textarea, storageKey) {
    let leaving = false; // Escape, then Tab, moves focus instead of indenting
    textarea.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') { leaving = true; return; }
      const plainTab = ev.key === 'Tab' && !ev.shiftKey && !ev.ctrlKey && !ev.altKey && !ev.metaKey;
      if (plainTab && !leaving) { ev.preventDefault(); insertText(textarea, '  '); }
      leaving = false;
    });
    textarea.addEventListener('input', () => store.set(storageKey, textarea.value));
  }

  // ---- Running a query ----------------------------------------------------------------------
  let runSeq = 0;

  function showStatus(text, tone) {
    els.status.textContent = text;
    els.status.className = 'status' + (tone ? ' ' + tone : '');
  }

  function showErrors(errors) {
    els.resultErrors.replaceChildren();
    for (const error of errors) {
      const where = Array.isArray(error.path) ? ' (at ' + error.path.join('.') + ')' : '';
      els.resultErrors.append(h('li', null, String(error.message ?? JSON.stringify(error)) + where));
    }
    els.resultErrors.hidden = errors.length === 0;
  }

  function finish(state) {
    els.result.setAttribute('aria-busy', 'false');
    setState('state', state);
  }

  async function run() {
    const query = els.query.value;
    const variables = checkVariables();
    if (!query.trim()) { showStatus('Nothing to run: write a query first.', 'bad'); finish('error'); return; }
    if (!variables.ok) {
      showStatus('Not sent: fix the variables first.', 'bad');
      els.result.textContent = '';
      showErrors([]);
      finish('error');
      els.variables.focus();
      return;
    }
    const seq = ++runSeq;
    store.set(KEYS.query, query);
    store.set(KEYS.variables, els.variables.value);
    setState('state', 'running');
    els.result.setAttribute('aria-busy', 'true');
    showStatus('Running…');
    const started = performance.now();
    try {
      const { response, text, json } = await postGraphQL(query, variables.value);
      if (seq !== runSeq) return; // a newer run superseded this one
      const errors = json && Array.isArray(json.errors) ? json.errors : [];
      els.result.textContent = json !== null ? JSON.stringify(json, null, 2) : (text || '(empty response body)');
      showErrors(errors);
      const ok = response.ok && json !== null && errors.length === 0;
      const plural = errors.length > 1 ? 's' : '';
      showStatus(
        ('HTTP ' + response.status + ' ' + response.statusText).trim()
          + (errors.length ? ' · ' + errors.length + ' error' + plural : '')
          + ' · ' + Math.round(performance.now() - started) + ' ms',
        ok ? 'good' : 'bad');
      els.result.classList.toggle('has-errors', !ok);
      finish(ok ? 'done' : 'error');
    } catch (err) {
      if (seq !== runSeq) return;
      els.result.textContent = 'The request failed: ' + err.message;
      els.result.classList.add('has-errors');
      showErrors([]);
      showStatus('Network error', 'bad');
      finish('error');
    }
  }

  // ---- Examples -----------------------------------------------------------------------------
  function loadExample(example, andRun) {
    els.query.value = example.query;
    els.variables.value = example.variables ? JSON.stringify(example.variables, null, 2) : '';
    store.set(KEYS.query, els.query.value);
    store.set(KEYS.variables, els.variables.value);
    checkVariables();
    if (andRun) run(); else els.query.focus();
  }

  async function loadExamples() {
    try {
      const response = await fetch(endpoint + '/examples', { headers: { accept: 'application/json' }, cache: 'no-store' });
      const data = await response.json();
      if (!response.ok || !Array.isArray(data)) throw new Error((data && data.error) || 'HTTP ' + response.status);
      els.examples.replaceChildren(...data.map((example) => {
        const load = h('button', null, 'Load');
        const loadRun = h('button', 'primary', 'Load & run');
        load.type = loadRun.type = 'button';
        load.setAttribute('aria-label', 'Load example: ' + example.title);
        loadRun.setAttribute('aria-label', 'Load and run example: ' + example.title);
        load.addEventListener('click', () => loadExample(example, false));
        loadRun.addEventListener('click', () => loadExample(example, true));
        return h('li', 'example', h('h3', null, example.title), h('pre', 'preview', example.query),
          h('div', 'example-actions', load, loadRun));
      }));
      els.examplesStatus.textContent = data.length ? '' : 'No example in the README.';
      els.examplesStatus.hidden = data.length > 0;
      setState('examples', 'ready');
    } catch (err) {
      els.examplesStatus.textContent = 'Examples unavailable: ' + err.message;
      setState('examples', 'error');
    }
  }

  // ---- Schema browser -----------------------------------------------------------------------
  const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType '
    + '{ kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }';
  const INTROSPECTION = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { ${TYPE_REF} }`;

  let schema = null; // { types: Map<name, type>, roots: [[label, name]...] }
  let history = [];

  function typeRef(ref) {
    if (ref.kind === 'NON_NULL') return h('span', null, typeRef(ref.ofType), '!');
    if (ref.kind === 'LIST') return h('span', null, '[', typeRef(ref.ofType), ']');
    return typeLink(ref.name);
  }

  function typeLink(name) {
    const link = h('button', 'type-link', name);
    link.type = 'button';
    link.dataset.type = name;
    return link;
  }

  function description(text) { return text ? h('p', 'description', text) : null; }

  function deprecation(item) {
    return item.isDeprecated ? h('span', 'badge deprecated', 'deprecated' + (item.deprecationReason ? ': ' + item.deprecationReason : '')) : null;
  }

  function orderedTypes() {
    const rootNames = schema.roots.map(([, name]) => name);
    const others = [...schema.types.keys()].filter((n) => !rootNames.includes(n)).sort((a, b) => a.localeCompare(b));
    return [...rootNames, ...others].map((n) => schema.types.get(n));
  }

  function renderTypeList() {
    const term = els.typeSearch.value.trim().toLowerCase();
    const items = [];
    for (const type of orderedTypes()) {
      if (type.name.startsWith('__') && !term.startsWith('__')) continue; // introspection types
      const fieldHits = term ? (type.fields || type.inputFields || []).filter((f) => f.name.toLowerCase().includes(term)) : [];
      if (term && !type.name.toLowerCase().includes(term) && fieldHits.length === 0) continue;
      const root = schema.roots.find(([, name]) => name === type.name);
      const link = typeLink(type.name);
      const li = h('li', null, link, h('span', 'badge', root ? root[0] + ' root' : type.kind.toLowerCase().replace('_', ' ')));
      if (fieldHits.length) li.append(h('div', 'muted hits', 'fields: ' + fieldHits.map((f) => f.name).join(', ')));
      items.push(li);
    }
    els.typeList.replaceChildren(...items);
    if (!items.length) els.typeList.append(h('li', 'muted', 'No type matches “' + term + '”.'));
  }

  function fieldList(title, fields) {
    if (!fields || !fields.length) return null;
    const list = h('ul', 'fields');
    for (const field of fields) {
      const signature = h('code', 'signature', h('span', 'field-name', field.name));
      if (field.args && field.args.length) {
        signature.append('(');
        field.args.forEach((arg, i) => {
          if (i) signature.append(', ');
          signature.append(arg.name + ': ', typeRef(arg.type));
          if (arg.defaultValue !== null && arg.defaultValue !== undefined) signature.append(' = ' + arg.defaultValue);
        });
        signature.append(')');
      }
      if (field.type) signature.append(': ', typeRef(field.type));
      else if (field.defaultValue !== null && field.defaultValue !== undefined) signature.append(' = ' + field.defaultValue);
      const li = h('li', null, signature, deprecation(field), description(field.description));
      const argDocs = (field.args || []).filter((a) => a.description);
      if (argDocs.length) {
        li.append(h('ul', 'args', ...argDocs.map((a) => h('li', null, h('code', null, a.name), ' — ' + a.description))));
      }
      list.append(li);
    }
    return h('section', null, h('h4', null, title), list);
  }

  function linkSection(title, refs) {
    if (!refs || !refs.length) return null;
    const p = h('p', 'links');
    refs.forEach((ref, i) => { if (i) p.append(', '); p.append(typeRef(ref)); });
    return h('section', null, h('h4', null, title), p);
  }

  function showType(name, push = true) {
    const type = schema && schema.types.get(name);
    if (!type) return;
    if (push && history[history.length - 1] !== name) history.push(name);
    const back = h('button', null, '← Back');
    const all = h('button', null, 'All types');
    back.type = all.type = 'button';
    back.disabled = history.length < 2;
    back.addEventListener('click', () => { history.pop(); showType(history[history.length - 1], false); });
    all.addEventListener('click', showTypeList);
    const enumValues = type.enumValues && type.enumValues.length
      ? h('section', null, h('h4', null, 'Values'), h('ul', 'fields', ...type.enumValues.map((v) =>
        h('li', null, h('code', 'field-name', v.name), deprecation(v), description(v.description)))))
      : null;
    els.typeDetail.replaceChildren(...[
      h('div', 'detail-nav', back, all),
      h('h3', null, type.name, ' ', h('span', 'badge', type.kind.toLowerCase().replace('_', ' '))),
      description(type.description) || h('p', 'muted', 'No description.'),
      linkSection('Implements', type.interfaces),
      linkSection(type.kind === 'UNION' ? 'Members' : 'Implemented by', type.possibleTypes),
      fieldList('Fields', type.fields),
      fieldList('Input fields', type.inputFields),
      enumValues,
    ].filter(Boolean));
    els.typeNav.hidden = true;
    els.typeDetail.hidden = false;
    els.typeDetail.focus();
  }

  function showTypeList() {
    history = [];
    els.typeDetail.hidden = true;
    els.typeNav.hidden = false;
    renderTypeList();
  }

  async function loadSchema() {
    els.schemaStatus.textContent = 'Loading schema…';
    els.schemaStatus.className = 'muted';
    try {
      const { response, json } = await postGraphQL(INTROSPECTION, null);
      if (json && Array.isArray(json.errors) && json.errors.length) {
        throw new Error(json.errors.map((e) => e.message).join(' · '));
      }
      if (!response.ok || !json || !json.data || !json.data.__schema) throw new Error('HTTP ' + response.status);
      const raw = json.data.__schema;
      const roots = [['query', raw.queryType], ['mutation', raw.mutationType], ['subscription', raw.subscriptionType]];
      schema = {
        types: new Map(raw.types.map((t) => [t.name, t])),
        roots: roots.filter(([, t]) => t && t.name).map(([label, t]) => [label, t.name]),
      };
      els.schemaStatus.textContent = '';
      setState('schema', 'ready');
      showTypeList();
    } catch (err) {
      schema = null;
      els.typeList.replaceChildren();
      els.typeDetail.hidden = true;
      els.schemaStatus.textContent = 'Schema unavailable (introspection refused or failed): ' + err.message;
      els.schemaStatus.className = 'error';
      setState('schema', 'error');
    }
  }

  // ---- Tabs ---------------------------------------------------------------------------------
  function setupTabs() {
    const tabs = [...document.querySelectorAll('[role="tab"]')];
    const select = (tab) => {
      for (const t of tabs) {
        const selected = t === tab;
        t.setAttribute('aria-selected', String(selected));
        t.tabIndex = selected ? 0 : -1;
        $(t.getAttribute('aria-controls')).hidden = !selected;
      }
    };
    tabs.forEach((tab, i) => {
      tab.addEventListener('click', () => select(tab));
      tab.addEventListener('keydown', (ev) => {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[ev.key];
        if (!step) return;
        const next = tabs[(i + step + tabs.length) % tabs.length];
        select(next);
        next.focus();
      });
    });
  }

  // ---- Start --------------------------------------------------------------------------------
  document.addEventListener('securitypolicyviolation', (ev) => {
    setState('cspViolations', String(Number(document.body.dataset.cspViolations || 0) + 1));
    console.warn('CSP violation:', ev.violatedDirective, ev.blockedURI);
  });

  function start() {
    setupTabs();
    setupEditor(els.query, KEYS.query);
    setupEditor(els.variables, KEYS.variables);
    els.variables.addEventListener('input', checkVariables);
    // A token may arrive in the URL fragment (#token=…, never sent to the server, as printed
    // by `make run`): keep it in this browser and remove it from the address bar.
    const hashParams = new URLSearchParams(location.hash.replace(/^#/, ''));
    if (hashParams.get('token')) {
      store.set(KEYS.token, hashParams.get('token').trim());
      window.history.replaceState(null, '', location.pathname + location.search);
    }
    els.token.value = store.get(KEYS.token);
    els.token.addEventListener('input', () => store.set(KEYS.token, els.token.value.trim()));
    els.token.addEventListener('change', loadSchema); // the schema may depend on who asks
    els.tokenToggle.addEventListener('click', () => {
      const show = els.token.type === 'password';
      els.token.type = show ? 'text' : 'password';
      els.tokenToggle.textContent = show ? 'Hide' : 'Show';
      els.tokenToggle.setAttribute('aria-pressed', String(show));
    });
    els.run.addEventListener('click', run);
    document.addEventListener('keydown', (ev) => {
      if ((ev.ctrlKey || ev.metaKey) && ev.key === 'Enter') { ev.preventDefault(); run(); }
    });
    els.typeSearch.addEventListener('input', () => { if (schema) showTypeList(); });
    els.schemaReload.addEventListener('click', loadSchema);
    document.getElementById('panel-schema').addEventListener('click', (ev) => {
      const link = ev.target.closest('.type-link');
      if (link) showType(link.dataset.type);
    });

    // URL convenience: ?query=...&variables=...&run=1 (otherwise restore the last session).
    const params = new URLSearchParams(location.search);
    els.query.value = params.has('query') ? params.get('query') : store.get(KEYS.query);
    els.variables.value = params.has('query') ? (params.get('variables') || '') : store.get(KEYS.variables);
    checkVariables();
    loadExamples();
    loadSchema();
    if (params.get('run') === '1') run();
  }

  start();
})();
