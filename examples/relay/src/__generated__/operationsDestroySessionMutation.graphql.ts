/**
 * @generated SignedSource<<1280184c318ca75eccf4f8984ea82318>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import type { ConcreteRequest } from 'relay-runtime';
export type DestroySessionInput = {
  id?: string | null | undefined;
};
export type operationsDestroySessionMutation$variables = {
  input?: DestroySessionInput | null | undefined;
};
export type operationsDestroySessionMutation$data = {
  readonly destroySession: {
    readonly __typename: "DestroySessionSuccess";
    readonly destroyedSessionId: string;
  } | {
    // This will never be '%other', but we need some
    // value in case none of the concrete values match.
    readonly __typename: "%other";
  };
};
export type operationsDestroySessionMutation = {
  response: operationsDestroySessionMutation$data;
  variables: operationsDestroySessionMutation$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "input"
  }
],
v1 = [
  {
    "kind": "Variable",
    "name": "input",
    "variableName": "input"
  }
],
v2 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "__typename",
  "storageKey": null
},
v3 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "destroyedSessionId",
  "storageKey": null
};
return {
  "fragment": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Fragment",
    "metadata": null,
    "name": "operationsDestroySessionMutation",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "destroySession",
        "plural": false,
        "selections": [
          (v2/*:: as any*/),
          {
            "kind": "InlineFragment",
            "selections": [
              (v3/*:: as any*/)
            ],
            "type": "DestroySessionSuccess",
            "abstractKey": null
          }
        ],
        "storageKey": null
      }
    ],
    "type": "Mutation",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "operationsDestroySessionMutation",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "destroySession",
        "plural": false,
        "selections": [
          (v2/*:: as any*/),
          {
            "kind": "InlineFragment",
            "selections": [
              (v3/*:: as any*/),
              {
                "alias": null,
                "args": null,
                "filters": null,
                "handle": "deleteRecord",
                "key": "",
                "kind": "ScalarHandle",
                "name": "destroyedSessionId"
              }
            ],
            "type": "DestroySessionSuccess",
            "abstractKey": null
          }
        ],
        "storageKey": null
      }
    ]
  },
  "params": {
    "cacheID": "cdc13cce7dcadcba9d9c178de3113f02",
    "id": null,
    "metadata": {},
    "name": "operationsDestroySessionMutation",
    "operationKind": "mutation",
    "text": "mutation operationsDestroySessionMutation(\n  $input: DestroySessionInput\n) {\n  destroySession(input: $input) {\n    __typename\n    ... on DestroySessionSuccess {\n      destroyedSessionId\n    }\n  }\n}\n"
  }
};
})();

(node as any).hash = "ed0afb16a42c0ab56331da9a615be4f0";

export default node;
