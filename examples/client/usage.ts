// Type-checked against the client that `npm run codegen` generates into ./gql: if the schema
// drifts from what these operations expect, this file stops compiling.
import type {
  LoginMutation,
  LoginMutationVariables,
  SearchUsersQuery,
  SearchUsersQueryVariables,
  SignUpMutationVariables,
  UpdateMeMutationVariables,
} from './gql/graphql';
import { LoginDocument, MeDocument, SearchUsersDocument } from './gql/graphql';
import introspection from './gql/possible-types';

/** For `new InMemoryCache({ possibleTypes })` (Apollo) or graphcache: union and interface members. */
export const possibleTypes: Record<string, string[]> = introspection.possibleTypes;

export const loginVariables: LoginMutationVariables = { input: { login: 'ada', password: 'correct horse' } };
export const signUpVariables: SignUpMutationVariables = {
  input: {
    login: 'ada',
    email: 'ada@example.com',
    password: 'correct horse',
    tags: ['vip'],
    customData: { plan: 'pro' },
    logIn: true,
  },
};
export const updateVariables: UpdateMeMutationVariables = {
  input: { fullName: 'Ada King', password: 'new one', oldPassword: 'old one' },
};
export const searchVariables: SearchUsersQueryVariables = {
  filter: { logins: ['ada'], createdAt: { gte: '2024-01-01T00:00:00Z' } },
  orderBy: { field: 'CREATED_AT', direction: 'DESC' },
  first: 20,
};

export function tokenOf(result: LoginMutation): string | null {
  switch (result.login.__typename) {
    case 'LoginSuccess':
      return result.login.session.token;
    // The union lists only what login can answer: an exhaustive switch has three more cases.
    case 'InvalidCredentialsError':
    case 'RateLimitedError':
    case 'ValidationError':
      return null;
    default: {
      const impossible: never = result.login;
      return impossible;
    }
  }
}

export function logins(result: SearchUsersQuery): (string | null | undefined)[] {
  const total: number = result.users.totalCount;
  return total > 0 ? result.users.edges.map((edge) => edge.node.login) : [];
}

// @ts-expect-error login needs a password
export const missingPassword: LoginMutationVariables = { input: { login: 'ada' } };

export const documents = [LoginDocument, MeDocument, SearchUsersDocument];
