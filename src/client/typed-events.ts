/**
 * A minimal typed event emitter that runs in browsers and Node alike (Node's EventEmitter is not in
 * browsers, EventTarget's events are untyped). A listener that throws does not stop the others;
 * its error goes to `onListenerError`.
 */
export class TypedEvents<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(event: never) => void>>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Calls `listener` for each `name` event; returns the function that stops it. */
  on<Name extends keyof Events>(name: Name, listener: (event: Events[Name]) => void): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) this.listeners.set(name, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  emit<Name extends keyof Events>(name: Name, event: Events[Name]): void {
    const set = this.listeners.get(name);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as (event: Events[Name]) => void)(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
