import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { listenForStop } from "../cli/signals.js";
import { createLogger } from "../log.js";
import { createRandom } from "../random/random.js";
import { type ControlServer, startControlServer } from "./control-server.js";
import { createFaultProxy, type FaultProxy } from "./fault-proxy.js";
import type { FaultProxyArgs } from "./fault-proxy-args.js";

/** What `lotwatch-sim fault-proxy` prints on stdout once it listens: one JSON line. */
export interface FaultProxyReady {
  listen: string;
  listenPort: number;
  target: string;
  /** null without --control-port. */
  controlUrl: string | null;
  controlPort: number | null;
}

/** `lotwatch-sim fault-proxy`: runs until SIGINT/SIGTERM, then closes every connection and exits 0. */
export async function runFaultProxyCommand(args: FaultProxyArgs): Promise<number> {
  const stop = listenForStop();
  const logger = createLogger("fault-proxy");
  let proxy: FaultProxy | undefined;
  let control: ControlServer | undefined;
  try {
    const running = await listening("--listen", args.listenPort, () =>
      createFaultProxy({
        target: args.target,
        host: args.host,
        port: args.listenPort,
        shape: args.shape,
        ...(args.seed === undefined ? {} : { random: createRandom(args.seed).next }),
        logger,
      }),
    );
    proxy = running;
    const controlPort = args.controlPort;
    if (controlPort !== undefined) {
      control = await listening("--control-port", controlPort, () =>
        startControlServer({ proxy: running, host: args.host, port: controlPort, logger }),
      );
    }
    const ready: FaultProxyReady = {
      listen: `${args.host}:${running.port}`,
      listenPort: running.port,
      target: running.target,
      controlUrl: control?.url ?? null,
      controlPort: control?.port ?? null,
    };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    logger.info(ready, "fault proxy ready");
    if (!stop.signal.aborted) {
      await new Promise<void>((done) => stop.signal.addEventListener("abort", () => done(), { once: true }));
    }
    logger.info({ signal: stop.received(), ...running.stats() }, "fault proxy stopping");
    return 0;
  } finally {
    await control?.close();
    await proxy?.close();
    stop.dispose();
  }
}

/** A taken or forbidden port becomes one line naming the option, not a stack trace. */
async function listening<T>(flag: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      throw new LotwatchError(
        "PORT_UNAVAILABLE",
        `${flag} ${port}: cannot listen there (${code}); pick another port, or 0 for any free one`,
        { cause: error },
      );
    }
    throw error;
  }
}
