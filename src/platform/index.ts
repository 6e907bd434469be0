export { type Platform, SIMULATOR_EVENTS_PER_SECOND, SIMULATOR_SEED, startPlatform } from './platform.ts';
export { gatewaySettings } from './gateway-settings.ts';
