import { listDirectory, readText, round2, unavailable } from './read.ts';
import type { ThermalSample, ThermalZone } from './samples.ts';

const THERMAL = '/sys/class/thermal';
const HWMON = '/sys/class/hwmon';
const CPUS = '/sys/devices/system/cpu';

/** Temperatures from the kernel's thermal zones and hardware monitors, and CPU throttle counts. */
export async function readThermal(): Promise<ThermalSample> {
  const [zones, sensors, throttleEvents] = await Promise.all([
    thermalZones(),
    hwmonSensors(),
    throttleCount(),
  ]);
  const all = [...zones, ...sensors];
  if (all.length === 0 && throttleEvents === null) {
    return {
      ...unavailable(
        'the kernel exposes no thermal zones, hardware monitors or throttle counters (as in most virtual machines)',
      ),
      throttleEvents: null,
      zones: [],
    };
  }
  return { available: true, zones: all, throttleEvents };
}

async function thermalZones(): Promise<ThermalZone[]> {
  const names = (await listDirectory(THERMAL)).filter((name) => name.startsWith('thermal_zone'));
  const zones = await Promise.all(
    names.map(async (zone) => {
      const [type, temp] = await Promise.all([
        readText(`${THERMAL}/${zone}/type`),
        readText(`${THERMAL}/${zone}/temp`),
      ]);
      return temp === undefined
        ? undefined
        : { zone, type: type?.trim() ?? zone, celsius: round2(Number(temp) / 1000) };
    }),
  );
  return zones.filter((zone): zone is ThermalZone => zone !== undefined && Number.isFinite(zone.celsius));
}

async function hwmonSensors(): Promise<ThermalZone[]> {
  const monitors = await listDirectory(HWMON);
  const sensors = await Promise.all(
    monitors.map(async (monitor) => {
      const directory = `${HWMON}/${monitor}`;
      const [name, files] = await Promise.all([readText(`${directory}/name`), listDirectory(directory)]);
      const inputs = files.filter((file) => /^temp\d+_input$/.test(file));
      return Promise.all(
        inputs.map(async (input) => {
          const sensor = input.replace('_input', '');
          const [label, temp] = await Promise.all([
            readText(`${directory}/${sensor}_label`),
            readText(`${directory}/${input}`),
          ]);
          return {
            zone: `${monitor}/${sensor}`,
            type: [name?.trim(), label?.trim()].filter(Boolean).join(' ') || sensor,
            celsius: round2(Number(temp) / 1000),
          };
        }),
      );
    }),
  );
  return sensors.flat().filter((sensor) => Number.isFinite(sensor.celsius));
}

async function throttleCount(): Promise<number | null> {
  const cpus = (await listDirectory(CPUS)).filter((name) => /^cpu\d+$/.test(name));
  const counts = await Promise.all(
    cpus.flatMap((cpu) =>
      ['core_throttle_count', 'package_throttle_count'].map((file) =>
        readText(`${CPUS}/${cpu}/thermal_throttle/${file}`),
      ),
    ),
  );
  const found = counts.filter((count): count is string => count !== undefined);
  return found.length === 0 ? null : found.reduce((sum, count) => sum + Number(count), 0);
}
