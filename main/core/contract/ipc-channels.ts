/**
 * The Electron IPC channels that carry the contract between the preload and the main process,
 * named here once: the two sides are built separately (the preload is its own bundle), so a name
 * spelt on each side could drift without either build noticing.
 */

/** Every contract call: `invoke(CALL_CHANNEL, name, input)`, answered `{ ok, value | error }`. */
export const CALL_CHANNEL = 'opscope:call';
/** Contract events pushed to the window: `{ event, payload }`. */
export const EVENT_CHANNEL = 'opscope:event';
/** Carries the port of one agent run's events to the page. */
export const RUN_PORT_CHANNEL = 'opscope:run-port';
