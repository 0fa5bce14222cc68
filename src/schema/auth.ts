import { z } from 'zod';
import { AlreadyTakenError, InvalidCredentialsError, RateLimitedError, ValidationError } from '../errors.ts';
import { limited } from '../security/limited.ts';
import { actsAs } from '../security/personal-fields.ts';
import { createSession, type SessionCredentials } from '../upstream/sessions.ts';
import type { SessionRecord, UpstreamUser } from '../upstream/types.ts';
import { signUp } from '../upstream/users.ts';
import { builder } from './builder.ts';
import { profileFields, toUserParams } from './profile-input.ts';
import { issued, SessionRef } from './session.ts';
import { UserNode } from './user.ts';

/**
 * Sign-up and the ways to log in. Each login creates a new user session (POST /session) and
 * answers its token; none needs a caller token, so a stale `Authorization` header never gets
 * in the way of logging in again.
 *
 * Whole-input checks use `z.looseObject`: the validation plugin passes on the schema's
 * output, and a plain object schema would strip the fields it does not name (the password).
 */

const SignUpInput = builder.inputType('SignUpInput', {
  description: 'A new account: a login or an email (or both), a password, and any profile fields.',
  fields: (t) => ({
    ...profileFields(t),
    password: t.string({ required: true, description: 'The password: 8 to 128 characters.' }),
    logIn: t.boolean({ description: 'Also log the new user in and answer the session.', defaultValue: false }),
  }),
  validate: z
    .looseObject({ login: z.string().nullish(), email: z.string().nullish() })
    .refine((input) => !!input.login || !!input.email, { message: 'Give a login or an email', path: ['login'] }),
});

const SignUpSuccess = builder
  .objectRef<{ user: UpstreamUser; session: SessionRecord | null }>('SignUpSuccess')
  .implement({
    description: 'The account `signUp` created.',
    fields: (t) => ({
      user: t.expose('user', { type: UserNode, description: 'The new user.' }),
      session: t.expose('session', {
        type: SessionRef,
        nullable: true,
        description: "The new user's session when `logIn` was true.",
      }),
    }),
  });

builder.mutationField('signUp', (t) =>
  t.field({
    type: SignUpSuccess,
    description: 'Creates a user (no token needed) and, with `logIn: true`, a session for it.',
    errors: { types: [ValidationError, AlreadyTakenError, RateLimitedError] },
    args: { input: t.arg({ type: SignUpInput, required: true, description: 'The new account.' }) },
    resolve: async (_root, { input }, ctx) => {
      const { client, app } = ctx.deps;
      const user = await limited(ctx, 'signUp', input.login ?? input.email, () =>
        signUp(client, app.authKey, toUserParams(input)),
      );
      actsAs(ctx, user.id);
      if (!input.logIn) return { user, session: null };
      const credentials = input.login
        ? { login: input.login, password: input.password }
        : { email: input.email as string, password: input.password };
      return { user, session: issued(ctx, await createSession(client, app, { user: credentials })) };
    },
  }),
);

const LoginSuccess = builder.objectRef<{ session: SessionRecord }>('LoginSuccess').implement({
  description: 'A new user session: send its `token` with the following calls.',
  fields: (t) => ({ session: t.expose('session', { type: SessionRef, description: 'The new user session.' }) }),
});

const LoginInput = builder.inputType('LoginInput', {
  description: 'Exactly one of `login` and `email`, with the password.',
  fields: (t) => ({
    login: t.string({ description: "The user's login." }),
    email: t.string({ description: "The user's email." }),
    password: t.string({ required: true, description: "The user's password." }),
  }),
  validate: z
    .looseObject({ login: z.string().nullish(), email: z.string().nullish() })
    .refine((input) => !!input.login !== !!input.email, {
      message: 'Give a login or an email, not both',
      path: ['login'],
    }),
});

builder.mutationField('login', (t) =>
  t.field({
    type: LoginSuccess,
    description: 'A new user session for a login or email and password.',
    errors: { types: [InvalidCredentialsError, RateLimitedError, ValidationError] },
    args: { input: t.arg({ type: LoginInput, required: true, description: 'Who logs in.' }) },
    resolve: async (_root, { input }, ctx) => {
      const user = input.login
        ? { login: input.login, password: input.password }
        : { email: input.email as string, password: input.password };
      const identity = input.login ?? input.email;
      const session = await limited(ctx, 'login', identity, () =>
        createSession(ctx.deps.client, ctx.deps.app, { user }),
      );
      actsAs(ctx, session.user_id);
      return { session: issued(ctx, session) };
    },
  }),
);

