// A one-line progress bar on stderr, only when stderr is a terminal (never in logs or pipes).
const WIDTH = 30;

export interface Progress {
  update(label: string, done: number, total: number): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update(label, done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(fraction * WIDTH);
      const name = label.length > 40 ? `…${label.slice(-39)}` : label;
      stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${name}\x1b[K`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
