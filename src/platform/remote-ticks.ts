import { MARKET_DATA_KINDS } from '../bus/index.ts';
import { isVenue, type SymbolRegistry, TICK_BYTES } from '../wire/index.ts';

/**
 * Symbol ids inside a tick are dense ids of the registry of the node that made it (docs/WIRE.md),
 * so a tick arriving from another node through the broker names a symbol this node may number
 * differently or not know at all. The topic names it for sure (`md.<kind>.<venue>.<symbol>`):
 * this hook registers the symbol here, with the scales the tick carries, and rewrites the id in
 * every tick of the payload to this node's own. The bus hands it a buffer of its own, so the
 * rewrite happens in place, once per message, before any local subscriber sees it.
 *
 * A payload on any other topic, or whose symbol cannot be registered (an unknown venue, or scales
 * that conflict with the local registration), is left as it is and counted: the gateway then shows
 * it under whatever symbol that id names here, which is why conflicts are worth a metric.
 */
export class RemoteTickAdopter {
  /** Local id per topic, so the steady state is one Map lookup per message. */
  private readonly localIds = new Map<string, number>();
  unadoptable = 0;

  constructor(private readonly registry: SymbolRegistry) {}

  readonly adopt = (topic: string, ticks: Uint8Array): void => {
    const id = this.localIds.get(topic) ?? this.register(topic, ticks);
    if (id === undefined) {
      this.unadoptable++;
      return;
    }
    for (let offset = 0; offset < ticks.length; offset += TICK_BYTES) {
      // bytes 5-7: the u24 symbol id, little-endian.
      ticks[offset + 5] = id & 0xff;
      ticks[offset + 6] = (id >>> 8) & 0xff;
      ticks[offset + 7] = id >>> 16;
    }
  };

  private register(topic: string, ticks: Uint8Array): number | undefined {
    const segments = topic.split('.');
    if (
      segments.length !== 4 ||
      segments[0] !== 'md' ||
      !(MARKET_DATA_KINDS as readonly string[]).includes(segments[1]!)
    ) {
      return undefined;
    }
    const venue = segments[2]!;
    if (!isVenue(venue)) return undefined;
    // byte 1: sizeScale in the high nibble, priceScale in the low one.
    const scales = { priceScale: ticks[1]! & 0x0f, sizeScale: ticks[1]! >>> 4 };
    try {
      const id = this.registry.register(venue, segments[3]!, scales);
      this.localIds.set(topic, id);
      return id;
    } catch {
      return undefined;
    }
  }
}
