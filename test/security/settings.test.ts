import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

// The security settings: each validated with a one-line error naming it.

const base = { NODE_ENV: 'test' };

describe('security settings', () => {
  it('have defaults a deployment can keep', () => {
    const { security } = loadConfig(base);
    expect(security.limits.login).toEqual({
      perAddress: { points: 100, durationSeconds: 86_400 },
      perIdentity: { points: 5, durationSeconds: 900 },
    });
    expect(security.publicUserFields).toEqual([]);
  });

  it('read <points>/<seconds>, off, and a comma list of public fields', () => {
    const { security } = loadConfig({
      ...base,
      RATE_LIMIT_LOGIN_PER_IDENTITY: '3/60',
      RATE_LIMIT_CREATE_SESSION_PER_ADDRESS: 'off',
      PUBLIC_USER_FIELDS: 'email, phone',
    });
    expect(security.limits.login.perIdentity).toEqual({ points: 3, durationSeconds: 60 });
    expect(security.limits.createSession.perAddress).toBeNull();
    expect(security.publicUserFields).toEqual(['email', 'phone']);
  });

  it.each([
    ['RATE_LIMIT_LOGIN_PER_ADDRESS', '10 per hour', /RATE_LIMIT_LOGIN_PER_ADDRESS: must be <points>\/<seconds>/],
    ['RATE_LIMIT_SIGN_UP_PER_IDENTITY', '0/60', /RATE_LIMIT_SIGN_UP_PER_IDENTITY: must be/],
    ['PUBLIC_USER_FIELDS', 'email,password', /PUBLIC_USER_FIELDS\.1: each entry must be one of email, phone/],
  ])('refuse a bad %s', (name, value, message) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(message);
  });
});
