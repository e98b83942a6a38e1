import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";
import type { MessageHandler } from "../ingest/handle-message.js";
import { createLogger, type Logger } from "../logging/create-logger.js";
import { createCommitTracker } from "./commit-tracker.js";
import { type AuthenticateHook, createOpenAuthenticate } from "./hooks/authenticate.js";
import { createAuthorizePublish } from "./hooks/authorize-publish.js";

export interface EmbeddedBrokerOptions {
  handler: MessageHandler;
  /** Default: accept every client (see hooks/authenticate.ts). */
  authenticate?: AuthenticateHook;
  logger?: Logger;
}

export interface EmbeddedBroker {
  /** Not yet listening: the caller picks host and port. */
  server: Server;
  aedes: Aedes;
  /** Stops accepting, disconnects clients, and resolves once every running commit has finished. */
  close(): Promise<void>;
}

/** An in-process MQTT broker whose QoS 1 PUBACK is sent only after the message is stored. */
export async function createEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const logger = options.logger ?? createLogger("broker");
  const commits = createCommitTracker();
  const aedes = await Aedes.createBroker({
    authenticate: options.authenticate ?? createOpenAuthenticate(),
    authorizePublish: createAuthorizePublish({ handler: options.handler, commits, logger }),
  });
  aedes.on("client", (client) => logger.debug({ client: client.id }, "client connected"));
  aedes.on("clientDisconnect", (client) => logger.debug({ client: client.id }, "client disconnected"));
  aedes.on("clientError", (client, error) => logger.warn({ client: client.id, err: error }, "client error"));
  aedes.on("connectionError", (client, error) =>
    logger.warn({ client: client.id, err: error }, "connection refused"),
  );
  const server = createServer(aedes.handle);

  let closing: Promise<void> | undefined;
  const close = async () => {
    const stopped = new Promise<void>((resolve) => {
      if (!server.listening) resolve();
      else server.close(() => resolve());
    });
    // Closing clients publishes their Last Wills through authorizePublish, so they are tracked too.
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await commits.drain();
    await stopped;
  };
  return {
    server,
    aedes,
    close() {
      closing ??= close();
      return closing;
    },
  };
}
