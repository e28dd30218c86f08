import { addressKey } from "../abuse/address-key";

/**
 * What each client address holds open over WebSocket: its sockets (SOCKETS_PER_ADDRESS) and its
 * subscriptions over all of them (SUBSCRIPTIONS_PER_ADDRESS), counted by addressKey, so one /64
 * or one IPv4 address spelled two ways is one budget. One per server, in its memory: the limits
 * bound what this instance holds.
 */
export class AddressConnections {
  private readonly sockets = new Map<string, number>();
  private readonly subscriptions = new Map<string, number>();

  constructor(
    readonly socketsPerAddress: number,
    readonly subscriptionsPerAddress: number,
  ) {}

  /** Counts a socket from `address`; false (and nothing counted) when the address holds its maximum. */
  openSocket(address: string): boolean {
    return take(this.sockets, addressKey(address), this.socketsPerAddress);
  }

  closeSocket(address: string): void {
    release(this.sockets, addressKey(address));
  }

  /** Counts a subscription from `address`; false (and nothing counted) when the address holds its maximum. */
  takeSubscription(address: string): boolean {
    return take(this.subscriptions, addressKey(address), this.subscriptionsPerAddress);
  }

  releaseSubscription(address: string): void {
    release(this.subscriptions, addressKey(address));
  }
}

function take(counts: Map<string, number>, key: string, max: number): boolean {
  const held = counts.get(key) ?? 0;
  if (held >= max) return false;
  counts.set(key, held + 1);
  return true;
}

function release(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
