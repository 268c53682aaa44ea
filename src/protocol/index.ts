export * from './version.js';
export * from './limits.js';
export * from './errors.js';
export * from './model.js';
export * from './events.js';
export * from './dates.js';
