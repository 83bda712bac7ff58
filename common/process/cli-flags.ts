// Command-line flags of the repo's commands (bench, simulate): a whole number with a floor, or an error
// that names the flag.
export function wholeNumberFlag(flag: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number >= ${min}, got ${value}`);
  return n;
}
