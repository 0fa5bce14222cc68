import { builder } from './builder.ts';

builder.queryType({
  description: 'Reads. Everything but `me` and `session` needs a session token.',
});
builder.mutationType({
  description:
    'Writes. Each answers a `<Name>Result` union: its `<Name>Success` type or a typed `Error`. ' +
    'Without a token only `createSession`, `signUp`, `login*` and `resetPassword` are open.',
});
