/**
 * Runs one task at a time per key. Sign-in attempts for the same account are serialized, so
 * that parallel wrong guesses cannot all read the same failure count and slip past the lockout.
 */
export class KeyedMutex {
  private readonly tails = new Map<number, Promise<unknown>>();

  async run<T>(key: number, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
