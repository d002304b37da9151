/* The batch page: a spec and a spreadsheet → POST /api/batch → poll the job → the zip. */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const STORE = 'vn-union-docs:form:v1';
  const progress = $('progress');
  const progressText = $('progress-text');
  const problemsBox = $('batch-problems');
  const result = $('result');
  const startButton = $('start');

  function saved() {
    try { return JSON.parse(localStorage.getItem(STORE) || 'null'); } catch (e) { return null; }
  }
  const current = saved();
  $('current-info').textContent = current && current.spec
    ? `Đang soạn: ${current.spec.subject || '(chưa có trích yếu)'}`
    : 'Chưa có văn bản nào đang soạn trên máy này.';
  if (!current || !current.spec) $('spec-file-choice').checked = true;
  $('spec-file').addEventListener('change', () => { $('spec-file-choice').checked = true; });

  function showProblems(problems) {
    problemsBox.replaceChildren();
    if (!problems || !problems.length) return;
    const ul = document.createElement('ul');
    for (const p of problems) {
      const li = document.createElement('li');
      li.className = 'finding error';
      const where = [p.row ? `dòng ${p.row}` : '', p.path || ''].filter(Boolean).join(', ');
      li.textContent = (where ? where + ': ' : '') + p.message;
      ul.append(li);
    }
    problemsBox.append(ul);
  }

  async function specFile() {
    if ($('spec-current').checked) {
      const res = await fetch('/web/api/yaml/dump', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(current),
      });
      if (!res.ok) throw new Error('Văn bản đang soạn chưa lưu được thành YAML.');
      return new File([await res.blob()], 'spec.yaml', { type: 'application/yaml' });
    }
    const file = $('spec-file').files[0];
    if (!file) throw new Error('Hãy chọn tệp văn bản mẫu.');
    return file;
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function poll(url) {
    for (;;) {
      const res = await fetch(url);
      const job = await res.json();
      if (!res.ok) throw new Error(job.detail || `Lỗi ${res.status}`);
      progress.max = Math.max(1, job.total);
      progress.value = job.done_rows;
      progressText.textContent = `${job.done_rows}/${job.total} dòng, ${job.written} văn bản` +
        (job.pdfs ? `, ${job.pdfs} PDF` : '') + (job.failed_rows.length ? `, ${job.failed_rows.length} dòng lỗi` : '') + '.';
      if (job.state === 'done' || job.state === 'failed') return job;
      await sleep(400);
    }
  }

  $('batch-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    result.replaceChildren();
    showProblems([]);
    const data = $('data-file').files[0];
    if (!data) { progressText.textContent = 'Hãy chọn bảng tính (.xlsx hoặc .csv).'; $('data-file').focus(); return; }
    startButton.disabled = true;
    progress.removeAttribute('value');
    progressText.textContent = 'Đang gửi…';
    try {
      const body = new FormData();
      body.append('spec', await specFile());
      body.append('data', data);
      const name = $('name-pattern').value.trim();
      if (name) body.append('name', name);
      body.append('pdf', $('want-pdf').checked ? 'true' : 'false');
      body.append('strict', $('strict').checked ? 'true' : 'false');
      const res = await fetch('/api/batch', { method: 'POST', body });
      const started = await res.json();
      if (!res.ok) {
        progress.value = 0;
        progressText.textContent = 'Chưa tạo được: ' + (started.detail || `lỗi ${res.status}`);
        showProblems(started.problems);
        return;
      }
      const job = await poll(started.status_url);
      showProblems(job.problems);
      if (job.state === 'done' && job.result_url) {
        const a = document.createElement('a');
        a.href = job.result_url;
        a.id = 'result-link';
        a.download = `van-ban-${job.id}.zip`;
        a.textContent = `Tải tệp zip (${job.written} văn bản)`;
        result.append(a);
        progressText.textContent = `Xong: ${job.written} văn bản trong ${job.seconds.toLocaleString('vi-VN')} giây` +
          (job.failed_rows.length ? `; ${job.failed_rows.length} dòng lỗi (xem _errors.csv trong tệp zip).` : '.');
        a.focus();
      } else {
        progressText.textContent = 'Lô bị lỗi; xem các dòng dưới đây.';
      }
    } catch (err) {
      progressText.textContent = err.message || 'Không kết nối được với dịch vụ vn-union-docs.';
    } finally {
      startButton.disabled = false;
    }
  });
})();
