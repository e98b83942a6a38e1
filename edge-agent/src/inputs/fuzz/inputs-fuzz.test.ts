import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { builtCli, type CliProcess } from "../../test-support/built-cli.js";
import { createCleanups } from "../../test-support/cleanups.js";
import { startModbusSlaveSim } from "../../test-support/modbus-slave-sim.js";
import { startPtyPair } from "../../test-support/pty-pair.js";
import { createTempDir } from "../../test-support/temp-dir.js";
import { waitFor } from "../../test-support/test-broker.js";

/** Fuzzing time: a few seconds in CI; LOTWATCH_FUZZ_MS=60000 (or more) for a long run. */
const FUZZ_MS = Number(process.env.LOTWATCH_FUZZ_MS ?? 4000);
const SEED = Number(process.env.LOTWATCH_FUZZ_SEED ?? Date.now() % 1_000_000);
const TOKEN = "fuzz-camera-token-0123456789";
const MAX_RSS_MB = 256;

const garbageBytes = fc.uint8Array({ minLength: 1, maxLength: 600, size: "max" });
const garbageBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 300 }),
  garbageBytes.map((bytes) => Buffer.from(bytes).toString("latin1")),
  fc
    .record({ plate: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), confidence: fc.double() })
    .map((v) => JSON.stringify(v)),
  fc.record({ hook: fc.object(), data: fc.object() }).map((v) => JSON.stringify(v)),
);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

