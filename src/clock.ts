/**
 * The time as the service reads it: comment times, the edit window, token expiry. It reaches the
 * code through the server's dependencies (createServer's options), so a test can move it.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
