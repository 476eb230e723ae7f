export * from './limits.js';
export * from './errors.js';
export * from './text.js';
export * from './schemas.js';
export * from './operator.js';
