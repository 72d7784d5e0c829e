/** The slice of a pino logger the digest code uses; tests pass a recorder. */
export interface DigestLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLog: DigestLog = { info() {}, warn() {}, error() {} };
