/**
 * Re-computes the arithmetic written in a model's answer. Two forms are checked:
 * - calculator annotations `<<expression=result>>` (GSM8K's own format, which Mixtral imitates);
 * - inline equations `a op b = c` (also chains `a op b = c op d = e`): the longest arithmetic
 *   expression that ends just before each `=` is evaluated and compared with the one that starts
 *   just after it. Currency signs and thousands separators are dropped, `x`, `×` and `÷` between
 *   numbers read as `*` and `/`, and `N%` reads as `N / 100`.
 * A side with no operator on the left (`Total = 12`) is not a check.
 */

/** Counts of the checks done on one text. */
export interface ArithmeticCheck {
  /** Equations evaluated on both sides. */
  checked: number;
  /** Equations whose sides differ beyond rounding. */
  mismatched: number;
  /** Equations whose right side is the left one rounded to a whole number. */
  rounded: number;
  /** Calculator annotations `<<...=...>>` found. */
  annotations: number;
  /** The right-hand results of every checked equation (to test whether the final answer was computed). */
  results: number[];
}

type Token = { kind: 'number'; value: number } | { kind: 'op'; value: string };

function lex(expression: string): Token[] | undefined {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?|\.\d+)(\s*%)?|([-+*/^()]))/y;
  let position = 0;
  const text = expression.trimEnd();
  while (position < text.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (!match) return undefined;
    position = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'number', value: Number(match[1]) / (match[2] ? 100 : 1) });
    else tokens.push({ kind: 'op', value: match[3]! });
  }
  return tokens;
}

/**
 * Evaluates `+ - * / ^` and parentheses over numbers; undefined when the text is not a complete
 * expression. Precedence: `^` over unary minus over `* /` over `+ -`; left associative.
 */
export function evaluateArithmetic(expression: string): number | undefined {
  const tokens = lex(expression);
  if (!tokens || tokens.length === 0) return undefined;
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const isOp = (value: string): boolean => {
    const token = peek();
    return token?.kind === 'op' && token.value === value;
  };
  const primary = (): number | undefined => {
    const token = peek();
    if (!token) return undefined;
    if (token.kind === 'number') {
      position++;
      return token.value;
    }
    if (token.value === '(') {
      position++;
      const value = sum();
      if (value === undefined || !isOp(')')) return undefined;
      position++;
      return value;
    }
    return undefined;
  };
  const power = (): number | undefined => {
    const base = primary();
    if (base === undefined) return undefined;
    if (isOp('^')) {
      position++;
      const exponent = unary();
      return exponent === undefined ? undefined : base ** exponent;
    }
    return base;
  };
  const unary = (): number | undefined => {
    if (isOp('-')) {
      position++;
      const value = unary();
      return value === undefined ? undefined : -value;
    }
    return power();
  };
  const product = (): number | undefined => {
    let value = unary();
    while (value !== undefined && (isOp('*') || isOp('/'))) {
      const op = (peek() as { value: string }).value;
      position++;
      const right = unary();
      if (right === undefined) return undefined;
      value = op === '*' ? value * right : value / right;
    }
    return value;
  };
  const sum = (): number | undefined => {
    let value = product();
    while (value !== undefined && (isOp('+') || isOp('-'))) {
      const op = (peek() as { value: string }).value;
      position++;
      const right = product();
      if (right === undefined) return undefined;
      value = op === '+' ? value + right : value - right;
    }
    return value;
  };
  const value = sum();
  if (value === undefined || position !== tokens.length || !Number.isFinite(value)) return undefined;
  return value;
}

/** Drops currency signs and thousands separators and spells multiplication and division as `*` `/`. */
export function normalizeArithmeticText(text: string): string {
  let normalized = text.replace(/[$€£]/g, '');
  let previous: string;
  do {
    previous = normalized;
    normalized = normalized.replace(/(\d),(\d{3})(?!\d)/g, '$1$2');
  } while (normalized !== previous);
  return normalized
    .replace(/(\d|\))\s*[x×✕]\s*(?=[\d(])/g, '$1 * ')
    .replace(/÷/g, '/')
    .replace(/[−–]/g, '-');
}

