/** Just enough of a browser for the OAuth tests: cookies by path, and redirects followed by hand. */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const pathAttribute = attributes.find((a) => a.toLowerCase().startsWith('path='));
      const cookiePath = pathAttribute ? pathAttribute.slice(5) : '/';
      const expired = attributes.some((a) => /^expires=thu, 01 jan 1970/i.test(a)) || value === '';
      const key = `${name}@${cookiePath}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { value, path: cookiePath });
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.cookies.entries()]
      .filter(([, c]) => pathname.startsWith(c.path) || `${pathname}/` === c.path)
      .map(([key, c]) => `${key.slice(0, key.lastIndexOf('@'))}=${c.value}`)
      .join('; ');
  }

  get(name: string): string | undefined {
    for (const [key, c] of this.cookies) if (key.slice(0, key.lastIndexOf('@')) === name) return c.value;
    return undefined;
  }

  /** A request with the jar's cookies; follows redirects (storing cookies on the way) unless told not to. */
  async fetch(url: string, init: RequestInit & { follow?: boolean } = {}): Promise<Response> {
    let current = url;
    let request: RequestInit = init;
    for (let hops = 0; hops < 10; hops++) {
      const headers = new Headers(request.headers);
      const cookie = this.header(current);
      if (cookie) headers.set('Cookie', cookie);
      const response = await fetch(current, { ...request, headers, redirect: 'manual' });
      this.store(response);
      const location = response.headers.get('location');
      if (init.follow === false || response.status < 300 || response.status >= 400 || !location) return response;
      current = new URL(location, current).toString();
      request = { method: 'GET', headers: init.headers };
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

/**
 * Logs in at the Hub's login form, as a browser does. A 403 (the Hub's anonymous XSRF id did not match the form's
 * token) gets one more try with a fresh form, as a person would reload the page; anything else fails at once.
 */
export async function hubLogin(jar: CookieJar, hubUrl: string, username: string, password: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const page = await jar.fetch(`${hubUrl}/hub/login`);
    const xsrf = /name="_xsrf" value="([^"]+)"/.exec(await page.text())?.[1];
    if (!xsrf) throw new Error('no _xsrf field on the Hub login page');
    const response = await jar.fetch(`${hubUrl}/hub/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _xsrf: xsrf, username, password }).toString(),
      follow: false,
    });
    if (response.status === 302) return;
    if (response.status !== 403 || attempt === 2)
      throw new Error(`login of ${username} failed: ${response.status} ${(await response.text()).slice(0, 200)}`);
  }
}
