/** What happened to one upstream session token, as the `sessionEvents` subscription reports it. */
export type SessionEventType = 'EXTENDED' | 'EXPIRING' | 'EXPIRED' | 'LOGGED_OUT' | 'DESTROYED';

export interface SessionEvent {
  type: SessionEventType;
  /** The token's expiry as last announced by the upstream; null once it no longer applies. */
  expiresAt: Date | null;
  at: Date;
  /** The token's keyed hash: events never carry the raw token. */
  tokenKey: string;
}

const terminalTypes: ReadonlySet<SessionEventType> = new Set(['EXPIRED', 'LOGGED_OUT', 'DESTROYED']);

/** After a terminal event the subscription for that token is over. */
export function isTerminal(type: SessionEventType): boolean {
  return terminalTypes.has(type);
}

/** JSON form for Redis pub/sub: dates as epoch milliseconds. */
export interface SessionEventWire {
  type: SessionEventType;
  expiresAt: number | null;
  at: number;
  tokenKey: string;
}

export function toWire(event: SessionEvent): SessionEventWire {
  return {
    type: event.type,
    expiresAt: event.expiresAt ? event.expiresAt.getTime() : null,
    at: event.at.getTime(),
    tokenKey: event.tokenKey,
  };
}

export function fromWire(wire: SessionEventWire): SessionEvent {
  return {
    type: wire.type,
    expiresAt: wire.expiresAt === null ? null : new Date(wire.expiresAt),
    at: new Date(wire.at),
    tokenKey: wire.tokenKey,
  };
}
