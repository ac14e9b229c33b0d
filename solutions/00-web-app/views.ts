/**
 * 00-web-app — the application: the pages, and the route table that says which view answers which
 * path. This is the part a Flask or Django user writes; `http.ts` is the part the framework does for them.
 */

/** A view makes one page. Flask calls it for `@app.route('/blog')`; here `URLS` does the calling. */
export type View = () => string;

/** An HTML page around `body`, declared UTF-8 so a browser reads the non-ASCII text right. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title></head>
<body>
${body}
</body>
</html>
`;
}

export function index(): string {
  return page(
    'Home',
    `<h1>Hello from a raw socket</h1>
<p>No framework here: a socket, a parser, a route table — and café, naïve, Привет, 👋 to prove that
Content-Length counts bytes, not characters.</p>
<p><a href="/blog">Read the blog</a></p>`,
  );
}

/** The blog page: a page titled `Blog` whose body starts with the heading `<h1>Blog</h1>`; the rest is yours. */
export function blog(): string {
  return page(
    'Blog',
    `<h1>Blog</h1>
<ul>
  <li>What Flask does with a request, seen from the socket</li>
  <li>Why one recv() is not one request</li>
</ul>
<p><a href="/">Home</a></p>`,
  );
}

/** The route table: path → view. Look-ups use the path alone, never the query string. */
export const URLS: ReadonlyMap<string, View> = new Map([
  ['/', index],
  ['/blog', blog],
]);
