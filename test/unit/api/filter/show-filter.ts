import type { FilterExpr, Selector } from '../../../../src/api/filter/ast.ts';

/**
 * A parsed filter written back compactly, so grammar tests read as "this text means that tree":
 * `and`/`or` in parentheses, values quoted, selectors as their path.
 */
export function show(expr: FilterExpr): string {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return `(${show(expr.left)} ${expr.kind} ${show(expr.right)})`;
    case 'not':
      return `not ${show(expr.operand)}`;
    case 'any':
    case 'all': {
      const b = expr.binding;
      const names = b.mode === 'default' ? b.name : b.mode === 'index' ? `${b.index}, _` : b.mode === 'value' ? `_, ${b.value}` : `${b.index}, ${b.value}`;
      return `${expr.kind} ${path(expr.selector)} as ${names} { ${show(expr.body)} }`;
    }
    case 'match':
      switch (expr.operator) {
        case 'is empty':
        case 'is not empty':
          return `${path(expr.selector)} ${expr.operator}`;
        case 'in':
        case 'not in':
          return `${JSON.stringify(expr.value.raw)} ${expr.operator} ${path(expr.selector)}`;
        default:
          return `${path(expr.selector)} ${expr.operator} ${JSON.stringify(expr.value.raw)}`;
      }
  }
}

const plain = /^[A-Za-z0-9_]+$/;

function path(selector: Selector): string {
  return selector.path.every((p) => plain.test(p)) ? selector.path.join('.') : JSON.stringify(selector.path);
}
