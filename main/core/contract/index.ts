export * from './schemas.js';
export * from './agent-schemas.js';
export * from './export-schemas.js';
export * from './feedback-schemas.js';
export * from './calls.js';
export * from './events.js';
export * from './api.js';
export * from './media-paths.js';
