/**
 * @generated SignedSource<<26f56c67147dd178337593df90c2836b>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import type { ConcreteRequest } from 'relay-runtime';
import type { FragmentRefs } from "relay-runtime";
export type operationsUserRefetchQuery$variables = {
  id: string;
};
export type operationsUserRefetchQuery$data = {
  readonly node: {
    readonly " $fragmentSpreads": FragmentRefs<"operations_user">;
  } | null | undefined;
};
export type operationsUserRefetchQuery = {
  response: operationsUserRefetchQuery$data;
  variables: operationsUserRefetchQuery$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "id"
  }
],
v1 = [
  {
    "kind": "Variable",
    "name": "id",
    "variableName": "id"
  }
];
return {
  "fragment": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Fragment",
    "metadata": null,
    "name": "operationsUserRefetchQuery",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "node",
        "plural": false,
        "selections": [
          {
            "args": null,
            "kind": "FragmentSpread",
            "name": "operations_user"
          }
        ],
        "storageKey": null
      }
    ],
    "type": "Query",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "operationsUserRefetchQuery",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "node",
        "plural": false,
        "selections": [
          {
            "alias": null,
            "args": null,
            "kind": "ScalarField",
            "name": "__typename",
            "storageKey": null
          },
          {
            "alias": null,
            "args": null,
            "kind": "ScalarField",
            "name": "id",
            "storageKey": null
          },
          {
            "kind": "InlineFragment",
            "selections": [
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
          }
        ],
        "storageKey": null
      }
    ]
  },
  "params": {
    "cacheID": "255a6fa07672a69b60408d6969294075",
    "id": null,
    "metadata": {},
    "name": "operationsUserRefetchQuery",
    "operationKind": "query",
    "text": "query operationsUserRefetchQuery(\n  $id: ID!\n) {\n  node(id: $id) {\n    __typename\n    ...operations_user\n    id\n  }\n}\n\nfragment operations_user on User {\n  id\n  login\n  fullName\n}\n"
  }
};
})();

(node as any).hash = "ffb5c77e691de65d272f578c4eb7aefe";

export default node;
