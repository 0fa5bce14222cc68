import { describe, expect, it } from 'vitest';
import { avatarUid, avatarUpdate } from '../../src/files/avatar-uid.ts';

describe('avatar uid', () => {
  it('reads the avatar field first', () => {
    expect(avatarUid({ avatar: 'u1', custom_data: '{"avatar_uid":"u2"}' })).toBe('u1');
  });

  it('falls back to avatar_uid in custom_data', () => {
    expect(avatarUid({ avatar: null, custom_data: '{"avatar_uid":"u2","x":1}' })).toBe('u2');
    expect(avatarUid({ avatar: '  ', custom_data: '{"avatar_uid":"u2"}' })).toBe('u2');
  });

  it('answers null for invalid JSON, non-objects, wrong types and nothing at all', () => {
    expect(avatarUid({ avatar: null, custom_data: '{"avatar_uid":' })).toBe(null);
    expect(avatarUid({ avatar: null, custom_data: 'just some text' })).toBe(null);
    expect(avatarUid({ avatar: null, custom_data: '["avatar_uid"]' })).toBe(null);
    expect(avatarUid({ avatar: null, custom_data: '{"avatar_uid":42}' })).toBe(null);
    expect(avatarUid({ avatar: null, custom_data: null })).toBe(null);
    expect(avatarUid({})).toBe(null);
  });

  it('sets the avatar field, and keeps custom_data in step only when it already holds avatar_uid', () => {
    expect(avatarUpdate({ custom_data: '{"theme":"dark"}' }, 'new')).toEqual({ avatar: 'new' });
    expect(avatarUpdate({ custom_data: 'not json' }, 'new')).toEqual({ avatar: 'new' });
    expect(avatarUpdate({ custom_data: '{"avatar_uid":"old","theme":"dark"}' }, 'new')).toEqual({
      avatar: 'new',
      custom_data: '{"avatar_uid":"new","theme":"dark"}',
    });
  });

  it('removing clears both places, so the fallback cannot bring the avatar back', () => {
    const update = avatarUpdate({ avatar: 'old', custom_data: '{"avatar_uid":"old","theme":"dark"}' }, null);
    expect(update).toEqual({ avatar: null, custom_data: '{"theme":"dark"}' });
    expect(avatarUid(update)).toBe(null);
  });
});
