/**
 * @generated SignedSource<<cf2f72e9d520b098b7fde5a8d96d55cd>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import type { ConcreteRequest } from 'relay-runtime';
export type operationsSessionQuery$variables = Record<PropertyKey, never>;
export type operationsSessionQuery$data = {
  readonly session: {
    readonly databaseId: number;
    readonly id: string;
  } | null | undefined;
};
export type operationsSessionQuery = {
  response: operationsSessionQuery$data;
  variables: operationsSessionQuery$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "alias": null,
    "args": null,
    "concreteType": "Session",
    "kind": "LinkedField",
    "name": "session",
    "plural": false,
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
        "name": "databaseId",
        "storageKey": null
      }
    ],
    "storageKey": null
  }
];
return {
  "fragment": {
    "argumentDefinitions": [],
    "kind": "Fragment",
    "metadata": null,
    "name": "operationsSessionQuery",
    "selections": (v0/*:: as any*/),
    "type": "Query",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": [],
    "kind": "Operation",
    "name": "operationsSessionQuery",
    "selections": (v0/*:: as any*/)
  },
  "params": {
    "cacheID": "59920d77c3647a55063b6240ace770da",
    "id": null,
    "metadata": {},
    "name": "operationsSessionQuery",
    "operationKind": "query",
    "text": "query operationsSessionQuery {\n  session {\n    id\n    databaseId\n  }\n}\n"
  }
};
})();

(node as any).hash = "fadf0751b8152f31c0edab9273a6069d";

export default node;
