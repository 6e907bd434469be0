import { TickwireError } from '../errors.ts';

/**
 * Venues this build knows. A venue's wire id is its index + 1 (0 means "unset"), so append new
 * venues at the end: reordering would change the meaning of ids already in recorded ticks.
 */
export const VENUES = ['SIM', 'BINANCE'] as const;
export type Venue = (typeof VENUES)[number];

/** The wire id of a venue name (1..255). Throws UNKNOWN_VENUE for a name not in VENUES. */
export function venueId(name: string): number {
  const index = (VENUES as readonly string[]).indexOf(name);
  if (index < 0) {
    throw new TickwireError(
      'UNKNOWN_VENUE',
      `venue ${JSON.stringify(name)} is not one of ${VENUES.join(', ')}`,
    );
  }
  return index + 1;
}

/** The venue name of a wire id. Throws UNKNOWN_VENUE for 0 (unset) or an id past the table. */
export function venueName(id: number): Venue {
  const name = VENUES[id - 1];
  if (name === undefined || !Number.isInteger(id)) {
    throw new TickwireError(
      'UNKNOWN_VENUE',
      `venue id ${id} is not one of 1..${VENUES.length} (${VENUES.join(', ')})`,
    );
  }
  return name;
}

export function isVenue(name: string): name is Venue {
  return (VENUES as readonly string[]).includes(name);
}
