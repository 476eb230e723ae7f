/** Node's DNS for the outbound guard: every address a name resolves to, as the OS resolver answers. */
import { lookup } from 'node:dns/promises';

export const resolveHost = async (host: string): Promise<string[]> =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
