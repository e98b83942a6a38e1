/** One edge event as libgpiod v2's `gpiomon` prints it. */
export interface GpiomonEvent {
  /** The event timestamp in milliseconds (monotonic clock unless gpiomon was told otherwise). */
  timeMs: number;
  edge: "rising" | "falling";
  chip?: string;
  offset?: number;
  /** The line's name, when it has one. */
  name?: string;
}

export type GpiomonParse = { ok: true; event: GpiomonEvent } | { ok: false; detail: string };

/**
 * Parses the default ("human readable") output of libgpiod v2 gpiomon, `event_print_human_readable`
 * in tools/gpiomon.c with `print_line_id` in tools/tools-common.c (https://git.kernel.org/pub/scm/libs/libgpiod/libgpiod.git):
 *
 *   <seconds>.<nanoseconds>\t<rising|falling>\t<line id>
 *
 * where the line id is `<chip> <offset>` for an unnamed line, `<chip> <offset> "<name>"` for a named
 * line when --chip was given, or `"<name>"` without it (unquoted with --unquoted). v1's format
 * (`event:  RISING EDGE offset: 17 timestamp: [...]`) is refused.
 */
export function parseGpiomonLine(line: string): GpiomonParse {
  const fields = line.split("\t");
  if (fields.length !== 3)
    return { ok: false, detail: "expected three tab-separated fields (time, edge, line)" };
  const [time = "", edge = "", id = ""] = fields;
  const timeMatch = /^(\d+)\.(\d{9})$/.exec(time.trim());
  if (timeMatch === null)
    return { ok: false, detail: `"${time}" is not a <seconds>.<nanoseconds> timestamp` };
  if (edge !== "rising" && edge !== "falling")
    return { ok: false, detail: `"${edge}" is not rising or falling` };
  const timeMs = Number(timeMatch[1]) * 1000 + Number(timeMatch[2]) / 1e6;
  const withChip = /^(\S+) (\d+)(?: (?:"([^"]*)"|(\S.*)))?$/.exec(id);
  if (withChip !== null) {
    const name = withChip[3] ?? withChip[4];
    return {
      ok: true,
      event: {
        timeMs,
        edge,
        chip: withChip[1],
        offset: Number(withChip[2]),
        ...(name === undefined ? {} : { name }),
      },
    };
  }
  const quoted = /^"([^"]+)"$/.exec(id);
  if (quoted?.[1] !== undefined) return { ok: true, event: { timeMs, edge, name: quoted[1] } };
  if (/^\S+$/.test(id)) return { ok: true, event: { timeMs, edge, name: id } };
  return { ok: false, detail: `"${id}" is not a line id` };
}
