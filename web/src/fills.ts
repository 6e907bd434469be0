/** A fill's identity across the REST list and the live stream: its order and its exchange trade. */
export function fillKey(fill: { clientOrderId: string; tradeId: number }): string {
  return `${fill.clientOrderId}:${fill.tradeId}`;
}
