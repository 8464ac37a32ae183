// A minimal W3C WebDriver client over fetch: enough to drive the real Tauri webview through
// tauri-driver without pulling a WebDriver library from npm.

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, capabilities) {
    const res = await call(base, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, res.sessionId);
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async find(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return Object.values(v)[0];
  }

  async findAll(css) {
    const v = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return v.map((e) => Object.values(e)[0]);
  }

  /** Polls until `css` matches, or throws after `ms`. */
  async waitFor(css, ms = 20000) {
    return this.waitUntil(async () => ((await this.findAll(css)).length ? this.find(css) : null), ms, `element ${css}`);
  }

  async waitUntil(fn, ms, what) {
    const end = Date.now() + ms;
    let last;
    for (;;) {
      try {
        const v = await fn();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  // The app redraws lists as sync state changes, so an element found a moment ago may be
  // gone: each helper finds and acts in one retried step.
  async onElement(css, fn, what) {
    return this.waitUntil(async () => {
      const el = await this.find(css);
      return { v: await fn(el) };
    }, 20000, `${what} ${css}`).then((r) => r.v);
  }

  // A person scrolls what they want to tap to the middle of the screen, clear of the sticky
  // header and the bottom navigation; the click itself is still a real one at that spot.
  // A tap lands where the button is when the finger comes down: it waits until the screen has
  // drawn (body[data-drawing] gone) and the button has stayed put for two frames, so a button
  // replaced or moved by a redraw is not tapped where it used to be.
  click(css) {
    return this.onElement(css, async (el) => {
      await this.executeAsync(SETTLE, [css]);
      await this.cmd('POST', `/element/${el}/click`, {});
      return true;
    }, 'click');
  }

  type(css, value) {
    return this.onElement(css, async (el) => {
      await this.cmd('POST', `/element/${el}/clear`, {});
      await this.cmd('POST', `/element/${el}/value`, { text: value });
      return true;
    }, 'type into');
  }

  text(css) {
    return this.onElement(css, (el) => this.cmd('GET', `/element/${el}/text`), 'text of');
  }

  attr(css, name) {
    return this.onElement(css, (el) => this.cmd('GET', `/element/${el}/attribute/${name}`), `attribute ${name} of`);
  }

  /** Runs `script` (a function body) in the page; `arguments` are `args`. */
  execute(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Runs an async script; it must call `arguments[arguments.length - 1](result)`. */
  executeAsync(script, args = []) {
    return this.cmd('POST', '/execute/async', { script, args });
  }

  /** Sets a form control's value as a person would (fires input and change). */
  setValue(css, value) {
    return this.execute(`const el = document.querySelector(arguments[0]);
      if (!el) throw new Error('no element ' + arguments[0]);
      el.value = arguments[1];
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return el.value;`, [css, value]);
  }

  /** True when `css` matches an element that is not hidden. */
  visible(css) {
    return this.execute(`const el = document.querySelector(arguments[0]);
      return !!el && !el.closest('[hidden]') && el.getClientRects().length > 0;`, [css]);
  }

  /** Resizes the window (outer size). */
  setSize(width, height) {
    return this.cmd('POST', '/window/rect', { width, height });
  }

  async screenshot() {
    return Buffer.from(await this.cmd('GET', '/screenshot'), 'base64');
  }

  async close() {
    await this.cmd('DELETE', '', undefined).catch(() => {});
  }
}

// Scrolls `css` to the middle of the screen and answers once the page is not drawing and the
// element's box is the same over two animation frames (or after 3 s, to let the click say why).
const SETTLE = `const css = arguments[0], done = arguments[arguments.length - 1];
  const end = Date.now() + 3000;
  let last = '';
  const box = () => { const el = document.querySelector(css); if (!el) return 'gone'; const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(); };
  document.querySelector(css)?.scrollIntoView({ block: 'center' });
  const step = () => {
    const now = document.body.dataset.drawing ? 'drawing' : box();
    if ((now === last && now !== 'drawing') || Date.now() > end) return done(true);
    last = now;
    requestAnimationFrame(() => requestAnimationFrame(step));
  };
  step();`;

async function call(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  return json.value;
}
