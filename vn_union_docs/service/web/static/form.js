/* The form, generated from the spec's JSON Schema (embedded in the page as #schema).
 *
 * No front-end library: the schema subset pydantic emits ($ref, anyOf with null, enum/const,
 * string/integer/boolean, arrays, objects) takes a few hundred lines to cover, and a page that
 * must work offline on an office machine is better with nothing to vendor and keep up to date.
 *
 * Vietnamese input methods: the form never writes into a field while the clerk types. Values
 * are set only when the form is built (new type, a loaded YAML file); everything the server
 * says goes into separate elements next to the fields.
 */
'use strict';

window.VnForm = (function () {
  const SCHEMA = JSON.parse(document.getElementById('schema').textContent);
  const META = JSON.parse(document.getElementById('labels').textContent);
  const HIDDEN = new Set(['type']);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  function deref(node) {
    let n = node || {};
    for (let i = 0; n.$ref && i < 32; i++) n = SCHEMA.$defs[n.$ref.split('/').pop()] || {};
    return n;
  }

  function typeSchema(typeId) {
    const mapping = (SCHEMA.discriminator || {}).mapping || {};
    if (mapping[typeId]) return deref({ $ref: mapping[typeId] });
    for (const alt of SCHEMA.oneOf || SCHEMA.anyOf || []) {
      const s = deref(alt);
      if (s.properties && s.properties.type && s.properties.type.const === typeId) return s;
    }
    return deref(SCHEMA);
  }

  /* A property's schema reduced to one kind: {node, nullable, consts}. */
  function analyse(raw) {
    let node = deref(raw);
    let nullable = false;
    const consts = [];
    const alts = node.anyOf || node.oneOf;
    if (alts) {
      const others = [];
      const constLike = [];
      for (const a of alts.map(deref)) {
        if (a.type === 'null') nullable = true;
        else if (typeof a.const === 'string') constLike.push(a.const);
        else if (Array.isArray(a.enum) && a.enum.every((v) => typeof v === 'string')) constLike.push(...a.enum);
        else others.push(a);
      }
      if (others.length === 0) node = { type: 'string', enum: constLike };
      else if (others.length === 1) {
        node = Object.assign({}, others[0]);
        if (node.type !== 'string') {
          // «auto» (a number from the register) only where the service has a register.
          consts.push(...constLike.filter((c) => c !== 'auto' || META.register));
        }
      } else if (others.length === 2 && others.some((o) => o.type === 'array')
                 && others.some((o) => o.type === 'object' && o.properties)) {
        // issuer / signature: one mapping or a list of them (a joint document). The form
        // shows the one; a joint document is written in the YAML view.
        node = Object.assign({}, others.find((o) => o.type === 'object'));
      } else node = { yaml: true };
      for (const k of ['title', 'description', 'default']) if (raw[k] !== undefined) node[k] = raw[k];
    }
    return { node, nullable, consts };
  }

  function kindOf(node, meta) {
    if (node.yaml) return 'yaml';
    if (node.enum || node.const !== undefined) return 'enum';
    if (node.type === 'string') {
      if (node.format === 'date') return 'date';
      return meta.widget === 'markdown' ? 'markdown' : 'text';
    }
    if (node.type === 'integer' || node.type === 'number') return 'number';
    if (node.type === 'boolean') return 'boolean';
    if (node.type === 'array') {
      const items = analyse(node.items || {}).node;
      if (items.type === 'string' && !items.enum) return 'list';
      if (items.type === 'object' && items.properties) return 'objlist';
      return 'yaml';
    }
    if (node.type === 'object' && node.properties) return 'group';
    return 'yaml';
  }

  const idOf = (path) => 'f-' + path.replace(/[.[\]]+/g, '-').replace(/-$/, '');
  const pattern = (path) => path.replace(/\[\d+\]/g, '[]');
  const metaOf = (path) => (META.keys || {})[pattern(path)] || {};
  const enumLabel = (v) => (META.enums || {})[v] || v;

  /* Every field record: {path, kind, focus, msgs, get(), set(v), yaml(out)}. */
  class Form {
    constructor(container, onChange) {
      this.container = container;
      this.onChange = onChange;
      this.records = new Map();
      this.root = null;
      this.stash = {};
    }

    build(typeId, values, yamlTexts) {
      this.records.clear();
      this.container.replaceChildren();
      this.typeId = typeId;
      const schema = typeSchema(typeId);
      const main = el('div', { class: 'group-body' });
      const advanced = el('div', { class: 'group-body' });
      this.root = this.group('', schema, main, advanced);
      this.container.append(main);
      if (advanced.childElementCount) {
        this.container.append(el('details', { class: 'advanced', id: 'advanced' },
          el('summary', { text: 'Thêm tùy chọn (độ khẩn, độ mật, ký hiệu riêng, số liệu…)' }), advanced));
      }
      this.set(values || {}, yamlTexts || {});
    }

    label(path, key, node, required) {
      const meta = metaOf(path);
      const text = meta.label || node.title || key;
      return text + (required ? ' *' : '');
    }

    help(path, node) {
      const meta = metaOf(path);
      return meta.help || (meta.label ? '' : node.description || '');
    }

    /* A titled field wrapper with its help and its messages box. */
    wrap(path, labelText, input, helpText, extra) {
      const id = idOf(path);
      const helpId = helpText ? id + '-help' : null;
      const msgs = el('div', { class: 'msgs', id: id + '-msgs' });
      input.setAttribute('aria-describedby', [helpId, id + '-msgs'].filter(Boolean).join(' '));
      const box = el('div', { class: 'field', 'data-path': path },
        el('label', { for: id, text: labelText }), input,
        helpText ? el('p', { class: 'help', id: helpId, text: helpText }) : null, extra || null, msgs);
      return { box, msgs };
    }

    record(rec) {
      this.records.set(rec.path, rec);
      return rec;
    }

    group(path, node, into, advancedInto) {
      const children = new Map();
      const required = new Set(node.required || []);
      for (const [key, raw] of Object.entries(node.properties || {})) {
        if (!path && HIDDEN.has(key)) continue;
        const childPath = path ? path + '.' + key : key;
        const meta = metaOf(childPath);
        const target = meta.advanced && advancedInto ? advancedInto : into;
        children.set(key, this.field(childPath, key, raw, required.has(key), target));
      }
      const rec = {
        path, kind: 'group', extras: {},
        get: () => {
          const out = Object.assign({}, rec.extras);
          for (const [k, c] of children) {
            const v = c.get();
            if (v !== undefined) out[k] = v;
          }
          return Object.keys(out).length ? out : undefined;
        },
        set: (v) => {
          const obj = v && typeof v === 'object' && !Array.isArray(v) ? v : {};
          rec.extras = {};
          for (const [k, val] of Object.entries(obj)) if (!children.has(k) && !(HIDDEN.has(k) && !path)) rec.extras[k] = val;
          for (const [k, c] of children) c.set(obj[k]);
        },
        yaml: (out) => { for (const c of children.values()) c.yaml(out); },
        children,
      };
      return this.record(rec);
    }

    field(path, key, raw, required, into) {
      const { node, nullable, consts } = analyse(raw);
      const meta = metaOf(path);
      const kind = kindOf(node, meta);
      const id = idOf(path);
      const label = this.label(path, key, node, required);
      const help = this.help(path, node);
      const aria = required ? { 'aria-required': 'true' } : {};
      let rec;
      if (kind === 'group') {
        const fs = el('fieldset', { class: 'group', id, 'data-path': path },
          el('legend', { text: label }));
        if (help) fs.append(el('p', { class: 'help', text: help }));
        const body = el('div', { class: 'group-body' });
        fs.append(body);
        const msgs = el('div', { class: 'msgs', id: id + '-msgs' });
        fs.append(msgs);
        into.append(fs);
        rec = this.group(path, node, body, null);
        rec.msgs = msgs;
        rec.focus = () => (fs.querySelector('input,textarea,select') || fs).focus();
        return rec;
      }
      if (kind === 'list' || kind === 'objlist') return this.list(path, label, help, node, kind, into, meta);
      if (meta.widget === 'template') return this.templateField(path, id, label, help, into);
      if (kind === 'enum') {
        const values = node.enum || [node.const];
        const select = el('select', Object.assign({ id, name: path }, aria),
          nullable || !required ? el('option', { value: '', text: '(không)' }) : null,
          ...values.map((v) => el('option', { value: String(v), text: enumLabel(String(v)) })));
        const { box, msgs } = this.wrap(path, label, select, help);
        into.append(box);
        rec = {
          path, kind, msgs, focus: () => select.focus(),
          get: () => (select.value === '' ? undefined : values.find((v) => String(v) === select.value)),
          set: (v) => { select.value = v === undefined || v === null ? (node.default != null ? String(node.default) : '') : String(v); },
          yaml: () => {},
        };
        return this.record(rec);
      }
      if (kind === 'boolean') {
        const box = el('input', { type: 'checkbox', id, name: path });
        const { box: wrapper, msgs } = this.wrap(path, label, box, help);
        wrapper.classList.add('check');
        into.append(wrapper);
        return this.record({
          path, kind, msgs, focus: () => box.focus(),
          get: () => (box.checked === Boolean(node.default) ? undefined : box.checked),
          set: (v) => { box.checked = v === undefined || v === null ? Boolean(node.default) : Boolean(v); },
          yaml: () => {},
        });
      }
      if (kind === 'yaml') {
        const area = el('textarea', Object.assign({ id, name: path, rows: 4, spellcheck: 'false', class: 'code' }, aria));
        const { box, msgs } = this.wrap(path, label, area, help);
        into.append(box);
        return this.record({
          path, kind, msgs, focus: () => area.focus(),
          get: () => undefined,
          set: (v) => { area.value = typeof v === 'string' ? v : ''; },
          yaml: (out) => { out[path] = area.value; },
        });
      }
      // text, markdown, date, number
      let input;
      if (kind === 'markdown' || meta.widget === 'multiline') {
        const rows = kind === 'markdown' ? 16 : 2;
        input = el('textarea', Object.assign({ id, name: path, rows, spellcheck: 'true', lang: 'vi' }, aria));
      } else {
        input = el('input', Object.assign({
          id, name: path, type: 'text', lang: 'vi', spellcheck: kind === 'text' ? 'true' : 'false',
          inputmode: kind === 'number' ? 'numeric' : null,
          placeholder: meta.placeholder || (kind === 'date' ? 'ngày/tháng/năm' : null),
        }, aria));
      }
      let auto = null;
      const extra = el('div', { class: 'extra' });
      if (consts.length) {
        auto = el('input', { type: 'checkbox', id: id + '-auto' });
        extra.append(el('label', { class: 'inline', for: id + '-auto' }, auto,
          document.createTextNode(' ' + consts.map((c) => c === 'auto' ? 'Tự động lấy số từ sổ đăng ký' : enumLabel(c)).join(', '))));
        auto.addEventListener('change', () => { input.disabled = auto.checked; });
      }
      if (meta.printed) {
        extra.append(el('p', { class: 'printed', id: 'printed-' + meta.printed },
          el('span', { text: 'In ra: ' }), el('output', { for: id, 'data-line': meta.printed })));
      }
      const { box, msgs } = this.wrap(path, label, input, help, extra.childElementCount ? extra : null);
      if (kind === 'markdown') {
        const tpl = document.getElementById('markdown-help');
        const side = el('div', { class: 'md-wrap' });
        input.replaceWith(side);
        side.append(input);
        if (tpl) {
          side.append(tpl.content.cloneNode(true));
          // Open beside the text on a wide screen; one tap away on a phone.
          const details = side.querySelector('details');
          if (details) details.open = window.matchMedia('(min-width: 1000px)').matches;
        }
      }
      into.append(box);
      const dflt = node.default;
      return this.record({
        path, kind, msgs, focus: () => input.focus(),
        get: () => {
          if (auto && auto.checked) return consts[0];
          const v = input.value;
          if (v.trim() === '') return undefined;
          if (kind === 'number' && /^\s*\d+\s*$/.test(v)) return parseInt(v, 10);
          if (kind === 'date') {
            // 05/3/2026 → 2026-03-05: the form the checker and the YAML file use.
            const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(v);
            if (m) return `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
          }
          return v;
        },
        set: (v) => {
          if (auto) { auto.checked = consts.includes(v); input.disabled = auto.checked; }
          if (v === undefined || v === null || (auto && auto.checked)) v = typeof dflt === 'string' || typeof dflt === 'number' ? dflt : '';
          if (kind === 'date' && typeof v === 'string') {
            const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
            if (m) v = `${m[3]}/${m[2]}/${m[1]}`;
          }
          input.value = String(v);
        },
        yaml: () => {},
      });
    }

    /* The service's own templates for this type (GET /api/templates); none: no field. */
    templateField(path, id, label, help, into) {
      const names = (META.templates || [])
        .filter((t) => !t.builtin && (!t.type || t.type === this.typeId)).map((t) => t.name);
      let kept;
      if (!names.length) {
        return this.record({
          path, kind: 'hidden', msgs: null, focus: () => {}, yaml: () => {},
          get: () => kept, set: (v) => { kept = v == null || v === '' ? undefined : v; },
        });
      }
      const select = el('select', { id, name: path },
        el('option', { value: '', text: 'Mẫu mặc định của thư viện' }),
        ...names.map((n) => el('option', { value: n, text: n })));
      const { box, msgs } = this.wrap(path, label, select, help);
      into.append(box);
      return this.record({
        path, kind: 'enum', msgs, focus: () => select.focus(), yaml: () => {},
        get: () => select.value || undefined,
        set: (v) => {
          const name = v == null ? '' : String(v);
          if (name && !names.includes(name)) select.append(el('option', { value: name, text: name }));
          select.value = name;
        },
      });
    }

    list(path, label, help, node, kind, into, meta) {
      const id = idOf(path);
      const itemNode = analyse(node.items || {}).node;
      const itemWord = meta.item || 'mục';
      const ol = el('ol', { class: 'items' });
      const add = el('button', { type: 'button', class: 'add', text: '+ Thêm ' + itemWord });
      const fs = el('fieldset', { class: 'list', id, 'data-path': path }, el('legend', { text: label }));
      const helpId = help ? id + '-help' : null;
      if (help) fs.append(el('p', { class: 'help', id: helpId, text: help }));
      const msgs = el('div', { class: 'msgs', id: id + '-msgs' });
      fs.append(ol, add, msgs);
      into.append(fs);
      const items = [];
      const form = this;

      const renumber = () => {
        items.forEach((it, i) => {
          const itemPath = `${path}[${i}]`;
          it.path = itemPath;
          it.li.dataset.path = itemPath;
          it.number.textContent = String(i + 1);
          it.remove.setAttribute('aria-label', `Xóa ${itemWord} ${i + 1}`);
          if (it.input) {
            it.input.id = idOf(itemPath);
            it.input.setAttribute('aria-label', `${label.replace(/ \*$/, '')}, ${itemWord} ${i + 1}`);
            it.input.setAttribute('aria-describedby', [helpId, idOf(itemPath) + '-msgs'].filter(Boolean).join(' '));
          }
          it.msgs.id = idOf(itemPath) + '-msgs';
          form.records.set(itemPath, it.rec);
          it.rec.path = itemPath;
        });
        for (let i = items.length; form.records.has(`${path}[${i}]`); i++) form.records.delete(`${path}[${i}]`);
      };

      const addItem = (value, at, focus) => {
        const index = at === undefined ? items.length : at;
        const li = el('li', {});
        const number = el('span', { class: 'n', 'aria-hidden': 'true' });
        const remove = el('button', { type: 'button', class: 'remove', text: '×' });
        const itemMsgs = el('div', { class: 'msgs' });
        const it = { li, number, remove, msgs: itemMsgs, input: null, rec: null, path: '' };
        if (kind === 'list') {
          const input = el('input', { type: 'text', lang: 'vi', spellcheck: 'true' });
          it.input = input;
          li.append(number, input, remove, itemMsgs);
          input.addEventListener('keydown', (e) => {
            if (e.isComposing || e.keyCode === 229) return;
            const i = items.indexOf(it);
            if (e.key === 'Enter') {
              e.preventDefault();
              addItem('', i + 1, true);
              form.onChange();
            } else if (e.key === 'Backspace' && input.value === '' && items.length > 1) {
              e.preventDefault();
              removeItem(it);
              (items[Math.max(0, i - 1)].input || add).focus();
            }
          });
          it.rec = {
            path: '', kind: 'item', msgs: itemMsgs, focus: () => input.focus(),
            get: () => (input.value.trim() === '' ? undefined : input.value),
            set: (v) => { input.value = v == null ? '' : String(v); }, yaml: () => {},
          };
          it.rec.set(value);
        } else {
          const fsItem = el('fieldset', { class: 'group item' }, el('legend', {}, number));
          const body = el('div', { class: 'group-body' });
          fsItem.append(body);
          li.append(fsItem, remove, itemMsgs);
          it.rec = form.group(`${path}[${index}]`, itemNode, body, null);
          it.rec.msgs = itemMsgs;
          it.rec.focus = () => (body.querySelector('input,textarea,select') || remove).focus();
          it.rec.set(value);
        }
        remove.addEventListener('click', () => {
          const i = items.indexOf(it);
          if (kind === 'objlist') {
            // Rebuilt from the values, so every field inside gets its new index and key path.
            rec.set(items.filter((x) => x !== it).map((x) => x.rec.get() || {}));
          } else {
            removeItem(it);
          }
          (items[Math.min(i, items.length - 1)] || { rec: { focus: () => add.focus() } }).rec.focus();
          form.onChange();
        });
        items.splice(index, 0, it);
        ol.insertBefore(li, ol.children[index] || null);
        renumber();
        if (focus) it.rec.focus();
        return it;
      };
      const removeItem = (it) => {
        items.splice(items.indexOf(it), 1);
        it.li.remove();
        renumber();
      };
      add.addEventListener('click', () => { addItem(kind === 'list' ? '' : {}, undefined, true); form.onChange(); });

      const rec = {
        path, kind, msgs, focus: () => (items[0] ? items[0].rec.focus() : add.focus()),
        get: () => {
          const out = items.map((it) => it.rec.get()).filter((v) => v !== undefined);
          return out.length ? out : undefined;
        },
        set: (v) => {
          while (items.length) removeItem(items[0]);
          for (const key of [...form.records.keys()]) if (key.startsWith(path + '[')) form.records.delete(key);
          const arr = Array.isArray(v) ? v : (v == null ? [] : [v]);
          for (const item of arr) addItem(item);
          if (!items.length && kind === 'list') addItem('');
        },
        yaml: (out) => { for (const it of items) it.rec.yaml(out); },
      };
      return this.record(rec);
    }

    /* The spec and the YAML texts of free-form keys, as the server's FormSpec wants them. */
    value() {
      const spec = Object.assign({ type: this.typeId }, this.root.get() || {});
      const yaml = {};
      this.root.yaml(yaml);
      return { spec, yaml };
    }

    set(spec, yamlTexts) {
      const values = Object.assign({}, spec);
      delete values.type;
      this.root.set(values);
      for (const [path, text] of Object.entries(yamlTexts || {})) {
        const rec = this.records.get(path);
        if (rec && rec.kind === 'yaml') rec.set(text);
      }
    }

    /* Rebuild for another type, keeping every value the new type also has. */
    switchType(typeId) {
      const { spec, yaml } = this.value();
      Object.assign(this.stash, spec);
      this.build(typeId, {}, {});
      const keys = new Set(Object.keys(typeSchema(typeId).properties || {}));
      const keep = {};
      for (const [k, v] of Object.entries(this.stash)) if (keys.has(k) && k !== 'type') keep[k] = v;
      this.set(keep, yaml);
    }

    /* The record a key path belongs to: itself, or the nearest enclosing one. */
    recordFor(path) {
      let p = path || '';
      while (p) {
        if (this.records.has(p)) return this.records.get(p);
        const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
        if (cut <= 0) break;
        p = p.slice(0, cut);
      }
      return this.records.get(p) || null;
    }

    freeformPaths() {
      return [...this.records.values()].filter((r) => r.kind === 'yaml').map((r) => r.path);
    }
  }

  return { Form, typeSchema, idOf, labelFor: (path) => metaOf(path).label || path };
})();
