import { graphql } from 'relay-runtime';

/**
 * Relay operations over cube-gateway, compiled by `relay-compiler` (examples/relay/
 * relay.config.json). Relay needs what the gateway gives: every object with an `id` is a
 * `Node` with a global id that `node(id:)` refetches, connections with cursors, and ids in
 * mutation results that name the deleted record.
 */

export const usersQuery = graphql`
  query operationsUsersQuery($tag: String!) {
    ...operations_userList @arguments(tag: $tag)
  }
`;

export const userList = graphql`
  fragment operations_userList on Query
  @refetchable(queryName: "operationsUserListPaginationQuery")
  @argumentDefinitions(tag: { type: "String!" }, count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    users(filter: { tags: [$tag] }, first: $count, after: $cursor) @connection(key: "operations_users") {
      edges { node { id login ...operations_user } }
    }
  }
`;

export const user = graphql`
  fragment operations_user on User @refetchable(queryName: "operationsUserRefetchQuery") {
    id
    login
    fullName
  }
`;

export const sessionQuery = graphql`
  query operationsSessionQuery { session { id databaseId } }
`;

export const destroySession = graphql`
  mutation operationsDestroySessionMutation($input: DestroySessionInput) {
    destroySession(input: $input) {
      __typename
      ... on DestroySessionSuccess { destroyedSessionId @deleteRecord }
    }
  }
`;
