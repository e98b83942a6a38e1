/**
 * The one error type lotwatch code throws on purpose: a stable `code` for programs and a message a
 * person can act on. Subclasses say how to react; the code says what happened.
 */
export class LotwatchError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad configuration: fatal at start, the message names the file and key. */
export class ConfigError extends LotwatchError {}
