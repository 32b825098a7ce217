import type { CompressionController, HostSync } from '../compression/index.js';

/** The algorithm controllers (children of a composite, or the controller itself) with their config names. */
export function leafControllers(c: CompressionController): [CompressionController, string][] {
  const children = (c as { children?: readonly CompressionController[] }).children;
  return children ? children.flatMap(leafControllers) : [[c, c.name]];
}

/** Awaits pending scheduler work (e.g. a staged range init) of a scheduler and its children. */
export async function settle(s: unknown): Promise<void> {
  const obj = s as { settled?: () => Promise<void>; children?: readonly unknown[] };
  if (typeof obj.settled === 'function') await obj.settled();
  for (const c of obj.children ?? []) await settle(c);
}

/**
 * A leaf controller's per-step variable use (controller.hostSync); a controller that does not say is
 * synced around every step and its loss gradients are taken every step.
 */
export function hostSyncOf(c: CompressionController): HostSync {
  return c.hostSync?.() ?? { step: 'writes', loss: true, feeds: true };
}
