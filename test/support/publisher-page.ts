/**
 * A publisher's article page on its own origin (127.0.0.1, while the API is on localhost), built
 * from the example page, served under a strict Content-Security-Policy that allows only the
 * publisher's own files and Taliq's origin.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PATH = '/ar/mojtamaa/2026/11/casablanca-electric-buses';
const EXAMPLE = fileURLToPath(new URL('../../examples/news-article/', import.meta.url));

export interface PublisherPage {
  origin: string;
  url: string;
  /** CSP violations the browser reported. */
  violations: string[];
  close(): Promise<void>;
}

export async function servePublisherPage(api: string, site: string, thread: string, attrs = ''): Promise<PublisherPage> {
  const html = readFileSync(EXAMPLE + 'index.html', 'utf8')
    .replace('src="/taliq.js"', `src="${api}/taliq.js"`)
    .replace(/<taliq-comments[^>]*>/, `<taliq-comments site="${site}" thread="${thread}" ${attrs}>`);
  const css = readFileSync(EXAMPLE + 'article.css');
  const violations: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url === '/csp-report' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d)).on('end', () => {
        violations.push(body);
        res.writeHead(204).end();
      });
      return;
    }
    if (req.url?.endsWith('/article.css')) return res.writeHead(200, { 'content-type': 'text/css' }).end(css);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; script-src 'self' ${api}; connect-src ${api}; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; report-uri /csp-report`,
    });
    // The canonical link names this page, as on a real publisher's site.
    res.end(html.replace(/<link rel="canonical" href="[^"]*">/, `<link rel="canonical" href="http://${req.headers.host}${PATH}">`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: `${origin}${PATH}`,
    violations,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
