/** Something a page shows that counts its changes and tells listeners of each. */
export interface Changing {
  version(): number;
  onChange(listener: () => void): () => void;
}

/** A count that grows on every change a viewer could see; listeners are told of each. */
export class ChangeSignal implements Changing {
  private count = 0;
  private readonly listeners = new Set<() => void>();

  version(): number {
    return this.count;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  changed(): void {
    this.count += 1;
    for (const l of [...this.listeners]) l();
  }
}

/** A long poll: resolves at once unless `source` is still at `since`, else at its next change or after `maxMs`. */
export async function nextChange(source: Changing, since: number, maxMs: number): Promise<void> {
  // Any other version is news: a change since, or a restarted sandbox whose count began again.
  if (source.version() !== since) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve();
    }, maxMs);
    const off = source.onChange(() => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}
