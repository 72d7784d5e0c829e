/**
 * Secret scrubbing shared by config errors and the logger. The token is a bearer credential that also
 * appears inside Bot API URLs (`/bot<token>/sendMessage`), so it can leak through error messages and
 * stack traces, not only through fields we name; hence a pattern, not just known keys.
 */

export const REDACTED_TOKEN = '<token>';

// `%3A` covers the token inside a percent-encoded URL; the look-behind stops us eating the tail of a longer number.
const TOKEN_PATTERN = /(?<![0-9])\d{6,}(?::|%3A)[A-Za-z0-9_-]{30,}/gi;

// Short values would turn ordinary words into "<redacted>" all over the logs; real secrets are longer.
const MIN_EXACT_SECRET_LENGTH = 8;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Returns a function that removes bot tokens (by shape) and the given exact secret values from a string. */
export function createRedactor(secrets: ReadonlyArray<string | undefined> = []): (text: string) => string {
  const exact = secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_EXACT_SECRET_LENGTH);
  // Longest first so a secret that contains another is replaced whole.
  exact.sort((a, b) => b.length - a.length);
  const exactPattern = exact.length > 0 ? new RegExp(exact.map(escapeRegExp).join('|'), 'g') : undefined;
  return (text) => {
    let out = text.replace(TOKEN_PATTERN, REDACTED_TOKEN);
    if (exactPattern) out = out.replace(exactPattern, '<redacted>');
    return out;
  };
}

export const redactTokens: (text: string) => string = createRedactor();
