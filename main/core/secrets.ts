const SECRET_KEY = /api_?key|token|secret|password/i;

/** A copy of `value` with every non-empty secret (by its key's name) replaced by `mark`. */
export function redactSecrets(value: unknown, mark = '(set, not recorded)'): unknown {
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, mark));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && typeof v === 'string' && v !== '' ? mark : redactSecrets(v, mark)]),
  );
}