const EXPRESSION_CHARS = /[\d.\s+\-*/^()%]/;

/** The longest suffix of `text` that is a complete expression with at least one operator. */
function trailingExpression(text: string): { value: number; hasOperator: boolean } | undefined {
  let start = text.length;
  while (start > 0 && EXPRESSION_CHARS.test(text[start - 1]!)) start--;
  const candidate = text.slice(start);
  // Drop leading pieces (list numbers, stray signs) until what is left parses.
  for (let offset = 0; offset < candidate.length; offset++) {
    if (offset > 0 && !/[\s(]/.test(candidate[offset - 1]!)) continue;
    const piece = candidate.slice(offset).trim();
    if (piece === '' || !/\d/.test(piece)) break;
    const value = evaluateArithmetic(piece);
    if (value !== undefined) return { value, hasOperator: /\d[\s)%]*[-+*/^]\s*[\d(.]/.test(piece) };
  }
  return undefined;
}

/** The value and printed decimals of the expression that starts `text`, if any. */
function leadingExpression(text: string): { value: number; decimals: number } | undefined {
  let end = 0;
  while (end < text.length && EXPRESSION_CHARS.test(text[end]!)) end++;
  let candidate = text.slice(0, end).trim();
  // A trailing full stop ends the sentence, not the number.
  candidate = candidate.replace(/[.\s]+$/, '');
  while (candidate.length > 0) {
    candidate = candidate.replace(/[.\s]+$/, '');
    const value = evaluateArithmetic(candidate);
    if (value !== undefined) {
      const decimals = /\.(\d+)\s*$/.exec(candidate)?.[1]?.length ?? 0;
      return { value, decimals };
    }
    const cut = candidate.search(/\s\S*$/);
    if (cut <= 0) break;
    candidate = candidate.slice(0, cut).trim();
  }
  return undefined;
}

function compare(left: number, right: number, decimals: number): 'ok' | 'rounded' | 'mismatch' {
  const difference = Math.abs(left - right);
  if (difference <= 1e-9 * Math.max(1, Math.abs(right))) return 'ok';
  if (decimals > 0) return difference <= 10 ** -decimals + 1e-9 ? 'ok' : 'mismatch';
  if (!Number.isInteger(left) && difference < 1) return 'rounded';
  // Percentages written as whole numbers: 0.25 = 25 (%) is a units slip, not an arithmetic error.
  if (Math.abs(left * 100 - right) <= 1e-6 * Math.max(1, Math.abs(right))) return 'ok';
  return 'mismatch';
}

/** Checks every calculator annotation and inline equation of a text. */
export function checkArithmetic(text: string): ArithmeticCheck {
  const check: ArithmeticCheck = { checked: 0, mismatched: 0, rounded: 0, annotations: 0, results: [] };
  const record = (left: number, right: number, decimals: number): void => {
    check.checked++;
    check.results.push(right);
    const verdict = compare(left, right, decimals);
    if (verdict === 'mismatch') check.mismatched++;
    else if (verdict === 'rounded') check.rounded++;
  };
  const normalized = normalizeArithmeticText(text);
  const withoutAnnotations = normalized.replace(/<<([^<>]*)>>/g, (_, inner: string) => {
    check.annotations++;
    const equals = inner.lastIndexOf('=');
    if (equals > 0) {
      const left = evaluateArithmetic(inner.slice(0, equals));
      const right = leadingExpression(inner.slice(equals + 1));
      if (left !== undefined && right !== undefined) record(left, right.value, right.decimals);
    }
    return '';
  });
  for (const line of withoutAnnotations.split('\n')) {
    const parts = line.split('=');
    for (let index = 0; index + 1 < parts.length; index++) {
      const left = trailingExpression(parts[index]!);
      const right = leadingExpression(parts[index + 1]!);
      if (!left || !right || !left.hasOperator) continue;
      record(left.value, right.value, right.decimals);
    }
  }
  return check;
}
