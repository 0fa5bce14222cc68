/**
 * What GraphiQL opens with: an example operation and a headers tab that shows where the
 * token goes. `Bearer ` with nothing after it counts as no token, so the examples run as-is.
 */
export const graphiqlDefaultQuery = `# Welcome to cube-gateway.
#
# 1. Run "CreateAccount" (or "Login") below: no token is needed.
# 2. Copy session.token from the result into the Headers tab, after "Bearer ".
# 3. Run "Me" and "FindUsers": they send that token.

mutation CreateAccount {
  signUp(input: { login: "ada_lovelace", email: "ada@example.com", password: "correct horse battery", fullName: "Ada Lovelace", logIn: true }) {
    __typename
    ... on SignUpSuccess { user { id login } session { token expiresAt } }
    ... on Error { code message }
  }
}

mutation Login {
  login(input: { login: "ada_lovelace", password: "correct horse battery" }) {
    __typename
    ... on LoginSuccess { session { token kind expiresAt user { login } } }
    ... on Error { code message }
  }
}

query Me {
  me { id databaseId login email fullName tags createdAt }
  session { kind expiresAt }
}

query FindUsers {
  users(filter: { logins: ["ada_lovelace"] }, first: 10) {
    totalCount
    nodes { id login fullName }
    pageInfo { hasNextPage endCursor }
  }
}
`;

export const graphiqlHeaders = JSON.stringify({ Authorization: 'Bearer ' }, null, 2);
