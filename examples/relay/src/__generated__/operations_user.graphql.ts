/**
 * @generated SignedSource<<3734aaff880684e5c87b84db94d79552>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import type { ReaderFragment } from 'relay-runtime';
import type { FragmentRefs } from "relay-runtime";
export type operations_user$data = {
  readonly fullName: string | null | undefined;
  readonly id: string;
  readonly login: string | null | undefined;
  readonly " $fragmentType": "operations_user";
};
export type operations_user$key = {
  readonly " $data"?: operations_user$data;
  readonly " $fragmentSpreads": FragmentRefs<"operations_user">;
};

import operationsUserRefetchQuery_graphql from './operationsUserRefetchQuery.graphql';

const node: ReaderFragment = {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": {
    "refetch": {
      "connection": null,
      "fragmentPathInResult": [
        "node"
      ],
      "operation": operationsUserRefetchQuery_graphql,
      "identifierInfo": {
        "identifierField": "id",
        "identifierQueryVariableName": "id"
      }
    }
  },
  "name": "operations_user",
  "selections": [
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "id",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "login",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "fullName",
      "storageKey": null
    }
  ],
  "type": "User",
  "abstractKey": null
};

(node as any).hash = "ffb5c77e691de65d272f578c4eb7aefe";

export default node;
