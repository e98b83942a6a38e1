import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { z } from "zod";
import { booleanFlag, intInRange, nonEmptyString } from "../../config/fields.js";

const door = z
  .string({ error: "expected a door id" })
  .regex(NAME_PATTERN, { error: "expected a door id of 1-64 letters, digits, '_', '.', '-'" });
const offset = intInRange(0, 65_535);
const direction = z.union([z.literal(1), z.literal(-1)], { error: "expected 1 or -1" });

/** An induction loop (or any presence contact): one crossing of `door` in `direction` per vehicle. */
export const LoopSchema = z.strictObject({
  line: offset,
  door,
  direction: direction.default(1),
  /** The line reads low while a vehicle is present (open-collector detector outputs usually do). */
  activeLow: booleanFlag.default(false),
});

/** Two light beams across a doorway: A then B is a crossing of `door` in direction 1, B then A is -1. */
export const BeamPairSchema = z.strictObject({
  a: offset,
  b: offset,
  door,
  /** The beam's receiver reads low while the beam is broken. */
  activeLow: booleanFlag.default(false),
  /** After a pass that broke only one beam, how long to wait for the other (beams far apart). */
  gapMs: intInRange(0, 60_000).default(500),
  /** A longer pass (someone lingering in the beams) counts nothing. */
  maxPassMs: intInRange(100, 3_600_000).default(30_000),
});

/** `{ type: gpio, chip, loops, beams }`: GPIO lines watched through libgpiod v2's gpiomon. */
export const GpioConfigSchema = z
  .strictObject({
    type: z.literal("gpio"),
    name: z
      .string({ error: "expected a name" })
      .regex(NAME_PATTERN, { error: "expected 1-64 letters, digits, '_', '.', '-'" })
      .optional(),
    chip: nonEmptyString("a chip such as gpiochip0"),
    /** The gpiomon binary (libgpiod v2; v1's output is refused). */
    gpiomon: nonEmptyString("a program path").default("gpiomon"),
    bias: z
      .enum(["as-is", "pull-up", "pull-down", "disabled"], {
        error: "expected as-is, pull-up, pull-down or disabled",
      })
      .optional(),
    /** A raw change must hold this long to count. */
    debounceMs: intInRange(0, 10_000).default(20),
    loops: z.array(LoopSchema, { error: "expected a list of loops" }).default([]),
    beams: z.array(BeamPairSchema, { error: "expected a list of beam pairs" }).default([]),
    restartMinMs: intInRange(10, 600_000).default(1000),
    restartMaxMs: intInRange(10, 3_600_000).default(30_000),
  })
  .superRefine((input, ctx) => {
    if (input.loops.length === 0 && input.beams.length === 0) {
      ctx.addIssue({ code: "custom", path: ["loops"], message: "expected at least one loop or beam pair" });
    }
    const used = new Map<number, string>();
    const claim = (line: number, path: Array<string | number>) => {
      const owner = used.get(line);
      if (owner !== undefined) {
        ctx.addIssue({ code: "custom", path, message: `line ${line} is already used by ${owner}` });
      }
      used.set(line, path.join("."));
    };
    input.loops.forEach((loop, index) => {
      claim(loop.line, ["loops", index, "line"]);
    });
    input.beams.forEach((beam, index) => {
      claim(beam.a, ["beams", index, "a"]);
      claim(beam.b, ["beams", index, "b"]);
    });
    if (input.restartMinMs > input.restartMaxMs) {
      ctx.addIssue({ code: "custom", path: ["restartMinMs"], message: "must not exceed restartMaxMs" });
    }
  });

export type GpioConfig = z.infer<typeof GpioConfigSchema> & { name: string };
