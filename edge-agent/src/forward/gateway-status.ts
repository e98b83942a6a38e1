import type { GatewayStatus } from "@lotwatch/protocol/status.js";

export interface StatusContext {
  gateway: string;
  site: string;
  bootId: string;
  version: string;
}

export interface StatusSnapshot {
  uptimeMs: number;
  backlog: number;
  oldestPendingAt: string | null;
  /** Readings dropped by the cap policy since the buffer was created. */
  dropped: number;
}

/** The retained `online: true` status, refreshed while connected. */
export function onlineStatus(context: StatusContext, snapshot: StatusSnapshot, at: Date): GatewayStatus {
  return { ...base(context, at), online: true, ...snapshot };
}

/**
 * The Last Will and the goodbye on a clean stop. A will is fixed at connect time, so its `at` is
 * when the connection began; the receiver's clock tells when it fired.
 */
export function offlineStatus(context: StatusContext, at: Date): GatewayStatus {
  return { ...base(context, at), online: false };
}

function base(context: StatusContext, at: Date) {
  return {
    v: 1 as const,
    gateway: context.gateway,
    site: context.site,
    at: at.toISOString(),
    version: context.version,
    bootId: context.bootId,
  };
}
