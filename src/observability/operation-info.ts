import { type DocumentNode, getOperationAST } from 'graphql';

/** The executed operation's name (undefined when anonymous) and type. */
export function operationInfo(
  document: DocumentNode,
  operationName: string | null | undefined,
): { name: string | undefined; type: string } {
  const operation = getOperationAST(document, operationName ?? undefined);
  return { name: operation?.name?.value, type: operation?.operation ?? 'unknown' };
}