describe("fuzzing every input of a running agent", () => {
  const cleanups = createCleanups();
  afterEach(() => cleanups.run());

  it(
    `keeps every valid reading among random bytes and bodies, stays up and bounded (${FUZZ_MS} ms)`,
    async () => {
      const dir = createTempDir();
      cleanups.add(() => dir.remove());
      mkdirSync(dir.file("serial"));
      mkdirSync(dir.file("bus"));
      const serial = await startPtyPair(dir.file("serial"));
      cleanups.add(() => serial.kill());
      const bus = await startPtyPair(dir.file("bus"));
      cleanups.add(() => bus.kill());
      const sim = await startModbusSlaveSim(dir.file("bus/b"), ["--units", "1-4"]);
      cleanups.add(() => sim.stop());
      // A second writer on the bus: line noise between the slave's answers.
      const noise = openSync(
        dir.file("bus/b"),
        constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY,
      );
      cleanups.add(() => closeSync(noise));

      const sockets: Socket[] = [];
      const tcp: Server = createServer((socket) => {
        sockets.push(socket);
        socket.on("error", () => undefined);
      });
      await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
      cleanups.add(() => new Promise<void>((resolve) => tcp.close(() => resolve())));
      cleanups.add(() => {
        for (const socket of sockets) socket.destroy();
      });
      const tcpPort = (tcp.address() as { port: number }).port;

      const config = dir.file("agent.json");
      writeFileSync(
        config,
        JSON.stringify({
          gateway: { id: "gw-fuzz", site: "mall-a" },
          broker: { url: "mqtt://127.0.0.1:1" },
          buffer: { path: dir.file("buffer.db") },
          http: { port: 0 },
          inputs: [
            {
              type: "serial",
              name: "serial",
              path: serial.devicePath,
              baudRate: 9600,
              format: "jsonl",
              maxLineLength: 512,
            },
            {
              type: "tcp-serial",
              name: "tcp",
              host: "127.0.0.1",
              port: tcpPort,
              format: "jsonl",
              maxLineLength: 512,
            },
            {
              type: "camera-http",
              name: "cam",
              lane: "entry-1",
              token: TOKEN,
              direction: "in",
              maxBodyBytes: "4KB",
            },
            {
              type: "modbus-rtu",
              name: "bus",
              path: bus.devicePath,
              pollIntervalMs: 20,
              timeoutMs: 60,
              offlineAfter: 3,
              sensors: [1, 2, 3, 4].map((unit) => ({ unit, slots: [`S${unit}`] })),
            },
          ],
        }),
      );
      const readyFile = dir.file("ready.json");
      const agent: CliProcess = builtCli().spawn(["run", "--config", config, "--ready-file", readyFile], {
        LOTWATCH_LOG_LEVEL: "error",
      });
      cleanups.add(async () => {
        if (agent.child.exitCode === null) agent.child.kill("SIGKILL");
        await agent.exited(5000);
      });
      await waitFor(
        () => existsSync(readyFile) || agent.child.exitCode !== null,
        "the agent to listen",
        15_000,
      );
      const { httpUrl } = JSON.parse(readFileSync(readyFile, "utf8")) as { httpUrl: string };
      await waitFor(() => sockets.length === 1, "the tcp-serial input to connect");
      const pid = agent.child.pid as number;

      const expected = new Set<string>();
      const slots = new Map<number, boolean>();
      let plateNo = 0;
      const nextPlate = () => `FZ${(plateNo++).toString(36).toUpperCase()}`;
      const line = (plate: string) =>
        `${JSON.stringify({ type: "vehicle.entry", lane: "entry-1", plate })}\n`;
      const bytes = fc.sample(garbageBytes, { seed: SEED, numRuns: 500 });
      const bodies = fc.sample(garbageBody, { seed: SEED, numRuns: 500 });
      const rss: number[] = [];
      const counts = { lines: 0, garbage: 0, bodies: 0, refused: 0, noise: 0 };
      const deadline = Date.now() + FUZZ_MS;
      const sampler = setInterval(() => rss.push(rssMb(pid)), 200);
      cleanups.add(() => clearInterval(sampler));
      const statuses: number[] = [];

      async function lineLoop(): Promise<void> {
        for (let round = 0; Date.now() < deadline; round++) {
          const junk = Buffer.from(bytes[round % bytes.length] ?? []);
          const plate = nextPlate();
          // Garbage, a newline that ends whatever it left open, then one valid line.
          const payload = Buffer.concat([junk, Buffer.from(`\n${line(plate)}`)]);
          if (round % 2 === 0) serial.write(payload);
          else sockets[0]?.write(payload);
          expected.add(plate);
          counts.lines++;
          counts.garbage += junk.length;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }

      const post = (body: string) =>
        fetch(`${httpUrl}/v1/lanes/entry-1/reads`, {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
          body,
        });
      async function httpLoop(): Promise<void> {
        for (let round = 0; Date.now() < deadline; round++) {
          const garbage = [0, 1, 2, 3].map((k) => bodies[(4 * round + k) % bodies.length] ?? "");
          const camPlate = nextPlate();
          const answers = await Promise.all([
            ...garbage.map(post),
            post(JSON.stringify({ plate: camPlate, confidence: 0.9 })),
          ]);
          const valid = answers.pop() as Response;
          expect(valid.status).toBe(202);
          expected.add(camPlate);
          for (const answer of answers) {
            statuses.push(answer.status);
            counts.bodies++;
            if (answer.status !== 202) counts.refused++;
          }
        }
      }

      async function busLoop(): Promise<void> {
        for (let round = 0; Date.now() < deadline; round++) {
          const unit = 1 + (round % 4);
          const occupied = !slots.get(unit);
          slots.set(unit, occupied);
          sim.control({ set: { unit, address: 0, occupied } });
          const junk = Buffer.from(bytes[round % bytes.length] ?? []).subarray(0, 64);
          try {
            counts.noise += writeSync(noise, junk);
          } catch {
            // EAGAIN: the pty is full; noise is best effort.
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }

      await Promise.all([lineLoop(), httpLoop(), busLoop()]);
      clearInterval(sampler);
      // Random bodies are refused as client errors (4xx), never a 5xx; one that happens to be a valid read is stored.
      expect(statuses.filter((status) => status !== 202 && (status < 400 || status >= 500))).toEqual([]);

      expect(agent.child.exitCode).toBeNull();
      const db = new Database(dir.file("buffer.db"), { readonly: true, fileMustExist: true });
      cleanups.add(() => db.close());
      const events = () =>
        (db.prepare("SELECT body FROM pending ORDER BY seq").all() as Array<{ body: string }>).map(
          (row) =>
            JSON.parse(row.body) as { type: string; plate?: string; slot?: string; occupied?: boolean },
        );
      const missing = () => {
        const plates = new Set(events().flatMap((event) => (event.plate === undefined ? [] : [event.plate])));
        return [...expected].filter((plate) => !plates.has(plate));
      };
      await waitFor(() => missing().length === 0, "every valid reading in the buffer", 15_000).catch(() => {
        throw new Error(
          `${missing().length} of ${expected.size} valid readings are missing, e.g. ${missing().slice(0, 5)}`,
        );
      });
      // Modbus is state, not a stream: once the noise stops, each slot's last state is the slave's.
      const lastStates = () => {
        const last = new Map<string, boolean>();
        for (const event of events())
          if (event.type === "slot.state") last.set(event.slot as string, event.occupied as boolean);
        return last;
      };
      await waitFor(
        () => [1, 2, 3, 4].every((unit) => lastStates().get(`S${unit}`) === (slots.get(unit) ?? false)),
        "the slots' final states",
        10_000,
      );

      const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
      expect(metrics).toMatch(
        /lotwatch_agent_malformed_lines_total\{input="serial",reason="[a-z-]+"\} [1-9]/,
      );
      expect(metrics).toMatch(/lotwatch_agent_malformed_lines_total\{input="cam",reason="[a-z-]+"\} [1-9]/);
      expect(agent.child.exitCode).toBeNull();
      const maxRss = Math.max(...rss);
      expect(maxRss).toBeLessThan(MAX_RSS_MB);

      agent.child.kill("SIGTERM");
      expect(await agent.exited(20_000)).toBe(0);
      console.info(
        `fuzz seed ${SEED} over ${FUZZ_MS} ms: ${counts.lines} lines with ${counts.garbage} garbage bytes, ` +
          `${counts.bodies} random bodies (${counts.refused} refused), ${counts.noise} noise bytes on the bus; ` +
          `${expected.size} valid readings kept; ` +
          `agent RSS ${Math.min(...rss).toFixed(0)}-${maxRss.toFixed(0)} MB`,
      );
    },
    FUZZ_MS + 90_000,
  );
});
