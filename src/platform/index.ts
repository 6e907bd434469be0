export { type Platform, startPlatform } from './platform.ts';
export { gatewaySettings } from './gateway-settings.ts';
