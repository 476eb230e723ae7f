/**
 * Closing a connection whose request body the server did not read (a body over the limit), so
 * the client reads the 413 instead of ECONNRESET.
 *
 * Node ends such a connection with `socket.destroySoon()`: FIN after the answer, then destroy.
 * Bytes the client is still sending then hit a closed socket, the kernel answers RST, and a
 * client that writes its whole body before reading (most do) loses the answer sitting in its
 * receive buffer. Like nginx's lingering close, we half-close instead: send the answer and FIN,
 * keep reading and discarding what the client still sends for a bounded time and number of
 * bytes, and destroy once it is done (or the bounds are hit).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface LingerLimits {
  /** Longest a connection lingers in all. */
  maxMs: number;
  /** Longest it lingers without the client sending anything. */
  idleMs: number;
  /** Most bytes read and thrown away. */
  maxBytes: number;
}

export const LINGER_LIMITS: LingerLimits = { maxMs: 10_000, idleMs: 2_000, maxBytes: 32 * 1024 * 1024 };

type NodeEnv = { incoming?: { complete?: boolean }; outgoing?: { headersSent?: boolean; setHeader(name: string, value: string): unknown } };

/**
 * Wraps the app's fetch: an answer sent while the request's body is still unread says
 * `Connection: close`, so the client does not send its next request on this connection.
 */
export function closeWhenBodyUnread<E>(fetch: (req: Request, env: E) => Response | Promise<Response>) {
  return async (req: Request, env: E) => {
    const res = await fetch(req, env);
    const { incoming, outgoing } = env as NodeEnv;
    if (incoming && !incoming.complete && outgoing && !outgoing.headersSent) outgoing.setHeader('Connection', 'close');
    return res;
  };
}

/** Makes `server` linger on connections whose answer went out before the body was read. */
export function lingerOnUnreadBodies(server: Server, limits: LingerLimits = LINGER_LIMITS) {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' || req.method === 'HEAD') return;
    const socket = req.socket;
    // Before Node's own 'finish' handler, which calls destroySoon() on a `Connection: close` answer.
    res.prependOnceListener('finish', () => {
      if (!req.complete) socket.destroySoon = () => linger(req, socket, limits);
    });
  });
  server.on('clientError', answerMalformed);
}

function linger(req: IncomingMessage, socket: Socket, limits: LingerLimits) {
  if ((socket as { lingering?: boolean }).lingering || socket.destroyed) return;
  (socket as { lingering?: boolean }).lingering = true;
  const start = socket.bytesRead;
  let seen = start;
  const done = () => {
    clearTimeout(deadline);
    clearInterval(idle);
    socket.destroy();
  };
  const deadline = setTimeout(done, limits.maxMs);
  const idle = setInterval(() => (socket.bytesRead === seen ? done() : (seen = socket.bytesRead)), limits.idleMs);
  deadline.unref();
  idle.unref();
  // The answer is written; FIN after it, the read side stays open (HTTP servers allow half-open).
  socket.end();
  // The HTTP parser keeps reading the body into `req`: let it flow and throw it away. The app's
  // abandoned body stream still listens and would pause it again when its queue is full.
  req.removeAllListeners('data');
  req.on('data', () => {
    if (socket.bytesRead - start > limits.maxBytes) done();
  });
  req.once('end', done);
  socket.once('end', done);
  socket.once('close', done);
  socket.on('error', done);
  req.resume();
}

const STATUS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

/** A request Node cannot parse gets the JSON error envelope too, not Node's bare 400. */
function answerMalformed(err: Error & { code?: string }, socket: Socket) {
  const sent = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (err.code === 'ECONNRESET' || !socket.writable || sent) return void socket.destroy();
  const [status, text] = STATUS[err.code ?? ''] ?? [400, 'Bad Request'];
  const body = JSON.stringify({ error: { code: 'bad_request', message: status === 400 ? 'Malformed HTTP request' : text } });
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}