const LoginAsGuestInput = builder.inputType('LoginAsGuestInput', {
  description: 'The guest to create.',
  fields: (t) => ({
    fullName: t.string({
      required: true,
      description: "The guest's name, not blank.",
      validate: z.string().trim().min(1, 'cannot be blank'),
    }),
  }),
});

builder.mutationField('loginAsGuest', (t) =>
  t.field({
    type: LoginSuccess,
    description: 'Creates a guest user and a session for it (both last a day).',
    errors: { types: [ValidationError, RateLimitedError] },
    args: { input: t.arg({ type: LoginAsGuestInput, required: true, description: 'The guest to create.' }) },
    resolve: async (_root, { input }, ctx) => {
      const session = await limited(ctx, 'loginAsGuest', null, () =>
        createSession(ctx.deps.client, ctx.deps.app, { user: { guest: '1', full_name: input.fullName } }),
      );
      actsAs(ctx, session.user_id);
      return { session: issued(ctx, session) };
    },
  }),
);

const AuthProvider = builder.enumType('AuthProvider', {
  description: 'An identity provider whose token `loginWithProvider` accepts.',
  values: {
    FACEBOOK: { description: 'A Facebook access token.' },
    TWITTER: { description: 'A Twitter access token and its secret.' },
    FIREBASE_PHONE: { description: 'A Firebase ID token of a phone sign-in, with the project id.' },
    FIREBASE_EMAIL: { description: 'A Firebase ID token of an email sign-in, with the project id.' },
    CUSTOM: { description: "A token of the application's own identity provider (CIdP)." },
  } as const,
});

const LoginWithProviderInput = builder.inputType('LoginWithProviderInput', {
  description: "A provider's token, checked with that provider.",
  fields: (t) => ({
    provider: t.field({ type: AuthProvider, required: true, description: 'Which provider issued the token.' }),
    accessToken: t.string({
      required: true,
      description: "The provider's token (an ID token for Firebase, the external token for CUSTOM).",
      validate: z.string().min(1, 'cannot be blank'),
    }),
    accessTokenSecret: t.string({ description: 'TWITTER only.' }),
    projectId: t.string({ description: 'FIREBASE_PHONE and FIREBASE_EMAIL only.' }),
  }),
  validate: z
    .looseObject({ provider: z.string(), accessTokenSecret: z.string().nullish(), projectId: z.string().nullish() })
    .refine((i) => i.provider !== 'TWITTER' || !!i.accessTokenSecret, {
      message: 'is required for TWITTER',
      path: ['accessTokenSecret'],
    })
    .refine((i) => !i.provider.startsWith('FIREBASE') || !!i.projectId, {
      message: 'is required for FIREBASE_PHONE and FIREBASE_EMAIL',
      path: ['projectId'],
    }),
});

function providerCredentials(input: typeof LoginWithProviderInput.$inferInput): SessionCredentials {
  const { accessToken, accessTokenSecret, projectId } = input;
  switch (input.provider) {
    case 'FACEBOOK':
      return { provider: 'facebook', keys: { token: accessToken } };
    case 'TWITTER':
      return { provider: 'twitter', keys: { token: accessToken, secret: accessTokenSecret ?? undefined } };
    case 'FIREBASE_PHONE':
      return { provider: 'firebase_phone', firebase_phone: { project_id: projectId ?? '', access_token: accessToken } };
    case 'FIREBASE_EMAIL':
      return { provider: 'firebase_email', firebase_email: { project_id: projectId ?? '', access_token: accessToken } };
    case 'CUSTOM':
      // The CIdP takes the external token as the login; the password is not checked.
      return { user: { login: accessToken, password: accessToken } };
  }
}

builder.mutationField('loginWithProvider', (t) =>
  t.field({
    type: LoginSuccess,
    description: "A new user session from an identity provider's token; the user is created on first login.",
    errors: { types: [InvalidCredentialsError, RateLimitedError, ValidationError] },
    args: {
      input: t.arg({ type: LoginWithProviderInput, required: true, description: 'The provider and its token.' }),
    },
    resolve: async (_root, { input }, ctx) => {
      const session = await limited(ctx, 'loginWithProvider', null, () =>
        createSession(ctx.deps.client, ctx.deps.app, providerCredentials(input)),
      );
      actsAs(ctx, session.user_id);
      return { session: issued(ctx, session) };
    },
  }),
);
