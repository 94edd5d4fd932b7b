/**
 * Which root fields an operation selects, from the parsed document (never by looking at the text: comments or
 * strings containing "login" change nothing, reference §12-1). Fragments at the root are followed.
 */
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type OperationTypeNode,
  type SelectionSetNode,
} from "graphql";

export interface OperationShape {
  type: OperationTypeNode;
  /** Field names (not aliases) selected at the root, `@skip`/`@include` ignored (counted). */
  rootFields: Set<string>;
}

/** The shape of the operation that will run, or undefined when it cannot be determined. */
export function operationShape(document: DocumentNode, operationName?: string | null): OperationShape | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) return undefined;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const rootFields = new Set<string>();
  collect(operation.selectionSet, fragments, rootFields, new Set());
  return { type: operation.operation, rootFields };
}

function collect(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  out: Set<string>,
  seen: Set<string>,
): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) out.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet, fragments, out, seen);
    else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (seen.has(name)) continue;
      seen.add(name);
      // an unknown fragment fails validation; count it as a field nobody is allowed anonymously
      if (fragment) collect(fragment.selectionSet, fragments, out, seen);
      else out.add(`...${name}`);
    }
  }
}
