/**
 * The isolate's store over the D1 binding, opened (and migrated) once and shared by the app and
 * the Durable Objects that run in this isolate. A failed open is not kept: the next call retries.
 */
import { openD1Store } from '../../store/d1.js';
import type { Store } from '../../store/store.js';
import { perIsolate } from './per-isolate.js';

export const storeFor = perIsolate((db: D1Database): Promise<Store> => openD1Store(db));
