import { describe, expect, it } from 'vitest';
import { tokenFromConnectionParams, tokenFromHeaders } from '../../src/context.ts';

describe("where the caller's token comes from", () => {
  it('HTTP: Authorization: Bearer, else CB-Token; blank is none', () => {
    expect(tokenFromHeaders(new Headers({ authorization: 'Bearer abc' }))).toBe('abc');
    expect(tokenFromHeaders(new Headers({ authorization: 'bearer   abc  ' }))).toBe('abc');
    expect(tokenFromHeaders(new Headers({ 'cb-token': 'def' }))).toBe('def');
    expect(tokenFromHeaders(new Headers({ authorization: 'Bearer ', 'cb-token': 'def' }))).toBe('def');
    expect(tokenFromHeaders(new Headers({ authorization: 'Basic xyz' }))).toBeNull();
    expect(tokenFromHeaders(new Headers({ authorization: 'Bearer ' }))).toBeNull();
    expect(tokenFromHeaders(new Headers())).toBeNull();
  });

  it('WebSocket: connectionParams.authorization ("Bearer …") or connectionParams.token', () => {
    expect(tokenFromConnectionParams({ authorization: 'Bearer abc' })).toBe('abc');
    expect(tokenFromConnectionParams({ Authorization: 'Bearer abc' })).toBe('abc');
    expect(tokenFromConnectionParams({ token: ' def ' })).toBe('def');
    expect(tokenFromConnectionParams({ authorization: 'Bearer ', token: 'def' })).toBe('def');
    expect(tokenFromConnectionParams({ token: '' })).toBeNull();
    expect(tokenFromConnectionParams({ token: 42 })).toBeNull();
    expect(tokenFromConnectionParams(undefined)).toBeNull();
  });
});
