import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { type ProviderStandIns, startProviderStandIns } from '../support/provider-stand-ins.ts';
import { type RestClient, restClient } from '../support/rest-client.ts';
import { insertUser } from '../support/users.ts';

// Attacks on provider logins of the local users service, over real HTTP, against real
// Firebase-shaped JWTs and a Graph API stand-in that answers as Facebook does.

const VICTIM_PROJECT = 'victim-app-1234';
const SECOND_PROJECT = 'victim-app-admin';
const ATTACKER_PROJECT = 'attacker-app-666';

let providers: ProviderStandIns;
let local: RunningLocalService;
let api: RestClient;
let app: { application_id: number; auth_key: string };

beforeAll(async () => {
  providers = await startProviderStandIns();
  local = await startLocalService({
    providers: providers.settings,
    applicationSettings: {
      firebaseProjectIds: [VICTIM_PROJECT, SECOND_PROJECT],
      facebookApp: providers.facebook.app,
    },
  });
  api = restClient(local.url);
  app = { application_id: local.application.id, auth_key: local.application.authKey };
});
afterAll(async () => {
  await local.close();
  await providers.close();
});

const createSession = (body: Record<string, unknown>) => api.post('/session', { json: { ...app, ...body } });
const firebasePhone = (projectId: string, token: string) =>
  createSession({ provider: 'firebase_phone', firebase_phone: { project_id: projectId, access_token: token } });
const firebaseEmail = (projectId: string, token: string) =>
  createSession({ provider: 'firebase_email', firebase_email: { project_id: projectId, access_token: token } });

describe('Firebase', () => {
  it("refuses a token minted in the attacker's own project for the victim's uid", async () => {
    const victimToken = await providers.firebase.signIdToken(
      { sub: 'victim-uid-1', phone_number: '+15550100001' },
      { projectId: VICTIM_PROJECT },
    );
    const victim = await firebasePhone(VICTIM_PROJECT, victimToken);
    expect(victim.status).toBe(201);

    // Every project's tokens are signed by Google's same keys: this one verifies fine.
    const forged = await providers.firebase.signIdToken(
      { sub: 'victim-uid-1', phone_number: '+15550100001' },
      { projectId: ATTACKER_PROJECT },
    );
    const attack = await firebasePhone(ATTACKER_PROJECT, forged);
    expect(attack.status).toBe(401);
    expect(attack.body).toEqual({ errors: { base: ['Firebase project is not allowed for this application'] } });
    // Naming the victim's project does not help: the token's aud/iss are the attacker's.
    const named = await firebasePhone(VICTIM_PROJECT, forged);
    expect(named.status).toBe(401);
    expect(named.body).toEqual({ errors: { base: ['Firebase ID token is not valid'] } });
  });

  it('keeps the same uid in two allowed projects as two people', async () => {
    const claims = { sub: 'shared-uid-7', phone_number: '+15550100007' };
    const first = await firebasePhone(
      VICTIM_PROJECT,
      await providers.firebase.signIdToken(claims, { projectId: VICTIM_PROJECT }),
    );
    const second = await firebasePhone(
      SECOND_PROJECT,
      await providers.firebase.signIdToken(claims, { projectId: SECOND_PROJECT }),
    );
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.session.user_id).not.toBe(first.body.session.user_id);
  });

  it('lets a user stored before projects were recorded keep logging in, bound to the project', async () => {
    const legacy = await local.service.deps.users.insert({
      application_id: local.application.id,
      firebase_uid: 'legacy-uid-3',
      phone: '+15550100003',
    });
    const claims = { sub: 'legacy-uid-3', phone_number: '+15550100003' };
    const login = await firebasePhone(
      VICTIM_PROJECT,
      await providers.firebase.signIdToken(claims, { projectId: VICTIM_PROJECT }),
    );
    expect(login.status).toBe(201);
    expect(login.body.session.user_id).toBe(legacy.id);
    // Claimed for that project: the same uid from the other allowed project is someone else.
    const other = await firebasePhone(
      SECOND_PROJECT,
      await providers.firebase.signIdToken(claims, { projectId: SECOND_PROJECT }),
    );
    expect(other.status).toBe(201);
    expect(other.body.session.user_id).not.toBe(legacy.id);
  });

  it('refuses a phone sign-in presented as an email login, and an unverified email', async () => {
    const victim = await insertUser(local, 'mailbox_owner', { email: 'owner@victim.example' });
    const phoneSignIn = await providers.firebase.signIdToken(
      { sub: 'attacker-uid-1', phone_number: '+15550100009', email: 'owner@victim.example', email_verified: true },
      { projectId: VICTIM_PROJECT },
    );
    const asEmail = await firebaseEmail(VICTIM_PROJECT, phoneSignIn);
    expect(asEmail.status).toBe(401);
    expect(asEmail.body).toEqual({
      errors: { base: ['Firebase ID token is not from an email and password sign-in'] },
    });

    const unverified = await providers.firebase.signIdToken(
      { sub: 'attacker-uid-2', email: 'owner@victim.example', email_verified: false },
      { projectId: VICTIM_PROJECT },
    );
    const response = await firebaseEmail(VICTIM_PROJECT, unverified);
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: { base: ['Firebase email is not verified'] } });

    // No account was made around the address, and the owner's account is untouched.
    for (const uid of ['attacker-uid-1', 'attacker-uid-2']) {
      expect(
        await local.service.deps.users.findByFirebaseIdentity(local.application.id, { project: VICTIM_PROJECT, uid }),
      ).toBeUndefined();
    }
    expect(await local.service.deps.users.findById(local.application.id, victim.id)).toMatchObject({
      firebase_uid: null,
    });
  });

  it('attaches a verified email from an email and password sign-in', async () => {
    const token = await providers.firebase.signIdToken(
      { sub: 'mail-uid-5', email: 'verified@example.test', email_verified: true },
      { projectId: VICTIM_PROJECT },
    );
    const response = await firebaseEmail(VICTIM_PROJECT, token);
    expect(response.status).toBe(201);
    expect(response.body.session.user).toMatchObject({ email: 'verified@example.test' });
  });
});

describe('Facebook', () => {
  it("refuses a token another app issued for the victim's Facebook account", async () => {
    const own = providers.facebook.issueToken({ id: 'fb-victim-1', name: 'Victim' });
    const victim = await createSession({ provider: 'facebook', keys: { token: own } });
    expect(victim.status).toBe(201);

    // The attacker's app holds a token for every user who ever used it, the victim too.
    const foreign = providers.facebook.issueToken({ id: 'fb-victim-1', name: 'Victim' }, { appId: '777000777000' });
    const attack = await createSession({ provider: 'facebook', keys: { token: foreign } });
    expect(attack.status).toBe(401);
    expect(attack.body).toEqual({ errors: { base: ['Facebook access token was issued for another app'] } });
    expect(JSON.stringify(attack.body)).not.toContain(foreign);
  });

  it('refuses an invalid token', async () => {
    const response = await createSession({ provider: 'facebook', keys: { token: 'EAAnot-a-real-token' } });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: { base: ['Facebook access token is not valid'] } });
  });
});
