/** Keeper output: readable lines (default) or JSON lines (`--log json`), one shape for both. */
export type LogFormat = "text" | "json";
export type Level = "info" | "warn" | "error";
export type Fields = Record<string, unknown>;

export interface KeeperLog {
  (msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  readonly format: LogFormat;
}

/**
 * A logger tagged with the keeper's name. Text: `2026-12-01T20:00:00.000Z [relayer] msg`. JSON: one object per
 * line with `time`, `level`, `keeper`, `msg` and the fields (bigints as decimal strings).
 */
export function keeperLog(tag: string, format: LogFormat = "text", write: (line: string) => void = console.log) {
  const emit = (level: Level, msg: string, fields: Fields = {}) => {
    const time = new Date().toISOString();
    if (format === "json") {
      write(
        JSON.stringify({ time, level, keeper: tag, msg, ...fields }, (_k, v: unknown) =>
          typeof v === "bigint" ? v.toString() : v,
        ),
      );
    } else {
      write(`${time} [${tag}]${level === "info" ? "" : ` ${level.toUpperCase()}`} ${msg}`);
    }
  };
  const log = ((msg: string, fields?: Fields) => emit("info", msg, fields)) as KeeperLog;
  log.warn = (msg, fields) => emit("warn", msg, fields);
  log.error = (msg, fields) => emit("error", msg, fields);
  (log as { format: LogFormat }).format = format;
  return log;
}

/** A logger that drops everything (tests, library use). */
export const silentLog: KeeperLog = keeperLog("-", "text", () => {});
