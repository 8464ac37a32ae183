// The summary split by the chosen "Split by": one small chart per column (small multiples),
// periods along the bottom, every bar labelled with its number, one scale for all, so kinds
// or areas compare side by side and read the same in grey scale. A protected cell ("<5" or
// "x", decided by the server) is never drawn as a bar: it shows as a hatched mark with the
// server's own text, at no height, since its value is not known here and is never worked out.

const SVG = 'http://www.w3.org/2000/svg';

function mk(parent, tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  parent.append(e);
  return e;
}

/// The panels to draw: one per column but the total, each with its period cells.
export function splitPanels(table) {
  const rows = table.rows.filter((r) => r.label !== 'total');
  const cols = table.columns.slice(0, -1);
  return cols.map((c, j) => ({ column: c, cells: rows.map((r) => ({ period: r.label, value: r.cells[j] })) }));
}

/// Draws the panels into `box`. `label(column)` gives a column's words, `fmt(n)` a number's,
/// `words` the texts (title, what a protected mark means).
export function drawSplit(box, table, { label, fmt, words }) {
  const panels = splitPanels(table);
  box.replaceChildren();
  box.hidden = panels.length < 2;
  if (box.hidden) return;
  const numbers = panels.flatMap((p) => p.cells.map((c) => c.value)).filter((v) => typeof v === 'number');
  const max = Math.max(1, ...numbers);
  const h2 = document.createElement('h2');
  h2.textContent = words.title;
  const grid = document.createElement('div');
  grid.className = 'panels';
  box.append(h2, grid);
  const W = 300, H = 150, top = 18, base = top + H;
  panels.forEach((p, k) => {
    const fig = document.createElement('figure');
    fig.className = 'panel';
    fig.dataset.column = p.column;
    const cap = document.createElement('figcaption');
    cap.textContent = label(p.column);
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${base + 24}`);
    svg.setAttribute('role', 'img');
    const n = p.cells.length;
    const slot = (W - 8) / Math.max(n, 1);
    const bw = Math.max(6, Math.min(48, slot - 8));
    const desc = [];
    const defs = mk(svg, 'defs', {});
    const pat = mk(defs, 'pattern', { id: `hatch-${k}`, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
    mk(pat, 'rect', { width: 6, height: 6, class: 'hatch-bg' });
    mk(pat, 'line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' });
    mk(svg, 'line', { x1: 4, y1: base, x2: W - 4, y2: base, class: 'axis' });
    p.cells.forEach((c, i) => {
      const x = 4 + i * slot + (slot - bw) / 2;
      const mid = x + bw / 2;
      if (typeof c.value === 'number') {
        const h = Math.round((c.value / max) * H);
        mk(svg, 'rect', { x, y: base - h, width: bw, height: h, class: 'bar split-bar', 'data-period': c.period });
        mk(svg, 'text', { x: mid, y: base - h - 4, 'text-anchor': 'middle', class: 'bar-value' }, fmt(c.value));
        desc.push(`${c.period}: ${fmt(c.value)}`);
      } else {
        mk(svg, 'rect', { x, y: base - 12, width: bw, height: 12, fill: `url(#${pat.id})`, class: 'protected-mark', 'data-period': c.period });
        mk(svg, 'text', { x: mid, y: base - 16, 'text-anchor': 'middle', class: 'bar-value protected-text' }, String(c.value));
        desc.push(`${c.period}: ${c.value} (${words.protected})`);
      }
      if (n <= 8 || i % Math.ceil(n / 8) === 0) {
        mk(svg, 'text', { x: mid, y: base + 16, 'text-anchor': 'middle', class: 'bar-label' }, c.period);
      }
    });
    svg.setAttribute('aria-label', `${cap.textContent}: ${desc.join(', ')}`);
    fig.append(cap, svg);
    grid.append(fig);
  });
  const note = document.createElement('p');
  note.className = 'note';
  note.textContent = words.note;
  box.append(note);
}
