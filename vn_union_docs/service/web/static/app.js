/* The page: live preview, findings beside the fields, downloads, YAML load and save.
 *
 * Timing: 150 ms after the last edit the spec is inspected (problems, checker findings, the
 * number and place-date lines as they will print: a few ms on the server); 400 ms after it the
 * pages are rendered (.docx → PDF by the resident converters → images). At most one preview
 * is in flight; edits made meanwhile give one more preview when it returns.
 *
 * Vietnamese input methods (Unikey, Telex/VNI in the browser, the OS IME): nothing here writes
 * into a field. Between compositionstart and compositionend no request is sent, so the text
 * being composed is never read half-made; compositionend counts as the edit.
 */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const STORE = 'vn-union-docs:form:v1';
  const typeSelect = $('f-type');
  const fieldsBox = $('fields');
  const pagesBox = $('pages');
  const statusEl = $('preview-status');
  const summary = $('summary');
  const fileStatus = $('file-status');

  let composing = false;
  let inspectTimer = 0;
  let previewTimer = 0;
  let lastEdit = 0;          // performance.now() of the last edit
  let shownGeneration = -1;  // lastEdit of the result the findings show
  let previewBusy = false;
  let previewAgain = false;
  const stats = { latencies: [], previews: 0, inspects: 0, lastKey: '' };
  window.vnPreviewStats = stats;

  const form = new window.VnForm.Form(fieldsBox, () => changed());
  window.vnForm = form;  // for the browser tests and the console

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  function messageOf(data, status) {
    if (data && Array.isArray(data.problems) && data.problems.length) {
      return data.problems.map((p) => (p.path ? `${labelOf(p.path)}: ` : '') + p.message).join('; ');
    }
    if (data && typeof data.detail === 'string') return data.detail;
    return `Dịch vụ trả lời lỗi ${status}.`;
  }

  /* The label a clerk sees for a key path: «Nơi nhận (mục 2)» for distribution[1]. */
  function labelOf(path) {
    let p = path || '';
    let item = '';
    while (p) {
      const box = document.querySelector(`[data-path="${CSS.escape(p)}"]`);
      const label = box && box.querySelector(':scope > legend, :scope > label');
      if (label) return label.textContent.replace(/ \*$/, '') + item;
      const m = /\[(\d+)\]$/.exec(p);
      if (m && !item) item = ` (mục ${Number(m[1]) + 1})`;
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      if (cut <= 0) break;
      p = p.slice(0, cut);
    }
    return path || 'Văn bản';
  }

  function save() {
    try {
      localStorage.setItem(STORE, JSON.stringify(form.value()));
    } catch (e) { /* private mode or full storage: the page still works */ }
  }

  function changed() {
    lastEdit = performance.now();
    clearTimeout(inspectTimer);
    clearTimeout(previewTimer);
    inspectTimer = setTimeout(runInspect, 150);
    previewTimer = setTimeout(runPreview, 400);
  }

  async function runInspect() {
    if (composing) { inspectTimer = setTimeout(runInspect, 150); return; }
    save();
    const generation = lastEdit;
    try {
      const res = await post('/web/api/inspect', form.value());
      const data = await res.json();
      stats.inspects += 1;
      if (res.ok) showResult(data, generation);
    } catch (e) { /* the preview reports a lost connection */ }
  }

  async function runPreview() {
    if (composing) { previewTimer = setTimeout(runPreview, 150); return; }
    if (previewBusy) { previewAgain = true; return; }
    previewBusy = true;
    const generation = lastEdit;
    pagesBox.setAttribute('aria-busy', 'true');
    statusEl.textContent = 'Đang cập nhật bản xem trước…';
    try {
      const res = await post('/web/api/preview', form.value());
      const data = await res.json();
      if (!res.ok) {
        statusEl.textContent = 'Chưa xem trước được: ' + messageOf(data, res.status);
      } else {
        showResult(data, generation);
        if (data.pages) {
          await showPages(data, generation);
        } else if (data.pdf_error) {
          statusEl.textContent = data.pdf_error;
          pagesBox.classList.add('stale');
        } else {
          const n = data.problems.length;
          statusEl.textContent = data.problems.every((p) => p.missing)
            ? `Điền các ô có dấu * để xem trước (còn trống ${n} ô).`
            : `Chưa xem trước được: còn ${n} chỗ cần sửa (ghi ngay dưới các ô).`;
          pagesBox.classList.add('stale');
        }
      }
    } catch (e) {
      statusEl.textContent = 'Không kết nối được với dịch vụ vn-union-docs; kiểm tra rằng «vn-union-docs serve» đang chạy.';
    } finally {
      previewBusy = false;
      pagesBox.removeAttribute('aria-busy');
      if (previewAgain) { previewAgain = false; runPreview(); }
    }
  }

  async function showPages(data, generation) {
    const total = data.page_count;
    if (data.key !== pagesBox.dataset.key) {
      const figures = data.pages.map((src, i) => {
        const img = new Image();
        img.src = src;
        img.alt = `Trang ${i + 1} trên ${total}`;
        img.width = 794;
        img.height = 1123;
        const fig = document.createElement('figure');
        const cap = document.createElement('figcaption');
        cap.textContent = `Trang ${i + 1}/${total}`;
        fig.append(img, cap);
        return { fig, img };
      });
      // Swap only when every new image is decoded: no blank flash while the clerk reads.
      await Promise.all(figures.map(({ img }) => img.decode().catch(() => null)));
      pagesBox.replaceChildren(...figures.map(({ fig }) => fig));
      if (total > data.pages.length) {
        const more = document.createElement('p');
        more.className = 'status';
        more.textContent = `… và ${total - data.pages.length} trang nữa (tải PDF để xem đủ).`;
        pagesBox.append(more);
      }
      pagesBox.dataset.key = data.key;
      stats.previews += 1;
      stats.lastKey = data.key;
      if (generation === lastEdit) stats.latencies.push(performance.now() - generation);
    }
    pagesBox.dataset.count = String(total);
    pagesBox.classList.remove('stale');
    statusEl.textContent = `Bản xem trước: ${total} trang, đúng như khi in.`;
  }

  /* An empty required field is not an error until the clerk has been there (or tried to
     download): a new form lists what is left to fill in, calmly, instead of a wall of red. */
  const touched = new Set();
  let showAll = false;
  let lastResult = null;
  const topKey = (path) => (path || '').split(/[.[]/)[0];
  fieldsBox.addEventListener('focusout', (e) => {
    const box = e.target.closest && e.target.closest('[data-path]');
    if (!box) return;
    const key = topKey(box.dataset.path);
    if (!touched.has(key)) {
      touched.add(key);
      if (lastResult) showResult(lastResult, shownGeneration);
    }
  });

  function showResult(data, generation) {
    if (generation < shownGeneration) return;
    shownGeneration = generation;
    lastResult = data;
    for (const rec of form.records.values()) if (rec.msgs) rec.msgs.replaceChildren();
    for (const node of fieldsBox.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
    const quiet = (p) => p.missing && !showAll && !touched.has(topKey(p.path));
    const empty = data.problems.filter(quiet);
    const items = [
      ...data.problems.filter((p) => !quiet(p)).map((p) => ({ path: p.path, severity: 'error', message: p.message, source: '' })),
      ...data.findings.map((f) => ({ path: f.place, severity: f.severity, message: f.message, source: f.source, rule: f.rule })),
    ];
    const list = document.createElement('ul');
    for (const item of items) {
      const rec = form.recordFor(item.path);
      const p = document.createElement('p');
      p.className = `finding ${item.severity}`;
      p.dataset.path = item.path;
      if (item.rule) p.dataset.rule = item.rule;
      p.textContent = (item.severity === 'error' ? 'Lỗi: ' : 'Lưu ý: ') + item.message;
      if (item.source) {
        const src = document.createElement('small');
        src.textContent = ` (${item.source})`;
        p.append(src);
      }
      if (rec && rec.msgs) {
        rec.msgs.append(p);
        if (item.severity === 'error') {
          const input = document.getElementById(window.VnForm.idOf(rec.path));
          if (input && /^(INPUT|TEXTAREA|SELECT)$/.test(input.tagName)) input.setAttribute('aria-invalid', 'true');
        }
      }
      const li = document.createElement('li');
      li.className = item.severity;
      const go = document.createElement(rec ? 'a' : 'span');
      go.textContent = `${labelOf(item.path || '')}: ${item.message}`;
      if (rec) {
        go.href = '#' + window.VnForm.idOf(rec.path);
        go.addEventListener('click', (e) => { e.preventDefault(); rec.focus(); });
      }
      li.append(go);
      list.append(li);
    }
    const errors = items.filter((i) => i.severity === 'error').length;
    const warnings = items.length - errors;
    const head = document.createElement('p');
    head.className = errors ? 'count error' : warnings ? 'count warning' : 'count ok';
    head.textContent = items.length
      ? `Kiểm tra: ${errors} lỗi, ${warnings} lưu ý.`
      : empty.length ? 'Kiểm tra: chưa thấy lỗi ở những ô đã điền.'
        : 'Kiểm tra: không thấy lỗi nào theo NĐ 30/2020.';
    const parts = [head, ...(items.length ? [list] : [])];
    if (empty.length) {
      const todo = document.createElement('p');
      todo.className = 'todo';
      todo.append('Còn trống: ');
      empty.forEach((p, i) => {
        const rec = form.recordFor(p.path);
        const a = document.createElement('a');
        a.textContent = labelOf(p.path);
        a.href = rec ? '#' + window.VnForm.idOf(rec.path) : '#fields';
        a.addEventListener('click', (e) => { e.preventDefault(); if (rec) rec.focus(); });
        todo.append(a, i < empty.length - 1 ? ', ' : '.');
      });
      parts.push(todo);
    }
    summary.replaceChildren(...parts);
    for (const out of document.querySelectorAll('output[data-line]')) {
      out.textContent = (data.lines || {})[out.dataset.line] || '—';
    }
  }

  function fileNameOf(res, fallback) {
    const header = res.headers.get('Content-Disposition') || '';
    const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) return decodeURIComponent(star[1]);
    const plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  async function download(url, fallback, button) {
    button.disabled = true;
    fileStatus.textContent = 'Đang chuẩn bị tệp…';
    try {
      const res = await post(url, form.value());
      if (!res.ok) {
        const data = await res.json().catch(() => null);
        fileStatus.textContent = 'Chưa tải được: ' + messageOf(data, res.status);
        if (data && data.problems) {
          showAll = true;  // the clerk wants the file: show every problem where it is
          showResult({ problems: data.problems, findings: (lastResult || {}).findings || [],
            lines: (lastResult || {}).lines || {} }, lastEdit);
        }
        return;
      }
      const blob = await res.blob();
      const name = fileNameOf(res, fallback);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      fileStatus.textContent = `Đã tải ${name}.`;
    } catch (e) {
      fileStatus.textContent = 'Không kết nối được với dịch vụ vn-union-docs.';
    } finally {
      button.disabled = false;
    }
  }

  async function openYaml(file) {
    const text = await file.text();
    let res = await post('/web/api/yaml/load', { text, freeform: form.freeformPaths() });
    let data = await res.json();
    if (!res.ok) { fileStatus.textContent = `Không mở được ${file.name}: ` + messageOf(data, res.status); return; }
    const type = data.spec.type;
    if (type && [...typeSelect.options].some((o) => o.value === type)) {
      if (type !== typeSelect.value) {
        typeSelect.value = type;
        form.build(type, {}, {});
        res = await post('/web/api/yaml/load', { text, freeform: form.freeformPaths() });
        data = await res.json();
      }
    }
    form.build(typeSelect.value, data.spec, data.yaml);
    const notes = (data.dropped || []).map((p) => p.message);
    fileStatus.textContent = `Đã mở ${file.name}.` + (notes.length ? ' ' + notes.join('; ') : '');
    changed();
  }

  // -- events ---------------------------------------------------------------------------
  fieldsBox.addEventListener('compositionstart', () => { composing = true; });
  fieldsBox.addEventListener('compositionend', () => { composing = false; changed(); });
  fieldsBox.addEventListener('input', (e) => {
    if (e.isComposing || composing) return;
    changed();
  });
  fieldsBox.addEventListener('change', (e) => {
    const t = e.target;
    if (t.tagName === 'SELECT' || t.type === 'checkbox') changed();
  });
  typeSelect.addEventListener('change', () => {
    form.switchType(typeSelect.value);
    changed();
  });
  $('download-docx').addEventListener('click', (e) => download('/web/api/render?format=docx', 'van-ban.docx', e.currentTarget));
  $('download-pdf').addEventListener('click', (e) => download('/web/api/render?format=pdf', 'van-ban.pdf', e.currentTarget));
  $('save-yaml').addEventListener('click', (e) => download('/web/api/yaml/dump', 'van-ban.yaml', e.currentTarget));
  $('open-yaml').addEventListener('click', () => $('yaml-file').click());
  $('yaml-file').addEventListener('change', (e) => {
    const file = e.target.files && e.target.files[0];
    if (file) openYaml(file).catch(() => { fileStatus.textContent = `Không mở được ${file.name}.`; });
    e.target.value = '';
  });
  $('new-doc').addEventListener('click', () => {
    if (!window.confirm('Xóa nội dung đang soạn và bắt đầu văn bản mới?')) return;
    try { localStorage.removeItem(STORE); } catch (e) { /* ignore */ }
    form.stash = {};
    form.build(typeSelect.value, {}, {});
    pagesBox.replaceChildren();
    pagesBox.dataset.key = '';
    changed();
  });

  // -- start: the last draft of this browser, else an empty form of the chosen type ------
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(STORE) || 'null'); } catch (e) { saved = null; }
  const params = new URLSearchParams(window.location.search);
  if (saved && saved.spec && !params.has('type') &&
      [...typeSelect.options].some((o) => o.value === saved.spec.type)) {
    typeSelect.value = saved.spec.type;
    form.build(saved.spec.type, saved.spec, saved.yaml);
  } else {
    form.build(typeSelect.value, {}, {});
  }
  changed();
})();
