/**
 * The one place Rightsize reads environment variables. The config names variables (API keys,
 * base URLs); their values are read here, at start, and never logged or stored.
 */
export interface Environment {
  /** The value of a variable the config names, or undefined when unset or empty. */
  get(name: string): string | undefined;
}

/** An `Environment` over `process.env` (or another record, for tests), frozen at call time. */
export function readEnvironment(source: Readonly<Record<string, string | undefined>> = process.env): Environment {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(source)) if (value) values.set(name, value);
  return Object.freeze({ get: (name: string) => values.get(name) });
}
