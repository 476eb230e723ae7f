/**
 * Node's fetch for the calls the server makes, with the outbound guard where the socket is made:
 * the name is resolved once more, every address checked, and the connection goes to a checked
 * address. guardFetch's look before the request cannot see a DNS answer that changes between its
 * lookup and the connection's own (DNS rebinding: public for the check, internal for the
 * connect); here there is no second lookup to change. undici is Node's own fetch, as a package
 * because Node 20 does not expose the connector hook.
 */
import { isIP } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { allowsName, OutboundRefused, whyAddressesRefused, type OutboundPolicy } from '../net/outbound-guard.js';

export function pinnedFetch(policy: Pick<OutboundPolicy, 'allow'> & { resolve: (host: string) => Promise<string[]> }): typeof fetch {
  const connect = buildConnector({});
  const dispatcher = new Agent({
    connect: (opts, callback) => {
      const name = opts.hostname.replace(/^\[(.*)\]$/, '$1');
      // A literal address cannot change; guardFetch has judged it.
      if (isIP(name)) return connect(opts, callback);
      const url = new URL(`${opts.protocol}//${opts.host}/`);
      // A name the operator listed goes wherever it resolves, as the runtime connects it.
      if (allowsName(policy.allow, url)) return connect(opts, callback);
      policy.resolve(name).then(
        (addresses) => {
          const why = addresses.length ? whyAddressesRefused(url, addresses, policy) : `${name} does not resolve`;
          if (why) throw new OutboundRefused(`refused: ${why}`);
          connect({ ...opts, hostname: addresses[0] }, callback);
        },
      ).catch((e: Error) => callback(e, null));
    },
  });
  return (async (input, init) => {
    try {
      return (await undiciFetch(input as never, { ...init, dispatcher } as never)) as unknown as Response;
    } catch (e) {
      // fetch wraps connection errors as "fetch failed"; the refusal is what a log should say.
      const cause = (e as { cause?: unknown }).cause;
      if (cause instanceof OutboundRefused) {
        console.warn(`taliq: outgoing request to ${new URL(String(input instanceof Request ? input.url : input)).origin} refused when connecting: ${cause.message.replace(/^refused: /, '')}`);
        throw cause;
      }
      throw e;
    }
  }) as typeof fetch;
}
