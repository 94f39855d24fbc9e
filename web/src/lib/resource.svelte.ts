// One API call's state for a page: the answer, the error or "loading". A newer load aborts the
// one in flight, so an answer to an old query can never replace the answer to the current one.

export class Resource<T> {
  data = $state<T | null>(null);
  error = $state<Error | null>(null);
  loading = $state(false);
  #controller: AbortController | null = null;

  /** Runs `call`, keeping its answer or error; earlier calls still running are aborted. */
  async load(call: (signal: AbortSignal) => Promise<T>): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.loading = true;
    this.error = null;
    try {
      const data = await call(controller.signal);
      if (controller.signal.aborted) return;
      this.data = data;
    } catch (e) {
      if (controller.signal.aborted) return;
      this.data = null;
      this.error = e instanceof Error ? e : new Error(String(e));
    } finally {
      if (this.#controller === controller) this.loading = false;
    }
  }

  /** Forgets the answer (a query that asks for nothing). */
  reset(): void {
    this.#controller?.abort();
    this.#controller = null;
    this.data = null;
    this.error = null;
    this.loading = false;
  }
}
