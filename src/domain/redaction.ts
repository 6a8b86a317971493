/**
 * Redaction of secret-looking values in what voxnix records about commands (the audit log's
 * exec argv, logged host argv). voxnix cannot know every secret a person types, so it hides
 * what looks like one: values after password-ish flags, `KEY=value` where the key names a
 * secret, URL credentials, and long token-like strings. Over-redacting an audit line costs
 * little; leaking a credential into it costs a lot.
 *
 * @module
 */

/** What a redacted value is replaced with. */
export const REDACTED = "***";

/** Names that mark a secret: in `KEY=value`, in `--flag value` and in object keys. */
const SECRET_NAME = /token|secret|passw|passphrase|pass$|^pass|pwd|key|credential|auth|cookie|session|private/i;

// Flags whose next argument (or `=value`) is a secret. `-p` is mysql's and sshpass's password
// flag; elsewhere it is often a port, which then shows as *** (harmless in an audit line).
// A flag is secret when one of its hyphen- or underscore-separated words is (`--api-key`,
// `--with-token`, `--secret-file`), not when a word merely contains one (`--author`, `--keyboard`).
const SECRET_FLAG_WORD =
  /^(token|tokens|secret|secrets|password|passwd|passphrase|pass|pwd|key|apikey|authkey|credential|credentials|auth|cookie|\w*token|\w*password|\w*secret)$/i;
const SHORT_PASSWORD_FLAGS = new Set(["-p", "-P", "-k"]);
// Programs where `-pVALUE` (attached) is a password, not a port.
const ATTACHED_PASSWORD_PROGRAMS = new Set(["mysql", "mariadb", "mysqldump", "mysqladmin", "mariadb-dump", "sshpass"]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Well-known credential prefixes (GitHub, Tailscale, OpenAI/Anthropic, Slack, AWS, GitLab, npm).
const KNOWN_TOKEN =
  /\b(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}|tskey-[A-Za-z0-9-]{8,}|sk-[A-Za-z0-9_-]{16,}|xox[abpors]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|glpat-[A-Za-z0-9_-]{16,}|npm_[A-Za-z0-9]{20,})\b/g;
// Long runs from a base64/base64url/hex alphabet.
const LONG_RUN = /[A-Za-z0-9+/_=-]{32,}/g;

/**
 * Redacts one free-standing string: known credential prefixes, long hex/base64 runs,
 * `KEY=value` with a secret-looking key, and `scheme://user:password@` credentials.
 */
export function redactString(text: string): string {
  if (text.length === 0) return text;
  const assignment = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s.exec(text);
  if (assignment && SECRET_NAME.test(assignment[1]!) && assignment[2] !== "") return `${assignment[1]}=${REDACTED}`;
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^/:@\s]+:)[^@\s/]+@/gi, `$1${REDACTED}@`)
    .replace(KNOWN_TOKEN, REDACTED)
    .replace(LONG_RUN, (run) => (looksLikeToken(run) ? REDACTED : run));
}

/**
 * Redacts an argv: every element as `redactString` does, plus the value after a
 * password-ish flag (`--password x`, `--token x`, `-p x`) and `--password=x` forms.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const program = (argv[0] ?? "").split("/").pop() ?? "";
  const result: string[] = [];
  let hideNext = false;
  for (const [index, part] of argv.entries()) {
    if (hideNext) {
      result.push(REDACTED);
      hideNext = false;
      continue;
    }
    if (index > 0 && part.startsWith("-")) {
      const equals = part.indexOf("=");
      const flag = equals > 0 ? part.slice(0, equals) : part;
      const secretFlag =
        SHORT_PASSWORD_FLAGS.has(flag) ||
        (flag.startsWith("--") &&
          flag
            .slice(2)
            .split(/[-_]/)
            .some((word) => SECRET_FLAG_WORD.test(word)));
      if (secretFlag && equals > 0) {
        result.push(`${flag}=${REDACTED}`);
        continue;
      }
      if (secretFlag) {
        result.push(part);
        hideNext = true;
        continue;
      }
      if (ATTACHED_PASSWORD_PROGRAMS.has(program) && /^-p.+/.test(part)) {
        result.push(`-p${REDACTED}`);
        continue;
      }
    }
    result.push(redactString(part));
  }
  return result;
}

/** True for a key (object field, variable name) that names a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

// A long run is a token when it mixes character classes the way random strings do (paths,
// nix store hashes in paths and plain words rarely reach 32 characters without a separator).
function looksLikeToken(run: string): boolean {
  if (UUID.test(run)) return false;
  // A Nix store entry name: a public hash, then the package name.
  if (/^[0-9a-z]{32}-[A-Za-z0-9+._?=-]+$/.test(run)) return false;
  // A path: short segments between slashes. A segment of its own can still be a token.
  if (run.includes("/") && run.split("/").every((segment) => segment.length < 24)) return false;
  if (run.includes("/") && run.startsWith("/"))
    return run.split("/").some((segment) => segment.length >= 32 && looksLikeToken(segment));
  if (/^[0-9a-f]+$/i.test(run)) return true;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((pattern) => pattern.test(run)).length;
  return classes >= 2 && /[0-9]/.test(run);
}
