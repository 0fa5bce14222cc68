import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * With introspection off (NODE_ENV=production unless GRAPHQL_INTROSPECTION=1), `__schema` and
 * `__type` are refused at validation by graphql-js's own rule, with the code
 * INTROSPECTION_DISABLED and a message naming the setting. `__typename` stays allowed.
 */
export function useIntrospectionSwitch(enabled: boolean): Plugin {
  if (enabled) return {};
  const rule: ValidationRule = (context) =>
    NoSchemaIntrospectionCustomRule(
      new Proxy(context, {
        get(target, property) {
          if (property === 'reportError') {
            return (error: GraphQLError) =>
              target.reportError(
                new GraphQLError('Introspection is disabled on this server (GRAPHQL_INTROSPECTION).', {
                  nodes: error.nodes,
                  extensions: { code: 'INTROSPECTION_DISABLED' },
                }),
              );
          }
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as ValidationContext,
    );
  Object.defineProperty(rule, 'name', { value: 'IntrospectionDisabledRule' });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
